"""Static PNG and SVG images of a choropleth, drawn with matplotlib; knows nothing of Flask.

The image is laid out in pixels and drawn at 72 dpi, so one point is one pixel: the PNG
is exactly `width` pixels wide and the SVG's user units are pixels too. matplotlib is
imported inside the functions that need it, so importing this module (and starting the
app) stays cheap.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache

import geopandas as gpd
import numpy as np
from pyproj import Transformer

from ..core.errors import BadParameter
from .image_draw import (
    DEFAULT_WIDTH,
    INK,
    LABEL_HEIGHT,
    LINE_SPACING,
    MUTED,
    Box,
    Layout,
    LegendItem,
    MapLabel,
    TextBlock,
    draw,
    svg_in_pixels,
)
from .image_text import text_width, wrap
from .labels import Candidate, Placed, place_labels

BNG = "EPSG:27700"  # British National Grid: metres, so the UK is not stretched
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
WIDTH_RANGE = (300, 2000)
# The widths drawn: any other width in range is served as the next one up, so the
# distinct images (each a fresh render) stay few.
WIDTHS = (300, 600, 900, 1200, 2000)
ASPECT_RANGE = (0.6, 1.6)  # image height as a multiple of its width
MARGIN = 0.03  # around the region's bounds, as a share of its larger side

LEGEND_HEADING = "Cases per 100,000"


# matplotlib's global state (rcParams, font caches) is not thread-safe: draw one at a time.
_LOCK = threading.Lock()


def parse_width(text: str | None) -> int:
    """The image width in pixels from a request parameter (default 1200)."""
    if text is None or text == "":
        return DEFAULT_WIDTH
    low, high = WIDTH_RANGE
    if not re.fullmatch(r"[0-9]{1,5}", text) or not low <= int(text) <= high:
        raise BadParameter(
            f"width must be a whole number of pixels from {low} to {high}, not {text!r}"
        )
    return int(text)


def snap_width(width: int) -> int:
    """The smallest of WIDTHS at least `width` (which must be within WIDTH_RANGE)."""
    for size in WIDTHS:
        if size >= width:
            return size
    raise ValueError(f"width must be at most {WIDTHS[-1]} pixels, not {width}")


def render_map_image(
    areas: gpd.GeoDataFrame,
    colours: Mapping[str, str],
    legend: Sequence[Mapping],
    title: str,
    subtitle: str,
    attribution: str,
    width: int = DEFAULT_WIDTH,
    fmt: str = "png",
    notes: Sequence[str] = (),
    labels: Sequence[MapLabel] = (),
    legend_heading: str = LEGEND_HEADING,
) -> bytes:
    """PNG or SVG bytes of the districts in `colours` filled with their colours, titled.

    `labels`, in priority order, are placed where they fit without overlapping.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    projected = _projected(areas)
    with _LOCK:
        layout = map_layout(
            projected,
            colours,
            legend,
            title,
            subtitle,
            attribution,
            width,
            notes,
            labels,
            legend_heading,
        )
        body = draw(projected, colours, layout, fmt)
    if fmt == "svg":
        labels = ", ".join(str(item["label"]) for item in legend)
        named = ", ".join(placed.candidate.text for placed in layout.labels)
        shown = [f"Labelled: {named}."] if named else []
        about = " ".join(
            [f"{subtitle}.", f"{legend_heading}: {labels}.", *shown, *notes, attribution]
        )
        body = svg_in_pixels(body, layout.width, layout.height, title, about)
    return body


def map_layout(
    areas: gpd.GeoDataFrame,
    colours: Mapping[str, str],
    legend: Sequence[Mapping],
    title: str,
    subtitle: str,
    attribution: str,
    width: int = DEFAULT_WIDTH,
    notes: Sequence[str] = (),
    labels: Sequence[MapLabel] = (),
    legend_heading: str = LEGEND_HEADING,
) -> Layout:
    """The layout render_map_image uses for these inputs (pixel positions, map extent)."""
    low, high = WIDTH_RANGE
    if not low <= width <= high:
        raise ValueError(f"width must be from {low} to {high} pixels, not {width}")
    areas = _projected(areas)
    region = areas[areas.index.isin(list(colours))]
    if region.empty:
        raise ValueError("none of the coloured districts has a boundary")
    # Fonts grow more slowly than the image, and never below a legible size.
    scale = width / DEFAULT_WIDTH
    soft = math.sqrt(scale)

    def px(base: float, least: float) -> float:
        return round(max(base * soft, least), 1)

    pad = round(max(24 * scale, 10))
    inner = width - 2 * pad
    texts: list[TextBlock] = []
    y = float(pad)

    title_block = _block(title, px(30, 16), inner, y, bold=True)
    texts.append(title_block)
    y += title_block.height + px(2, 2)
    subtitle_block = _block(subtitle, px(20, 12), inner, y, colour=MUTED)
    texts.append(subtitle_block)
    y += subtitle_block.height + px(14, 8)

    heading = _block(legend_heading, px(14, 10), inner, y, bold=True, colour=MUTED)
    texts.append(heading)
    y += heading.height + px(3, 2)
    legend_size = px(15, 10)
    items, legend_height = _legend(legend, legend_size, inner, pad, y, soft)
    y += legend_height + px(14, 8)
    map_top = y

    footer = [_block(note, px(13, 9), inner, 0.0, colour=MUTED) for note in notes]
    footer.append(_block(attribution, px(13, 9), inner, 0.0, colour=MUTED))
    footer_gap = px(8, 6)
    footer_height = footer_gap + 1 + footer_gap + sum(block.height for block in footer) + pad

    bounds = _padded_bounds(region.total_bounds)
    natural = inner * (bounds[3] - bounds[1]) / (bounds[2] - bounds[0])
    fixed = map_top + footer_height
    least, most = ASPECT_RANGE[0] * width, ASPECT_RANGE[1] * width
    height = int(round(min(max(fixed + natural, least), most)))
    map_height = max(height - fixed, 0.25 * width)
    height = int(round(fixed + map_height))
    map_box = Box(pad, map_top, inner, map_height)

    rule_top = map_top + map_height + footer_gap
    y = rule_top + 1 + footer_gap
    for block in footer:
        texts.append(TextBlock(block.lines, block.size, y, block.bold, block.colour))
        y += block.height
    extent = _fit(bounds, map_box.height / map_box.width)
    layout = Layout(
        width, height, tuple(texts), tuple(items), legend_size, rule_top, map_box, extent
    )
    sizes = (px(17, 12), px(14, 10))
    placed = _place(labels, layout, sizes, pad=max(3 * soft, 2))
    return replace(layout, labels=tuple(placed), label_sizes=sizes)


def _place(
    labels: Sequence[MapLabel], layout: Layout, sizes: tuple[float, float], pad: float
) -> list[Placed]:
    """Label boxes in pixels, placed greedily in order inside the map box."""
    candidates = []
    for label in labels:
        size = sizes[0] if label.strong else sizes[1]
        column, row = point_pixel(label.x, label.y, layout)
        width = text_width(label.text, size, bold=label.strong) + 2 * pad
        height = size * LABEL_HEIGHT + 2 * pad
        candidates.append(
            Candidate(label.code, label.text, column, row, width, height, label.strong)
        )
    box = layout.map_box
    return place_labels(candidates, (box.left, box.top, box.left + box.width, box.top + box.height))


def pixel_for(lon: float, lat: float, layout: Layout) -> tuple[float, float]:
    """(column, row) in image pixels, from the top-left corner, of a WGS84 point."""
    return point_pixel(*to_bng(lon, lat), layout)


def to_bng(lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 point in British National Grid metres."""
    return _to_bng().transform(lon, lat)


def point_pixel(x: float, y: float, layout: Layout) -> tuple[float, float]:
    """(column, row) in image pixels of a point in BNG metres."""
    xmin, ymin, xmax, ymax = layout.extent
    box = layout.map_box
    column = box.left + (x - xmin) / (xmax - xmin) * box.width
    row = box.top + (ymax - y) / (ymax - ymin) * box.height
    return column, row


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


def _projected(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas in British National Grid (no copy when they already are)."""
    if areas.crs is not None and areas.crs.equals(BNG):
        return areas
    return areas.to_crs(BNG)


def _padded_bounds(bounds: np.ndarray) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(value) for value in bounds)
    margin = MARGIN * max(xmax - xmin, ymax - ymin, 1000.0)
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin


def _fit(bounds: tuple[float, float, float, float], aspect: float) -> tuple[float, ...]:
    """Grow bounds about their centre to height/width == aspect, so metres stay square."""
    xmin, ymin, xmax, ymax = bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half_w, half_h = (xmax - xmin) / 2, (ymax - ymin) / 2
    if half_h / half_w < aspect:
        half_h = half_w * aspect
    else:
        half_w = half_h / aspect
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _block(
    text: str, size: float, width: float, top: float, bold: bool = False, colour: str = INK
) -> TextBlock:
    return TextBlock(wrap(text, size, width, bold), size, top, bold, colour)


def _legend(
    legend: Sequence[Mapping], size: float, inner: float, left: float, top: float, soft: float
) -> tuple[list[LegendItem], float]:
    """Swatches in rows, label under each (as on the web); 'No data' set a little apart."""
    if not legend:
        return [], 0.0
    gap = max(8 * soft, 5)
    widest = max(text_width(str(item["label"]), size) for item in legend)
    apart = gap  # extra space before the 'No data' swatch
    extra = apart if any(item.get("no_data") for item in legend) else 0.0
    # Each item is as wide as the widest label, and at most 96 px (at 1200) so that the
    # legend reads as a key and not a bar across the image.
    item_width = max(widest + gap, min((inner - extra) / len(legend), 96 * soft))
    per_row = max(1, int((inner - extra) // item_width))
    swatch_height = round(max(12 * soft, 8))
    row_height = swatch_height + 3 + size * LINE_SPACING + max(6 * soft, 4)
    items: list[LegendItem] = []
    for index, item in enumerate(legend):
        row, column = divmod(index, per_row)
        x = left + column * item_width
        if item.get("no_data") and column > 0:
            x += apart
        y = top + row * row_height
        swatch = Box(x, y, item_width - 2, swatch_height)
        items.append(
            LegendItem(str(item["label"]), str(item["colour"]), swatch, y + swatch_height + 3)
        )
    rows = math.ceil(len(legend) / per_row)
    return items, rows * row_height
