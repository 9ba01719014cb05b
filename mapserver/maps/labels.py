"""Place labels: a point inside each area, which areas to name first, and greedy placement.

The browser (static/js/labels.js) and the server-rendered image (image.py) place labels
the same way: in priority order, each label takes the first candidate position whose box
stays inside the frame and overlaps no label already placed and no obstacle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from shapely.ops import polylabel

from ..core.errors import BadParameter

MODES = ("none", "top", "all")
DEFAULT_MODE = "top"
TOP_AREAS = 3  # the region's highest rates, labelled with their rate

# polylabel stops refining once a cell is within this many metres of the best point; the
# smallest UK district (the City of London) has its pole about 600 m from its edge.
TOLERANCE_METRES = 20.0
ROOM_METRES = 200.0  # how far inside the shown shape a source pole must be to keep it
# 3 decimals of a degree move a point at most ~70 m; more are kept where that would push
# the point out of its area (checked for each point).
DECIMALS = (3, 4, 6)


def parse_mode(text: str | None) -> str:
    """labels=none|top|all from a request (default top)."""
    if text is None or text == "":
        return DEFAULT_MODE
    if text not in MODES:
        raise BadParameter(f"labels must be one of {', '.join(MODES)}, not {text!r}")
    return text


def largest_polygon(shape: shapely.Geometry) -> shapely.Polygon | None:
    """The polygon of largest area among a geometry's parts, at any depth (None if none)."""
    pending, polygons = [shape], []
    while pending:
        part = pending.pop()
        if isinstance(part, shapely.Polygon):
            if not part.is_empty:
                polygons.append(part)
        elif hasattr(part, "geoms"):
            pending.extend(part.geoms)
    return max(polygons, key=lambda polygon: polygon.area, default=None)


def label_points(source: gpd.GeoDataFrame, shown: gpd.GeoDataFrame) -> dict[str, list[float]]:
    """For each area, [lon, lat] of a point well inside both its source and shown polygons.

    The point is the pole of inaccessibility (the point farthest from the edges, not the
    centroid, which can fall outside a concave or split area) of the area's largest part,
    found in metres (a UTM zone), not degrees. Where the shown (simplified) shape does
    not hold that point with room to spare, the pole of the largest part both cover.
    """
    wgs84 = source.to_crs("EPSG:4326")
    drawn = shown.to_crs("EPSG:4326").geometry.reindex(wgs84.index)
    metric = _utm(wgs84.total_bounds)
    source_m = wgs84.geometry.to_crs(metric)
    drawn_m = gpd.GeoSeries(drawn, crs="EPSG:4326").to_crs(metric)
    poles = []
    for code, own, other in zip(wgs84.index, source_m.to_numpy(), drawn_m.to_numpy(), strict=True):
        own = shapely.make_valid(own)
        part = largest_polygon(own)
        if part is None:
            raise ValueError(f"area {code} has no polygon to put a label in")
        pole = polylabel(part, tolerance=TOLERANCE_METRES)
        if other is not None and not other.is_empty:
            other = shapely.make_valid(other)
            if not (other.contains(pole) and other.boundary.distance(pole) >= ROOM_METRES):
                common = largest_polygon(shapely.intersection(own, other))
                if common is not None:
                    pole = polylabel(common, tolerance=TOLERANCE_METRES)
        poles.append(pole)
    lonlat = gpd.GeoSeries(poles, index=wgs84.index, crs=metric).to_crs("EPSG:4326")
    shapes = zip(lonlat.to_numpy(), wgs84.geometry.to_numpy(), drawn.to_numpy(), strict=True)
    return {
        str(code): _rounded_inside(point, [c for c in (own, other) if c is not None])
        for code, (point, own, other) in zip(wgs84.index, shapes, strict=True)
    }


def _utm(bounds) -> str:
    """The WGS84 UTM zone at the centre of lon/lat bounds (no database lookup)."""
    lon = (bounds[0] + bounds[2]) / 2
    lat = (bounds[1] + bounds[3]) / 2
    zone = min(max(int((lon + 180) // 6) + 1, 1), 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def _rounded_inside(point: shapely.Point, containers: Iterable[shapely.Geometry]) -> list[float]:
    """The point with the fewest decimals that still lies inside every container."""
    containers = list(containers)
    for decimals in DECIMALS:
        candidate = shapely.Point(round(point.x, decimals), round(point.y, decimals))
        if all(container.contains(candidate) for container in containers):
            return [candidate.x, candidate.y]
    return [point.x, point.y]


def label_order(table: pd.DataFrame, top: int = TOP_AREAS) -> dict:
    """Which areas to label first: `top` highest rates, then the rest, largest population first.

    `table` is choropleth.district_figures: one row per district with its series' figures.
    A district covered by another's series (Scilly, the City) shares that series' rate and
    population, so it is never a top area and comes last by population.
    """
    # (only the columns it reads: the figures' other columns made every copy slower)
    table = table[["district_name", "covered", "complete", "rate", "population"]]
    own = table[~table["covered"].astype(bool)]
    complete = own[own["complete"].fillna(False).astype(bool)]
    ranked = complete.sort_values(["rate", "district_name"], ascending=[False, True])
    top_codes = [str(code) for code in ranked.index[:top]]
    others = population_order(table[~table.index.isin(top_codes)])
    short = {
        str(code): short_name(name)
        for code, name in table["district_name"].items()
        if short_name(name) != name
    }
    return {"top": top_codes, "others": others, "short": short}


def population_order(table: pd.DataFrame) -> list[str]:
    """The codes of `table`'s rows (`covered`, `population`, `district_name`) as labels
    are tried after the top areas: largest population first, covered districts last."""
    ordered = table.assign(
        _covered=lambda frame: frame["covered"].astype(bool),
        _population=lambda frame: frame["population"].fillna(0),
    )
    # Ties are broken by name (and by position, pandas sorting several keys stably), so
    # the order of some of the rows is this order with the others left out: the lean
    # geometry lists a region's areas in it (lean.py), and a week's labels follow it.
    ordered = ordered.sort_values(
        ["_covered", "_population", "district_name"], ascending=[True, False, True]
    )
    return [str(code) for code in ordered.index]


# ONS names a few districts "Bristol, City of": on a map the comma reads as a list and
# the suffix says nothing, so a label shows the place's name alone.
_NAME_SUFFIXES = (", City of", ", County of")


def short_name(name: str) -> str:
    """An area's name as a map label shows it: 'Bristol' for 'Bristol, City of'."""
    for suffix in _NAME_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def label_text(name: str, rate: float | None, with_rate: bool) -> str:
    """'Corby 358.6' for a top or highlighted area, else the name alone (shortened)."""
    name = short_name(name)
    if with_rate and rate is not None:
        return f"{name} {rate:,.1f}"
    return name


@dataclass(frozen=True)
class Candidate:
    """A label to place: its text, anchor point (pixels) and size, and whether it may move."""

    code: str
    text: str
    x: float
    y: float
    width: float
    height: float
    strong: bool = False


@dataclass(frozen=True)
class Placed:
    """A placed label's box in pixels (top-left corner, size)."""

    candidate: Candidate
    left: float
    top: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        """left, top, right, bottom."""
        c = self.candidate
        return self.left, self.top, self.left + c.width, self.top + c.height


def overlaps(a: Sequence[float], b: Sequence[float], gap: float = 0.0) -> bool:
    """Whether two (left, top, right, bottom) boxes overlap, or come closer than gap."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _positions(candidate: Candidate) -> list[tuple[float, float]]:
    """Top-left corners to try: centred on the anchor, then (strong labels) around it."""
    w, h = candidate.width, candidate.height
    left, top = candidate.x - w / 2, candidate.y - h / 2
    if not candidate.strong:
        return [(left, top)]
    return [
        (left, top),
        (left, top - h / 2 - 2),
        (left, top + h / 2 + 2),
        (candidate.x + 4, top),
        (candidate.x - 4 - w, top),
        (left, top - h - 2),
        (left, top + h + 2),
        # beside the point and a line up or down: two top areas close together
        (candidate.x + 4, top - h / 2 - 2),
        (candidate.x + 4, top + h / 2 + 2),
        (candidate.x - 4 - w, top - h / 2 - 2),
        (candidate.x - 4 - w, top + h / 2 + 2),
    ]


def place_labels(
    candidates: Iterable[Candidate],
    frame: Sequence[float],
    obstacles: Iterable[Sequence[float]] = (),
    gap: float = 2.0,
) -> list[Placed]:
    """Greedy placement in the given order: boxes inside frame, apart from each other.

    frame and obstacles are (left, top, right, bottom) boxes. A label whose anchor lies
    outside the frame is skipped; a strong label (top or highlighted area) is moved
    inside the frame when its box crosses the edge, and tries positions around its anchor.
    """
    fl, ft, fr, fb = frame
    taken = [tuple(box) for box in obstacles]
    placed: list[Placed] = []
    for candidate in candidates:
        if not (fl <= candidate.x <= fr and ft <= candidate.y <= fb):
            continue
        if candidate.width > fr - fl or candidate.height > fb - ft:
            continue
        for left, top in _positions(candidate):
            if candidate.strong:
                left = min(max(left, fl), fr - candidate.width)
                top = min(max(top, ft), fb - candidate.height)
            box = (left, top, left + candidate.width, top + candidate.height)
            inside = box[0] >= fl and box[1] >= ft and box[2] <= fr and box[3] <= fb
            if inside and not any(overlaps(box, other, gap) for other in taken):
                taken.append(box)
                placed.append(Placed(candidate, left, top))
                break
    return placed
