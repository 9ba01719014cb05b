"""OGC API - Features (Part 1: Core, GeoJSON, OAS 3.0; Part 3's queryables; Part 5's
schemas) under /ogc/, and the OpenAPI document of the whole HTTP API at /openapi.json.
The features come from mapserver.features, their schemas from mapserver.feature_schema
and the document from mapserver.openapi; this module only routes."""

from __future__ import annotations

import json
import threading
from datetime import UTC

import pandas as pd
from flask import Blueprint, Response, abort, render_template, request, url_for

from .. import openapi
from ..core.errors import BadParameter, UnknownRegion
from ..ingest.regions import slugify
from ..maps import feature_schema, features, geometry
from .cache import make_entry, respond
from .links import Links
from .origin import absolute_base, absolute_url
from .state import MapState, state

blueprint = Blueprint("ogc", __name__)

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
SCHEMA_JSON = "application/schema+json"
XML = "application/xml"
OPENAPI = openapi.MEDIA_TYPE
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/returnables-and-receivables",
]
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_SCHEMA = "http://www.opengis.net/def/rel/ogc/1.0/schema"
# Link relation types compare case-insensitively (RFC 8288, 2.1.1.1), but GDAL 3.6
# (Debian 12's ogrinfo) only follows "describedBy" as written here; later GDALs take any
# case. Through the XML Schema of this link GDAL learns the geometry and field types.
DESCRIBED_BY = "describedBy"
# The query parameters each resource knows; any other is a 400, as the standard requires.
KNOWN = {
    "plain": {"f"},
    "items": {"f", "limit", "offset", "bbox", "datetime", "region", "geometry", "vintage"},
    "item": {"f", "datetime", "geometry", "vintage"},
}

FORMAT_ALIASES = {JSON: "json", GEOJSON: "geojson", HTML: "html", SCHEMA_JSON: "json", XML: "xsd"}

# Serialised shapes by (data version, geometry version, collection, geometry kind).
_SHAPES: dict[tuple, features.Shapes] = {}
_SHAPES_LOCK = threading.Lock()


def shapes(current: MapState, collection: str, kind: str) -> features.Shapes:
    """A collection's shapes, full or simplified, built on first use and kept.

    Any collection but regions is districts: an indicator's are on its own districts.
    """
    if collection not in ("districts", "regions"):
        collection = "districts"
    key = (current.data_version, current.geometry_version, collection, kind)
    with _SHAPES_LOCK:
        found = _SHAPES.get(key)
        if found is None:
            if kind == "full":
                areas = current.areas
            else:
                areas = geometry.topology_to_geodataframe(current.topology)
            districts = features.district_shapes(areas)
            if collection == "districts":
                found = districts
            else:
                found = features.region_shapes(districts.geometry, current.dataset.regions)
            while len(_SHAPES) >= 8:
                _SHAPES.pop(next(iter(_SHAPES)))
            _SHAPES[key] = found
        return found


def _check_params(kind: str, formats: tuple[str, ...] = ("json",)) -> str:
    unknown = sorted(set(request.args) - KNOWN[kind])
    if unknown:
        raise BadParameter(
            f"unknown query parameter(s) {', '.join(unknown)}; this resource takes "
            f"{', '.join(sorted(KNOWN[kind]))}"
        )
    wanted = request.args.get("f")
    if wanted is None:
        if "html" in formats:
            best = request.accept_mimetypes.best_match([JSON, HTML], default=JSON)
            return "html" if best == HTML else "json"
        return formats[0]
    # some clients name the format by its media type
    wanted = FORMAT_ALIASES.get(wanted, wanted)
    if wanted not in formats:
        raise BadParameter(f"f must be one of {', '.join(formats)}, not {wanted!r}")
    return wanted


def _url(endpoint: str, **values) -> str:
    # From the site's public base (MAPSERVER_PUBLIC_URL, or an allowed Host), not url_for's
    # _external, which would trust any Host header.
    return absolute_url(url_for(endpoint, **values))


def _json_response(data, mimetype: str = JSON, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, status=status, mimetype=mimetype)


def _link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _collection(current: MapState, info: features.CollectionInfo) -> dict:
    """A collection's description with its extent and links."""
    items = _url("ogc.items", collection_id=info.id)
    schema = _url("ogc.schema", collection_id=info.id)
    return {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "itemType": "feature",
        "crs": [features.CRS84],
        "extent": {
            "spatial": {
                "bbox": [shapes(current, info.id, "full").bbox],
                "crs": features.CRS84,
            },
            "temporal": {
                "interval": [features.temporal_interval(current.dataset)],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "links": [
            _link(_url("ogc.collection", collection_id=info.id), "self", JSON, info.title),
            _link(items, "items", GEOJSON, f"{info.title} as GeoJSON"),
            _link(schema, REL_SCHEMA, SCHEMA_JSON, "The features' schema"),
            _link(schema, DESCRIBED_BY, SCHEMA_JSON, "The features' schema"),
            _link(
                _url("ogc.schema", collection_id=info.id, f="xsd"),
                DESCRIBED_BY,
                XML,
                "The features' schema as an XML Schema (GML application schema)",
            ),
            _link(_queryables_url(info), REL_QUERYABLES, SCHEMA_JSON, "What items filter on"),
        ],
    }


def _queryables_url(info: features.CollectionInfo) -> str:
    return _url("ogc.queryables", collection_id=info.id)


def _queryables_header(info: features.CollectionInfo) -> tuple[str, str]:
    """The Link header to the queryables that Part 3 asks of what can be filtered."""
    return ("Link", f'<{_queryables_url(info)}>; rel="{REL_QUERYABLES}"; type="{SCHEMA_JSON}"')


def _all_collections() -> dict[str, features.CollectionInfo]:
    """Districts and regions with the Covid cases, then one per other indicator."""
    kept = state().indicators.current()
    others = {name: features.indicator_info(item.indicator) for name, item in kept.items()}
    return {**features.COLLECTIONS, **others}


def _info(collection_id: str) -> features.CollectionInfo:
    found = _all_collections()
    info = found.get(collection_id)
    if info is None:
        abort(
            404,
            description=f"no collection {collection_id!r}; choose from {', '.join(found)}",
        )
    return info


def _collection_state(info: features.CollectionInfo) -> MapState:
    """The state whose figures a collection holds: the Covid cases', or an indicator's."""
    if info.id in features.COLLECTIONS:
        return state()
    return state().indicator_state(info.id)


def _period(current: MapState, collection_id: str) -> pd.Timestamp:
    text = request.args.get("datetime")
    if collection_id in features.COLLECTIONS:
        return features.parse_datetime(text, current.dataset)
    return features.indicator_period(text, current.dataset)


def _on_its_districts(current: MapState, week: pd.Timestamp) -> MapState:
    """The state on the districts the period's codes need, or the later `vintage` asked."""
    return current.view(current.dataset.vintage_for(week, request.args.get("vintage")))


@blueprint.get("/ogc/")
def landing():
    """The landing page: links to the API definition, conformance and collections."""
    current = state()
    wanted = _check_params("plain", ("json", "html"))
    links = [
        _link(_url("ogc.landing"), "self", JSON if wanted == "json" else HTML, "This page"),
        _link(_url("ogc.landing", f="json"), "alternate", JSON, "This page as JSON"),
        _link(_url("ogc.landing", f="html"), "alternate", HTML, "This page as HTML"),
        _link(_url("ogc.openapi_json"), "service-desc", OPENAPI, "The API definition"),
        _link(_url("ogc.openapi_html"), "service-doc", HTML, "The API documentation"),
        _link(_url("ogc.conformance"), "conformance", JSON, "Conformance classes"),
        _link(_url("ogc.collections"), "data", JSON, "Collections"),
    ]
    document = {
        "title": "mapserver: Covid-19 7-day case rates by local authority",
        "description": "OGC API - Features: districts with the 7-day figures of any week "
        f"ending {current.dataset.week_range_text()}, and regions with their totals.",
        "links": links,
    }
    if wanted == "html":
        collections = [
            {
                **_collection(_collection_state(info), info),
                "items": _url("ogc.items", collection_id=info.id),
            }
            for info in _all_collections().values()
        ]
        html = render_template(
            "ogc.html",
            document=document,
            collections=collections,
            landing=_url("ogc.landing"),
            bundles=current.bundles,
            links=Links(),
        )
        response = Response(html, mimetype=HTML)
    else:
        response = _json_response(document)
    response.vary.add("Accept")
    return response


@blueprint.get("/ogc/conformance")
def conformance():
    """The conformance classes the API implements."""
    _check_params("plain")
    return _json_response({"conformsTo": CONFORMANCE})


@blueprint.get("/ogc/collections")
def collections():
    """Every collection with its extents."""
    _check_params("plain")
    return _json_response(
        {
            "links": [_link(_url("ogc.collections"), "self", JSON, "Collections")],
            "collections": [
                _collection(_collection_state(info), info) for info in _all_collections().values()
            ],
        }
    )


@blueprint.get("/ogc/collections/<collection_id>")
def collection(collection_id: str):
    """One collection's description."""
    info = _info(collection_id)
    _check_params("plain")
    response = _json_response(_collection(_collection_state(info), info))
    response.headers.set(*_queryables_header(info))
    return response


def _kind(info: features.CollectionInfo) -> tuple[str, str | None]:
    """districts, regions or indicator, and an indicator's unit."""
    if info.id in features.COLLECTIONS:
        return info.id, None
    return "indicator", state().indicators.current()[info.id].indicator.unit


def _schema_document(info: features.CollectionInfo, what: str) -> tuple[str, str]:
    """The body and media type of a collection's schema, XML Schema or queryables."""
    kind, unit = _kind(info)
    if what == "xsd":
        namespace = _url("ogc.collection", collection_id=info.id)
        return feature_schema.xml_schema(namespace, info.id, info.title, kind, unit), XML
    if what == "queryables":
        document = feature_schema.queryables(_queryables_url(info), info.title, kind)
    else:
        url = _url("ogc.schema", collection_id=info.id)
        document = feature_schema.schema(url, info.title, info.description, kind, unit)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")), SCHEMA_JSON


def _schema_response(info: features.CollectionInfo, what: str) -> Response:
    current = _collection_state(info)
    key = ("ogc-schema", what, info.id, absolute_base(), current.data_version)

    def build():
        body, mimetype = _schema_document(info, what)
        return make_entry(body, mimetype, current.last_modified)

    return respond(request, current.cache.get(key, build))


@blueprint.get("/ogc/collections/<collection_id>/schema")
def schema(collection_id: str):
    """The features' schema as JSON Schema (Part 5), or f=xsd as an XML Schema."""
    info = _info(collection_id)
    return _schema_response(info, _check_params("plain", ("json", "xsd")))


@blueprint.get("/ogc/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """What the items can be filtered on, as JSON Schema (Part 3)."""
    info = _info(collection_id)
    _check_params("plain")
    return _schema_response(info, "queryables")


def _region_filter(current: MapState, key: str):
    """A region by slug, code or name (GDAL sends `-where "region = 'East of England'"`)."""
    try:
        return current.dataset.region(key)
    except UnknownRegion as error:
        by_name = slugify(key)
        if by_name in current.dataset.regions:
            return current.dataset.regions[by_name]
        raise BadParameter(str(error)) from None  # a filter value, not a missing resource


def _items_query(current: MapState, collection_id: str) -> features.ItemsQuery:
    region = request.args.get("region")
    return features.ItemsQuery(
        week=_period(current, collection_id),
        limit=features.parse_limit(request.args.get("limit")),
        offset=features.parse_offset(request.args.get("offset")),
        bbox=features.parse_bbox(request.args.get("bbox")),
        region=_region_filter(current, region) if region else None,
        geometry=features.parse_geometry(request.args.get("geometry")),
        vintage=current.dataset.vintage if request.args.get("vintage") else None,
    )


def _page_url(collection_id: str, query: features.ItemsQuery, offset: int) -> str:
    return _url("ogc.items", collection_id=collection_id, **query.params(offset))


def _stamp(current: MapState) -> str:
    return current.last_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@blueprint.get("/ogc/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features as a GeoJSON FeatureCollection."""
    info = _info(collection_id)
    _check_params("items", ("json", "geojson"))
    current = _collection_state(info)
    current = _on_its_districts(current, _period(current, info.id))
    query = _items_query(current, info.id)
    key = ("ogc-items", info.id, query, absolute_base(), current.data_version)

    def build():
        found = shapes(current, info.id, query.geometry)
        ids = features.matching_ids(info.id, found, query)
        page = ids[query.offset : query.offset + query.limit]
        table = features.properties(info.id, current.dataset, page, query.week)
        links = [_link(_page_url(info.id, query, query.offset), "self", GEOJSON, "This page")]
        if query.offset + len(page) < len(ids):
            links.append(
                _link(
                    _page_url(info.id, query, query.offset + query.limit),
                    "next",
                    GEOJSON,
                    "Next page",
                )
            )
        if query.offset > 0:
            previous = max(0, query.offset - query.limit)
            links.append(
                _link(_page_url(info.id, query, previous), "prev", GEOJSON, "Previous page")
            )
        links.append(
            _link(_url("ogc.collection", collection_id=info.id), "collection", JSON, info.title)
        )
        body = features.collection_json(
            features.features_json(table, found), len(ids), links, _stamp(current)
        )
        return make_entry(
            body, GEOJSON, current.last_modified, headers=(_queryables_header(info),), fast=True
        )

    return respond(request, current.cache.get(key, build))


@blueprint.get("/ogc/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature: a district by ONS code, or a region by slug."""
    info = _info(collection_id)
    _check_params("item", ("json", "geojson"))
    current = _collection_state(info)
    week = _period(current, info.id)
    current = _on_its_districts(current, week)
    kind = features.parse_geometry(request.args.get("geometry"))
    found = shapes(current, info.id, kind)
    if feature_id not in found.geojson:
        abort(404, description=f"no feature {feature_id!r} in {info.id}")
    ids = found.geometry.index[found.geometry.index == feature_id]
    table = features.properties(info.id, current.dataset, ids, week)
    text = features.features_json(table, found)[0]
    links = [
        _link(request.url, "self", GEOJSON, "This feature"),
        _link(_url("ogc.collection", collection_id=info.id), "collection", JSON, info.title),
    ]
    body = text[:-1] + ',"links":' + json.dumps(links, separators=(",", ":")) + "}"
    return Response(body, mimetype=GEOJSON)


def _document() -> dict:
    current = state()
    return openapi.document(
        server=absolute_base(),
        data_version=current.data_version,
        week_range=(current.dataset.first_week, current.dataset.last_week),
        default_week=current.dataset.default_week,
    )


@blueprint.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.0 document of the whole HTTP API."""
    current = state()
    key = ("openapi", absolute_base(), current.data_version)
    entry = current.cache.get(
        key,
        lambda: make_entry(
            json.dumps(_document(), ensure_ascii=False), OPENAPI, current.last_modified
        ),
    )
    return respond(request, entry)


@blueprint.get("/openapi.html")
def openapi_html():
    """The API documentation for people: every path and its parameters."""
    current = state()
    document = _document()
    html = render_template(
        "openapi.html",
        document=document,
        bundles=current.bundles,
        links=Links(),
    )
    return Response(html, mimetype=HTML)
