"""Static images of a region's map, PNG and SVG, rendered once and cached like pages."""

from __future__ import annotations

import threading

import geopandas as gpd
from flask import Blueprint, request

from .. import geometry, image
from ..tables import format_date
from .cache import make_entry, respond
from .state import MapQuery, MapState, parse_query, query_state

blueprint = Blueprint("images", __name__)

# Decoded, projected districts by geometry version: built once per MapState, not per request.
_AREAS: dict[str, gpd.GeoDataFrame] = {}
_AREAS_LOCK = threading.Lock()
_AREAS_KEPT = 4


def projected_areas(current: MapState) -> gpd.GeoDataFrame:
    """Every district of the app's topology in British National Grid (cached)."""
    with _AREAS_LOCK:
        areas = _AREAS.get(current.geometry_version)
        if areas is None:
            areas = geometry.topology_to_geodataframe(current.topology).to_crs(image.BNG)
            while len(_AREAS) >= _AREAS_KEPT:
                _AREAS.pop(next(iter(_AREAS)))
            _AREAS[current.geometry_version] = areas
        return areas


def image_inputs(current: MapState, query: MapQuery) -> dict:
    """The arguments of image.render_map_image (except width and format) for a query."""
    values = current.values(query.region, query.week, query.scheme, query.k)
    band = values["fields"].index("band")
    name = values["fields"].index("name")
    colours = {
        code: values["no_data_colour"] if row[band] is None else values["colours"][row[band]]
        for code, row in values["areas"].items()
    }
    notes = [
        f"{values['areas'][code][name]}: {note[:1].lower()}{note[1:]}."
        for code, note in sorted(values["notes"].items())
    ]
    return {
        "areas": projected_areas(current),
        "colours": colours,
        "legend": values["legend"],
        "title": f"{values['title']}, {values['week_text']}",
        "subtitle": values["region"],
        "attribution": values["attribution"]
        + (f" Data as of {format_date(current.dataset.last_date)}." if query.version else ""),
        "notes": notes,
    }


@blueprint.get("/image/<region>.<any(png, svg):fmt>")
def map_image(region: str, fmt: str):
    """The region's map as a PNG or SVG: week, scheme, k as for pages, and width in pixels."""
    query = parse_query(region, request.args)
    current = query_state(query)
    width = image.parse_width(request.args.get("width"))
    key = ("image", fmt, query, width, current.data_version, current.geometry_version)

    def build():
        body = image.render_map_image(**image_inputs(current, query), width=width, fmt=fmt)
        return make_entry(body, image.FORMATS[fmt], current.last_modified)

    return respond(request, current.cache.get(key, build))
