"""Static images of a region's map, PNG and SVG, rendered once and cached like pages."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import geopandas as gpd
from flask import Blueprint, redirect, request

from .. import geometry, image
from .cache import PAGE_CACHE_CONTROL, make_entry, respond
from .state import MapQuery, MapState, parse_query, state

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
        "attribution": values["attribution"],
        "notes": notes,
    }


@blueprint.get("/image/<region>.<any(png, svg):fmt>")
def map_image(region: str, fmt: str):
    """The region's map as a PNG or SVG: week, scheme, k as for pages, and width in pixels.

    Only the widths in image.WIDTHS are drawn; any other redirects to the next one up, so
    the URL names the image's true size and each size is one cache entry (here and in a CDN).
    """
    current = state()
    query = parse_query(region, request.args)
    width = image.parse_width(request.args.get("width"))
    if image.snap_width(width) != width:
        return _snapped(image.snap_width(width))
    key = ("image", fmt, query, width, current.data_version, current.geometry_version)

    def build():
        body = current.renderer.render(**image_inputs(current, query), width=width, fmt=fmt)
        return make_entry(body, image.FORMATS[fmt], current.last_modified)

    return respond(request, current.cache.get(key, current.image_builds.bounded(build)))


def _snapped(width: int):
    """A permanent redirect to this request's URL with its width snapped to a drawn size."""
    args = request.args.copy()
    args["width"] = str(width)
    response = redirect(f"{request.path}?{urlencode(list(args.items(multi=True)))}", 308)
    response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
    return response
