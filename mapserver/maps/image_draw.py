"""What an image is made of (text blocks, legend, labels, the map's box) and how
matplotlib draws it as PNG or SVG."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import numpy as np
import shapely

from .image_text import font
from .labels import Placed

DEFAULT_WIDTH = 1200  # the image's width unless asked; lines are drawn in proportion
INK = "#1a1a1a"
MUTED = "#5c5c5c"
RULE = "#d9d9d9"
PAPER = "#ffffff"
BORDER = "#ffffff"
CONTEXT_COLOUR = "#ececec"  # districts outside the region, as on the web map

DPI = 72  # one point is one pixel
SVG_SALT = "mapserver"  # fixed ids in the SVG, so equal inputs give equal bytes


@dataclass(frozen=True)
class Box:
    """A rectangle in image pixels, measured from the top-left corner."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines of text, their font size in pixels and where the first line's top is."""

    lines: tuple[str, ...]
    size: float
    top: float
    bold: bool = False
    colour: str = INK

    @property
    def height(self) -> float:
        """Pixels from the top of the first line to the bottom of the last."""
        return len(self.lines) * self.size * LINE_SPACING


@dataclass(frozen=True)
class LegendItem:
    """A swatch and its label."""

    label: str
    colour: str
    swatch: Box
    label_top: float


@dataclass(frozen=True)
class MapLabel:
    """A label to place on the map: text, anchor in BNG metres, and top area or not."""

    code: str
    text: str
    x: float
    y: float
    strong: bool = False


@dataclass(frozen=True)
class Layout:
    """Where everything goes: image size, text blocks, legend, and the map's box and extent."""

    width: int
    height: int
    texts: tuple[TextBlock, ...]
    legend: tuple[LegendItem, ...]
    legend_size: float
    rule_top: float
    map_box: Box
    extent: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in BNG metres
    labels: tuple[Placed, ...] = ()
    label_sizes: tuple[float, float] = (13.0, 11.0)  # strong (top areas), other names


LINE_SPACING = 1.25
LABEL_HEIGHT = 1.2  # a label's box height as a multiple of its font size


def _paths(geometries) -> list:
    """One matplotlib Path per (multi)polygon, holes included."""
    from matplotlib.path import Path as MplPath

    paths = []
    for geometry in geometries:
        rings = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            if polygon.is_empty:
                continue
            rings.append(np.asarray(polygon.exterior.coords)[:, :2])
            rings.extend(np.asarray(ring.coords)[:, :2] for ring in polygon.interiors)
        if not rings:
            paths.append(MplPath(np.empty((0, 2))))
            continue
        vertices = np.concatenate(rings)
        codes = np.full(len(vertices), MplPath.LINETO, dtype=MplPath.code_type)
        start = 0
        for ring in rings:
            codes[start] = MplPath.MOVETO
            codes[start + len(ring) - 1] = MplPath.CLOSEPOLY
            start += len(ring)
        paths.append(MplPath(vertices, codes))
    return paths


def draw(
    areas: gpd.GeoDataFrame,
    colours: Mapping[str, str],
    layout: Layout,
    fmt: str,
) -> bytes:
    """Draw the layout with matplotlib's Agg (PNG) or SVG backend."""
    import io

    import matplotlib
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    width, height = layout.width, layout.height
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=PAPER)

    def fx(x: float) -> float:
        return x / width

    def fy(y: float) -> float:
        return 1 - y / height

    box = layout.map_box
    axes = figure.add_axes(
        (fx(box.left), fy(box.top + box.height), box.width / width, box.height / height)
    )
    axes.set_axis_off()
    xmin, ymin, xmax, ymax = layout.extent
    axes.set_xlim(xmin, xmax)
    axes.set_ylim(ymin, ymax)
    axes.set_aspect("auto")  # the extent already has the box's aspect ratio

    view = shapely.box(xmin, ymin, xmax, ymax)
    shown = areas[areas.intersects(view)].sort_index()
    inside = shown.index.isin(list(colours))
    stroke = round(max(0.8 * math.sqrt(width / DEFAULT_WIDTH), 0.5), 2)
    context = shown[~inside]
    if len(context):
        axes.add_collection(
            PathCollection(
                _paths(context.geometry),
                facecolors=CONTEXT_COLOUR,
                edgecolors=BORDER,
                linewidths=stroke,
                zorder=1,
            )
        )
    region = shown[inside]
    axes.add_collection(
        PathCollection(
            _paths(region.geometry),
            facecolors=[colours[code] for code in region.index],
            edgecolors=BORDER,
            linewidths=stroke,
            zorder=2,
        )
    )

    draw_labels(figure, layout)
    for block in layout.texts:
        figure.text(
            fx(layout.map_box.left),
            fy(block.top),
            "\n".join(block.lines),
            fontproperties=font(block.size, block.bold),
            color=block.colour,
            va="top",
            ha="left",
            linespacing=LINE_SPACING,
            parse_math=False,
        )
    for item in layout.legend:
        swatch = item.swatch
        figure.add_artist(
            Rectangle(
                (fx(swatch.left), fy(swatch.top + swatch.height)),
                swatch.width / width,
                swatch.height / height,
                transform=figure.transFigure,
                facecolor=item.colour,
                edgecolor=RULE if item.colour.lower() in ("#fff", "#ffffff") else "none",
                linewidth=0.5,
            )
        )
        figure.text(
            fx(swatch.left),
            fy(item.label_top),
            item.label,
            fontproperties=font(layout.legend_size),
            color=INK,
            va="top",
            ha="left",
            parse_math=False,
        )
    figure.add_artist(
        Rectangle(
            (fx(box.left), fy(layout.rule_top + 1)),
            box.width / width,
            1 / height,
            transform=figure.transFigure,
            facecolor=RULE,
            edgecolor="none",
        )
    )

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "path"}):
        if fmt == "png":
            figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        else:
            figure.savefig(out, format="svg", dpi=DPI, metadata={"Date": None, "Creator": None})
    return out.getvalue()


def draw_labels(figure, layout: Layout) -> None:
    """Each placed label centred in its box, with a paper-coloured halo (legible on any band)."""
    from matplotlib import patheffects

    width, height = layout.width, layout.height
    halo_width = max(layout.label_sizes[1] * 0.3, 2.5)
    halo = [patheffects.withStroke(linewidth=halo_width, foreground=PAPER)]
    for placed in layout.labels:
        label = placed.candidate
        size = layout.label_sizes[0] if label.strong else layout.label_sizes[1]
        left, top, right, bottom = placed.box
        figure.text(
            (left + right) / 2 / width,
            1 - (top + bottom) / 2 / height,
            label.text,
            fontproperties=font(size, label.strong),
            color=INK,
            va="center",
            ha="center",
            path_effects=halo,
            parse_math=False,
            zorder=5,
        )


def svg_in_pixels(svg: bytes, width: int, height: int, title: str, about: str) -> bytes:
    """Size the SVG in pixels (matplotlib writes points) and give it a title and description.

    The text is drawn as glyph outlines (so it looks the same without DejaVu Sans
    installed); <title> and <desc> carry it as text for screen readers and search.
    """
    text = svg.decode("utf-8")
    start = text.index("<svg ")
    end = text.index(">", start)
    root = text[start:end]
    root = re.sub(r'\swidth="[^"]*"', f' width="{width}"', root, count=1)
    root = re.sub(r'\sheight="[^"]*"', f' height="{height}"', root, count=1)
    label = f"<title>{escape(title, quote=False)}</title><desc>{escape(about, quote=False)}</desc>"
    return (text[:start] + root + ' role="img">\n ' + label + text[end + 1 :]).encode("utf-8")
