"""OGC API - Features (Part 1: Core, GeoJSON, OAS 3.0; Part 3's queryables; Part 5's
schemas) under /ogc/, and the OpenAPI document of the whole HTTP API at /openapi.json.
The features come from maps/features.py, their schemas from maps/feature_schema.py and
the document from the routes' declarations (apidoc.py); this module only routes."""

from __future__ import annotations

import json
import threading
from datetime import UTC

import pandas as pd
from flask import Response, abort, current_app, render_template, request, url_for
from flask_openapi3 import APIBlueprint

from ..core.errors import BadParameter, UnknownRegion
from ..ingest.regions import slugify
from ..maps import features, geometry
from . import apidoc, openapi
from .apidoc import TAGS, errors, geojson, ok
from .cache import make_entry, respond
from .current import state
from .links import Links
from .ogc_params import (
    CollectionPath,
    FeaturePath,
    ItemParams,
    ItemsParams,
    LandingParams,
    OgcJsonParams,
)
from .origin import absolute_base, absolute_url
from .state import MapState

blueprint = APIBlueprint("ogc", __name__)
OGC = [TAGS["OGC API - Features"]]

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


def _landing_format(wanted: str | None) -> str:
    """json or html: as `f` says, else as the Accept header prefers."""
    if wanted is None:
        best = request.accept_mimetypes.best_match([JSON, HTML], default=JSON)
        return "html" if best == HTML else "json"
    return wanted


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint, on the site's public base."""
    # From the site's public base (MAPSERVER_PUBLIC_URL, or an allowed Host), not url_for's
    # _external, which would trust any Host header.
    return absolute_url(url_for(endpoint, **values))


def _json_response(data, mimetype: str = JSON, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, status=status, mimetype=mimetype)


def _link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _collection(current: MapState, info: features.CollectionInfo, periods=None) -> dict:
    """A collection's description with its extent and links (`periods`: a data set or an
    indicator's listing to take the temporal extent from, if not the state's)."""
    items = public_url("ogc.items", collection_id=info.id)
    schema = public_url("ogc_schema.schema", collection_id=info.id)
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
                "interval": [features.temporal_interval(periods or current.dataset)],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "links": [
            _link(public_url("ogc.collection", collection_id=info.id), "self", JSON, info.title),
            _link(items, "items", GEOJSON, f"{info.title} as GeoJSON"),
            _link(schema, REL_SCHEMA, SCHEMA_JSON, "The features' schema"),
            _link(schema, DESCRIBED_BY, SCHEMA_JSON, "The features' schema"),
            _link(
                public_url("ogc_schema.schema", collection_id=info.id, f="xsd"),
                DESCRIBED_BY,
                XML,
                "The features' schema as an XML Schema (GML application schema)",
            ),
            _link(queryables_url(info), REL_QUERYABLES, SCHEMA_JSON, "What items filter on"),
        ],
    }


def queryables_url(info: features.CollectionInfo) -> str:
    """Where a collection's queryables are."""
    return public_url("ogc_schema.queryables", collection_id=info.id)


def _queryables_header(info: features.CollectionInfo) -> tuple[str, str]:
    """The Link header to the queryables that Part 3 asks of what can be filtered."""
    return ("Link", f'<{queryables_url(info)}>; rel="{REL_QUERYABLES}"; type="{SCHEMA_JSON}"')


def _all_collections() -> dict[str, features.CollectionInfo]:
    """Districts and regions with the Covid cases, then one per other indicator."""
    kept = state().indicators.described()
    others = {name: features.indicator_info(item) for name, item in kept.items()}
    return {**features.COLLECTIONS, **others}


def collection_info(collection_id: str) -> features.CollectionInfo:
    """A collection by id; 404 naming the collections there are."""
    found = _all_collections()
    info = found.get(collection_id)
    if info is None:
        abort(
            404,
            description=f"no collection {collection_id!r}; choose from {', '.join(found)}",
        )
    return info


def _listed_collections() -> list[dict]:
    """Every collection's description, each indicator's from its metadata: the extent of
    the districts (every vintage covers the same land) and its periods."""
    current = state()
    listed = {item.indicator_id: item for item in current.indicator_listings()}
    return [_collection(current, info, listed.get(info.id)) for info in _all_collections().values()]


def collection_state(info: features.CollectionInfo) -> MapState:
    """The state whose figures a collection holds: the Covid cases', or an indicator's."""
    if info.id in features.COLLECTIONS:
        return state()
    return state().indicator_state(info.id)


def _period(current: MapState, collection_id: str, text: str | None) -> pd.Timestamp:
    if collection_id in features.COLLECTIONS:
        return features.parse_datetime(text, current.dataset)
    return features.indicator_period(text, current.dataset)


def _on_its_districts(current: MapState, week: pd.Timestamp, vintage: int | None) -> MapState:
    """The state on the districts the period's codes need, or the later `vintage` asked."""
    asked = None if vintage is None else str(vintage)
    return current.view(current.dataset.vintage_for(week, asked))


@blueprint.get(
    "/ogc/",
    operation_id="ogcLanding",
    tags=OGC,
    summary="OGC API - Features landing page",
    responses={
        200: {
            "description": "Links to the API definition, conformance and data",
            "content": {
                JSON: {"schema": {"$ref": "#/components/schemas/LandingPage"}},
                HTML: {"schema": {"type": "string"}},
            },
        }
    }
    | errors("ogc", 400),
)
def landing(query: LandingParams):
    """The landing page: links to the API definition, conformance and collections."""
    current = state()
    wanted = _landing_format(query.f)
    links = [
        _link(public_url("ogc.landing"), "self", JSON if wanted == "json" else HTML, "This page"),
        _link(public_url("ogc.landing", f="json"), "alternate", JSON, "This page as JSON"),
        _link(public_url("ogc.landing", f="html"), "alternate", HTML, "This page as HTML"),
        _link(public_url("ogc.openapi_json"), "service-desc", OPENAPI, "The API definition"),
        _link(public_url("ogc.openapi_html"), "service-doc", HTML, "The API documentation"),
        _link(public_url("ogc.conformance"), "conformance", JSON, "Conformance classes"),
        _link(public_url("ogc.collections"), "data", JSON, "Collections"),
    ]
    document = {
        "title": "mapserver: Covid-19 7-day case rates by local authority",
        "description": "OGC API - Features: districts with the 7-day figures of any week "
        f"ending {current.dataset.week_range_text()}, and regions with their totals.",
        "links": links,
    }
    if wanted == "html":
        collections = [
            {**found, "items": public_url("ogc.items", collection_id=found["id"])}
            for found in _listed_collections()
        ]
        html = render_template(
            "ogc.html",
            document=document,
            collections=collections,
            landing=public_url("ogc.landing"),
            bundles=current.bundles,
            links=Links(),
        )
        response = Response(html, mimetype=HTML)
    else:
        response = _json_response(document)
    response.vary.add("Accept")
    return response


@blueprint.get(
    "/ogc/conformance",
    operation_id="ogcConformance",
    tags=OGC,
    summary="Conformance classes",
    responses=ok("Conformance", JSON, "Conformance") | errors("ogc", 400),
)
def conformance(query: OgcJsonParams):
    """The conformance classes the API implements."""
    return _json_response({"conformsTo": CONFORMANCE})


@blueprint.get(
    "/ogc/collections",
    operation_id="ogcCollections",
    tags=OGC,
    summary="The collections: districts and regions",
    responses=ok("Collections", JSON, "Collections") | errors("ogc", 400),
)
def collections(query: OgcJsonParams):
    """Every collection with its extents."""
    return _json_response(
        {
            "links": [_link(public_url("ogc.collections"), "self", JSON, "Collections")],
            "collections": _listed_collections(),
        }
    )


@blueprint.get(
    "/ogc/collections/<collection_id>",
    operation_id="ogcCollection",
    tags=OGC,
    summary="One collection",
    responses=ok("A collection", JSON, "Collection") | errors("ogc", 400, 404),
)
def collection(path: CollectionPath, query: OgcJsonParams):
    """One collection's description."""
    info = collection_info(path.collection_id)
    response = _json_response(_collection(collection_state(info), info))
    response.headers.set(*_queryables_header(info))
    return response


def _region_filter(current: MapState, key: str):
    """A region by slug, code or name (GDAL sends `-where "region = 'East of England'"`)."""
    try:
        return current.dataset.region(key)
    except UnknownRegion as error:
        by_name = slugify(key)
        if by_name in current.dataset.regions:
            return current.dataset.regions[by_name]
        raise BadParameter(str(error)) from None  # a filter value, not a missing resource


def _items_query(current: MapState, collection_id: str, params: ItemsParams) -> features.ItemsQuery:
    return features.ItemsQuery(
        week=_period(current, collection_id, params.datetime),
        limit=params.limit,
        offset=params.offset,
        bbox=params.bbox,
        region=_region_filter(current, params.region) if params.region else None,
        geometry=params.geometry,
        vintage=current.dataset.vintage if params.vintage is not None else None,
    )


def _page_url(collection_id: str, query: features.ItemsQuery, offset: int) -> str:
    return public_url("ogc.items", collection_id=collection_id, **query.params(offset))


def _stamp(current: MapState) -> str:
    return current.last_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@blueprint.get(
    "/ogc/collections/<collection_id>/items",
    operation_id="ogcItems",
    tags=OGC,
    summary="Features: districts with the week's figures, or regions with totals",
    responses=geojson("A page of features", "FeatureCollection"),
)
def items(path: CollectionPath, query: ItemsParams):
    """A page of features as a GeoJSON FeatureCollection."""
    params = query
    info = collection_info(path.collection_id)
    current = collection_state(info)
    week = _period(current, info.id, params.datetime)
    current = _on_its_districts(current, week, params.vintage)
    query = _items_query(current, info.id, params)
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
            _link(
                public_url("ogc.collection", collection_id=info.id), "collection", JSON, info.title
            )
        )
        body = features.collection_json(
            features.features_json(table, found), len(ids), links, _stamp(current)
        )
        return make_entry(
            body, GEOJSON, current.last_modified, headers=(_queryables_header(info),), fast=True
        )

    return respond(request, current.cache.get(key, build))


@blueprint.get(
    "/ogc/collections/<collection_id>/items/<feature_id>",
    operation_id="ogcItem",
    tags=OGC,
    summary="One feature: a district by ONS code, a region by slug",
    responses=geojson("A feature", "Feature"),
)
def item(path: FeaturePath, query: ItemParams):
    """One feature: a district by ONS code, or a region by slug."""
    info = collection_info(path.collection_id)
    feature_id = path.feature_id
    current = collection_state(info)
    week = _period(current, info.id, query.datetime)
    current = _on_its_districts(current, week, query.vintage)
    found = shapes(current, info.id, query.geometry)
    if feature_id not in found.geojson:
        abort(404, description=f"no feature {feature_id!r} in {info.id}")
    ids = found.geometry.index[found.geometry.index == feature_id]
    table = features.properties(info.id, current.dataset, ids, week)
    text = features.features_json(table, found)[0]
    links = [
        _link(request.url, "self", GEOJSON, "This feature"),
        _link(public_url("ogc.collection", collection_id=info.id), "collection", JSON, info.title),
    ]
    body = text[:-1] + ',"links":' + json.dumps(links, separators=(",", ":")) + "}"
    return Response(body, mimetype=GEOJSON)


def _document() -> dict:
    current = state()
    return apidoc.document(
        current_app,
        server=absolute_base(),
        data_version=current.data_version,
        week_range=(current.dataset.first_week, current.dataset.last_week),
        default_week=current.dataset.default_week,
    )


@blueprint.get(
    "/openapi.json",
    operation_id="openapi",
    summary="This document",
    tags=[TAGS["data"]],
    responses=ok("OpenAPI 3.0", OPENAPI, {"type": "object"}),
)
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


@blueprint.get(
    "/openapi.html",
    operation_id="openapiHtml",
    summary="This document for people",
    tags=[TAGS["data"]],
    responses=ok("HTML", HTML, {"type": "string"}),
)
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
