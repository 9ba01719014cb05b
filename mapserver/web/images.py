"""Static images of a region's map, PNG and SVG, rendered once and cached like pages."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import geopandas as gpd
from flask import redirect, request
from flask_openapi3 import APIBlueprint

from ..maps import geometry, image, labels
from ..words.tables import format_date
from .apidoc import TAGS, errors, ok
from .cache import PAGE_CACHE_CONTROL, make_entry, respond
from .current import MapQuery, parse_query, query_state
from .params import ImageParams, RegionPath
from .state import MapState

blueprint = APIBlueprint("images", __name__, abp_tags=[TAGS["images"]])

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


def map_labels(current: MapState, values: dict, mode: str) -> list[image.MapLabel]:
    """The labels to try, in priority order: top areas with their rates, then (all) names."""
    if mode == "none":
        return []
    name, rate = values["fields"].index("name"), values["fields"].index("rate")
    order = [(code, True) for code in values["labels"]["top"]]
    if mode == "all":
        order += [(code, False) for code in values["labels"]["others"]]
    out = []
    for code, strong in order:
        row = values["areas"][code]
        x, y = image.to_bng(*current.label_points[code])
        text = labels.label_text(row[name], row[rate], with_rate=strong)
        out.append(image.MapLabel(code, text, x, y, strong))
    return out


def image_inputs(current: MapState, query: MapQuery, label_mode: str = labels.DEFAULT_MODE) -> dict:
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
        "labels": map_labels(current, values, label_mode),
    } | ({"legend_heading": values["legend_title"]} if "legend_title" in values else {})


@blueprint.get(
    "/image/<region>.png",
    operation_id="imagePng",
    summary="The map drawn on the server, PNG",
    responses=ok("A PNG image", "image/png", {"type": "string", "format": "binary"})
    | errors("html", 400, 404),
)
def map_png(path: RegionPath, query: ImageParams):
    """The region's map as a PNG (see map_image)."""
    return map_image(path.region, "png", query)


@blueprint.get(
    "/image/<region>.svg",
    operation_id="imageSvg",
    summary="The map drawn on the server, SVG",
    responses=ok("An SVG image", "image/svg+xml", {"type": "string"}) | errors("html", 400, 404),
)
def map_svg(path: RegionPath, query: ImageParams):
    """The region's map as an SVG (see map_image)."""
    return map_image(path.region, "svg", query)


def map_image(region: str, fmt: str, params: ImageParams):
    """The region's map as a PNG or SVG: week, scheme, k, labels as for pages; width in pixels.

    Only the widths in image.WIDTHS are drawn; any other redirects to the next one up, so
    the URL names the image's true size and each size is one cache entry (here and in a CDN).
    """
    query = parse_query(region, params)
    current = query_state(query)
    width = params.width
    if image.snap_width(width) != width:
        return _snapped(image.snap_width(width))
    mode = params.labels
    key = ("image", fmt, query, width, mode, current.data_version, current.geometry_version)

    def build():
        inputs = image_inputs(current, query, mode)
        body = current.renderer.render(**inputs, width=width, fmt=fmt)
        return make_entry(body, image.FORMATS[fmt], current.last_modified)

    return respond(request, current.cache.get(key, current.image_builds.bounded(build)))


def _snapped(width: int):
    """A permanent redirect to this request's URL with its width snapped to a drawn size."""
    args = request.args.copy()
    args["width"] = str(width)
    response = redirect(f"{request.path}?{urlencode(list(args.items(multi=True)))}", 308)
    response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
    return response
