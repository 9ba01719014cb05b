"""Feature collections for OGC API - Features: districts with a week's figures, regions
with their totals, paged and filtered by bbox and week. No Flask here.

Items are served as GeoJSON text put together from pieces: each feature's geometry is
serialised once (coordinates rounded to COORDINATE_DECIMALS) and reused for every week,
so a page costs only the properties' JSON.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.errors import BadParameter
from ..figures.comparison import LIMIT_COLUMNS
from ..figures.covid import Dataset
from ..figures.rates import FIGURE_COLUMNS
from ..ingest.regions import Region
from ..words.tables import INTERVAL_COLUMNS, league_table

# 6 decimal places of a degree is 0.11 m north-south: finer than the source boundaries.
COORDINATE_DECIMALS = 6
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOMETRIES = ("full", "simplified")

# Properties of a district feature besides the CSV columns (FIGURE_COLUMNS), which hold
# the figures of the series that covers the district (its own, or a merged one's).
DISTRICT_EXTRA = ["week", "complete", "days_known", "series", "series_name", "region", "country"]
REGION_PROPERTIES = [
    "code",
    "name",
    "kind",
    "week",
    "areas",
    "missing",
    "population",
    "cases",
    "rate",
    "previous_cases",
    "previous_rate",
    *LIMIT_COLUMNS,
]


@dataclass(frozen=True)
class CollectionInfo:
    """What /collections says about one collection."""

    id: str
    title: str
    description: str


COLLECTIONS = {
    "districts": CollectionInfo(
        "districts",
        "Local authority districts",
        "ONS December 2019 districts with the 7-day figures of the week asked for "
        "(datetime): cases, rate per 100,000, change and rank, as in /api/rates.",
    ),
    "regions": CollectionInfo(
        "regions",
        "Regions",
        "Countries, English regions and custom regions, with their totals for the week: "
        "the sum of cases over the sum of population.",
    ),
}


@dataclass(frozen=True)
class ItemsQuery:
    """A validated items request."""

    week: pd.Timestamp
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    region: Region | None = None
    geometry: str = "full"
    vintage: int | None = None  # a later vintage asked for (kept in the paging links)

    def params(self, offset: int) -> dict[str, str]:
        """Query parameters for the page at `offset` of this query, the week pinned."""
        out = {"limit": str(self.limit), "datetime": f"{self.week:%Y-%m-%d}"}
        if self.vintage is not None:
            out["vintage"] = str(self.vintage)
        if offset:
            out["offset"] = str(offset)
        if self.bbox is not None:
            out["bbox"] = ",".join(repr(value) for value in self.bbox)
        if self.region is not None:
            out["region"] = self.region.slug
        if self.geometry != "full":
            out["geometry"] = self.geometry
        return out


@dataclass
class Shapes:
    """One collection's geometries: the shapes (for bbox tests) and their GeoJSON text."""

    geometry: gpd.GeoSeries
    geojson: dict[str, str] = field(repr=False)

    @classmethod
    def from_geoseries(cls, geometry: gpd.GeoSeries) -> Shapes:
        """Serialise each geometry once, coordinates rounded to COORDINATE_DECIMALS."""
        rounded = shapely.transform(
            geometry.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS)
        )
        texts = {
            str(key): json.dumps(shapely.geometry.mapping(shape), separators=(",", ":"))
            for key, shape in zip(geometry.index, rounded, strict=True)
        }
        return cls(geometry, texts)

    @property
    def bbox(self) -> list[float]:
        """[west, south, east, north] of every shape."""
        return [round(float(v), COORDINATE_DECIMALS) for v in self.geometry.total_bounds]

    def intersecting(self, bbox: tuple[float, float, float, float]) -> pd.Index:
        """Ids of the shapes that intersect a CRS84 bbox (west may exceed east: antimeridian)."""
        west, south, east, north = bbox
        boxes = (
            [shapely.box(west, south, east, north)]
            if west <= east
            else [shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
        )
        hits = set()
        for box in boxes:
            hits.update(self.geometry.sindex.query(box, predicate="intersects").tolist())
        return self.geometry.index[sorted(hits)]


def district_shapes(areas: gpd.GeoDataFrame) -> Shapes:
    """Districts' boundaries (indexed by code) in CRS84."""
    return Shapes.from_geoseries(areas.geometry.sort_index())


def region_shapes(district_geometry: gpd.GeoSeries, regions: dict[str, Region]) -> Shapes:
    """Each region's outline: the union of its districts' boundaries."""
    shapes = {
        slug: shapely.union_all(district_geometry.reindex(list(region.districts)).dropna())
        for slug, region in regions.items()
    }
    return Shapes.from_geoseries(gpd.GeoSeries(shapes, crs=district_geometry.crs))


# ---- parameters -------------------------------------------------------------------------


def parse_limit(text: str | None) -> int:
    """`limit`: 1 to MAX_LIMIT (larger values are cut to MAX_LIMIT, as the standard allows)."""
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        raise BadParameter(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {text!r}")
    return min(int(text), MAX_LIMIT)


def parse_offset(text: str | None) -> int:
    """`offset`: the number of features to skip, 0 or more."""
    if text is None or text == "":
        return 0
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise BadParameter(f"offset must be a whole number, 0 or more, not {text!r}")
    return int(text)


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`bbox=west,south,east,north` (or 6 numbers with heights) in CRS84 degrees."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadParameter(f"bbox must be 4 (or 6) numbers west,south,east,north, not {text!r}")
    if len(numbers) == 6:  # west, south, low, east, north, high: heights do not apply
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadParameter(
            f"bbox {text!r} is not in CRS84 degrees with south <= north (lon -180..180, "
            "lat -90..90)"
        )
    return west, south, east, north


DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?$"
)


def _day(text: str, whole: str) -> date:
    match = DATE_TIME.match(text)
    if not match:
        raise BadParameter(
            f"datetime must be a date (2021-02-21), an RFC 3339 date-time or an interval "
            f"start/end with '..' for an open end, not {whole!r}"
        )
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise BadParameter(f"datetime {whole!r} is not a real date") from None


def _stamp(day: date) -> pd.Timestamp:
    """A day as a Timestamp; a day beyond pandas' range (year 1 or 9999), its nearest end."""
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    if day < low.date():
        return low
    if day > high.date():
        return high
    return pd.Timestamp(day)


def parse_datetime(text: str | None, dataset: Dataset) -> pd.Timestamp:
    """The week (7 days ending on a date) for `datetime`: an instant, or an interval's
    latest week end in the data; the default week when absent or `../..`."""
    if text is None or text == "":
        return dataset.default_week
    if "/" not in text:
        week = _stamp(_day(text, text))
        if not dataset.first_week <= week <= dataset.last_week:
            raise BadParameter(
                f"datetime {text} is outside the data: choose a week ending "
                f"{dataset.week_range_text()}"
            )
        return week
    start_text, _, end_text = text.partition("/")
    if "/" in end_text:
        raise BadParameter(f"datetime interval must be start/end, not {text!r}")
    start = dataset.first_week if start_text in ("", "..") else _stamp(_day(start_text, text))
    end = dataset.last_week if end_text in ("", "..") else _stamp(_day(end_text, text))
    if start > end:
        raise BadParameter(f"datetime interval {text!r} ends before it starts")
    week = min(end, dataset.last_week)
    if week < max(start, dataset.first_week):
        raise BadParameter(
            f"datetime {text} holds no week of the data: choose weeks ending "
            f"{dataset.week_range_text()}"
        )
    return week


def parse_geometry(text: str | None) -> str:
    """`geometry=full` (the boundary file, the default) or `simplified` (the map's)."""
    if text is None or text == "":
        return "full"
    if text not in GEOMETRIES:
        raise BadParameter(f"geometry must be one of {', '.join(GEOMETRIES)}, not {text!r}")
    return text


# ---- properties -------------------------------------------------------------------------


def _value(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def district_properties(dataset: Dataset, codes: pd.Index, week: pd.Timestamp) -> pd.DataFrame:
    """One row per district code: the CSV columns (the covering series' figures, under the
    district's own code and name) plus week, completeness, series, region and country."""
    figures = dataset.figures(week)
    table = league_table(figures).set_index("code")
    lookup = dataset.lookup.reindex(codes)
    series = lookup["series"].fillna(pd.Series(codes, index=codes))
    rows = table.reindex(series.to_numpy())
    rows.index = codes
    rows.insert(0, "code", codes)
    rows["name"] = lookup["district_name"].to_numpy()
    rows["week"] = f"{week:%Y-%m-%d}"
    rows["complete"] = figures["complete"].reindex(series.to_numpy()).fillna(False).to_numpy()
    rows["days_known"] = figures["days_known"].reindex(series.to_numpy()).to_numpy()
    rows["series"] = series.to_numpy()
    rows["series_name"] = lookup["series_name"].to_numpy()
    rows["region"] = lookup["region_name"].fillna(lookup["country_name"]).to_numpy()
    rows["country"] = lookup["country_name"].to_numpy()
    return rows[FIGURE_COLUMNS + DISTRICT_EXTRA + INTERVAL_COLUMNS]


def region_properties(dataset: Dataset, slugs: list[str], week: pd.Timestamp) -> pd.DataFrame:
    """One row per region slug: its code, title, kind and total for the week."""
    rows = {}
    for slug in slugs:
        region = dataset.regions[slug]
        total = dataset.region_total(region, week)
        rows[slug] = {
            "code": region.code,
            "name": region.title,
            "kind": region.kind,
            "week": f"{week:%Y-%m-%d}",
            **total,
            "rate": None if total["rate"] is None else round(total["rate"], 1),
            "previous_rate": None
            if total["previous_rate"] is None
            else round(total["previous_rate"], 1),
        }
        for name in LIMIT_COLUMNS:
            rows[slug][name] = None if total[name] is None else round(total[name], 1)
    return pd.DataFrame.from_dict(rows, orient="index", columns=REGION_PROPERTIES)


INDICATOR_PROPERTIES = [
    "code",
    "name",
    "value",
    "lower",
    "upper",
    "count",
    "denominator",
    "rank",
    "rank_of",
    "national",
    "compared",
    "suppressed",
    "period",
    "period_text",
    "vintage",
    "series",
    "series_name",
    "region",
    "country",
]


def indicator_info(indicator) -> CollectionInfo:
    """What /collections says of another indicator's collection."""
    return CollectionInfo(
        indicator.id,
        indicator.title,
        f"{indicator.measure or indicator.title} ({indicator.unit}), by local authority "
        "district on the districts of the period asked for (datetime), as in "
        f"/api/rates?indicator={indicator.id}.",
    )


def indicator_period(text: str | None, dataset) -> pd.Timestamp:
    """An indicator's period for `datetime`: the one ending on the day, else the latest one
    holding it, or the latest ending within an interval; the default period when absent."""
    if text is None or text == "" or text in ("../..", "/"):
        return dataset.default_week
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        start = None if start_text in ("", "..") else _stamp(_day(start_text, text))
        end = None if end_text in ("", "..") else _stamp(_day(end_text, text))
        found = [
            p.end
            for p in dataset.periods
            if (start is None or p.end >= start) and (end is None or p.end <= end)
        ]
    else:
        day = _stamp(_day(text, text))
        # A period's last day names it (as a Covid week's does); else the latest holding it.
        ending = [p.end for p in dataset.periods if p.end == day]
        found = ending or [p.end for p in dataset.periods if p.start <= day <= p.end]
    if not found:
        raise BadParameter(
            f"datetime {text} holds no period of the data: choose one {dataset.week_range_text()}"
        )
    return max(found)


def indicator_properties(dataset, codes: pd.Index, week: pd.Timestamp) -> pd.DataFrame:
    """One row per district code: its series' figure for the period, limits and counts."""
    figures = dataset.figures(week)
    period = dataset.period(week)
    lookup = dataset.lookup.reindex(codes)
    series = lookup["series"].fillna(pd.Series(codes, index=codes)).to_numpy()
    rows = figures.reindex(series)
    places = dataset.decimals
    out = pd.DataFrame(index=codes)
    out["code"] = codes
    out["name"] = lookup["district_name"].to_numpy()
    for column, source in (("value", "rate"), ("lower", "lower"), ("upper", "upper")):
        out[column] = rows[source].astype("float64").round(places).to_numpy()
    out["count"] = rows["count"].to_numpy()
    out["denominator"] = rows["denominator"].to_numpy()
    out["rank"] = rows["rank"].to_numpy()
    out["rank_of"] = rows["rank_of"].to_numpy()
    out["national"] = rows["national"].astype("float64").round(places).to_numpy()
    out["compared"] = [text if isinstance(text, str) else None for text in rows["compared"]]
    out["suppressed"] = rows["suppressed"].fillna(False).astype(bool).to_numpy()
    out["period"] = period.key
    out["period_text"] = period.label
    out["vintage"] = dataset.vintage
    out["series"] = series
    out["series_name"] = lookup["series_name"].to_numpy()
    out["region"] = lookup["region_name"].fillna(lookup["country_name"]).to_numpy()
    out["country"] = lookup["country_name"].to_numpy()
    return out[INDICATOR_PROPERTIES]


def properties(collection: str, dataset: Dataset, ids: pd.Index, week: pd.Timestamp):
    """The properties table of a collection for some feature ids."""
    if collection == "districts":
        return district_properties(dataset, ids, week)
    if collection == "regions":
        return region_properties(dataset, list(ids), week)
    return indicator_properties(dataset, ids, week)


# ---- selection and output ---------------------------------------------------------------


def matching_ids(collection: str, shapes: Shapes, query: ItemsQuery) -> pd.Index:
    """Ids of the features that match the bbox and region filters, in id order."""
    ids = shapes.geometry.index
    if query.bbox is not None:
        ids = shapes.intersecting(query.bbox)
    if query.region is not None and collection != "regions":
        ids = ids[ids.isin(query.region.districts)]
    return ids


def feature_json(feature_id: str, properties: dict, geometry: str) -> str:
    """One GeoJSON Feature, with its geometry already serialised."""
    props = json.dumps(properties, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        f'{{"type":"Feature","id":{json.dumps(feature_id)},'
        f'"geometry":{geometry},"properties":{props}}}'
    )


def features_json(frame: pd.DataFrame, shapes: Shapes) -> list[str]:
    """Each row of a properties table as a Feature's JSON text."""
    columns = list(frame.columns)
    out = []
    for feature_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        values = {column: _value(value) for column, value in zip(columns, row, strict=True)}
        out.append(feature_json(str(feature_id), values, shapes.geojson[str(feature_id)]))
    return out


def collection_json(features: list[str], matched: int, links: list[dict], stamp: str) -> str:
    """A GeoJSON FeatureCollection with the OGC paging members."""
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "timeStamp": stamp,
            "numberMatched": matched,
            "numberReturned": len(features),
            "links": links,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return head[:-1] + ',"features":[' + ",".join(features) + "]}"


def temporal_interval(dataset: Dataset) -> list[str]:
    """The first and last week ends (an indicator's: its first day and last period's end)
    of the data as RFC 3339 instants."""
    if hasattr(dataset, "periods"):
        return [
            f"{dataset.first_date:%Y-%m-%d}T00:00:00Z",
            f"{dataset.last_week:%Y-%m-%d}T00:00:00Z",
        ]
    return [f"{dataset.first_week:%Y-%m-%d}T00:00:00Z", f"{dataset.last_week:%Y-%m-%d}T00:00:00Z"]
