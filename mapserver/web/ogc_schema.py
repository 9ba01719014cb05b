"""OGC API - Features' schemas of each collection: Part 5's JSON Schema (and an XML
Schema, through which GDAL learns the geometry and field types) and Part 3's queryables.
The documents come from maps/feature_schema.py; this module only routes."""

from __future__ import annotations

import json

from flask import Response, request
from flask_openapi3 import APIBlueprint

from ..maps import feature_schema, features
from .apidoc import errors, ok
from .cache import make_entry, respond
from .current import state
from .ogc import (
    OGC,
    SCHEMA_JSON,
    XML,
    collection_info,
    collection_state,
    public_url,
    queryables_url,
)
from .ogc_params import CollectionPath, OgcJsonParams, SchemaParams
from .origin import absolute_base

blueprint = APIBlueprint("ogc_schema", __name__)


def _kind(info: features.CollectionInfo) -> tuple[str, str | None]:
    """districts, regions or indicator, and an indicator's unit."""
    if info.id in features.COLLECTIONS:
        return info.id, None
    return "indicator", state().indicators.described()[info.id].unit


def _schema_document(info: features.CollectionInfo, what: str) -> tuple[str, str]:
    """The body and media type of a collection's schema, XML Schema or queryables."""
    kind, unit = _kind(info)
    if what == "xsd":
        namespace = public_url("ogc.collection", collection_id=info.id)
        return feature_schema.xml_schema(namespace, info.id, info.title, kind, unit), XML
    if what == "queryables":
        document = feature_schema.queryables(queryables_url(info), info.title, kind)
    else:
        url = public_url("ogc_schema.schema", collection_id=info.id)
        document = feature_schema.schema(url, info.title, info.description, kind, unit)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")), SCHEMA_JSON


def _schema_response(info: features.CollectionInfo, what: str) -> Response:
    current = collection_state(info)
    key = ("ogc-schema", what, info.id, absolute_base(), current.data_version)

    def build():
        body, mimetype = _schema_document(info, what)
        return make_entry(body, mimetype, current.last_modified)

    return respond(request, current.cache.get(key, build))


SCHEMA_RESPONSE = {
    200: {
        "description": "The features' schema: JSON Schema, or (f=xsd) an XML Schema",
        "content": {SCHEMA_JSON: {"schema": {"type": "object"}}, XML: {"schema": {}}},
    }
}


@blueprint.get(
    "/ogc/collections/<collection_id>/schema",
    operation_id="ogcSchema",
    summary="The features' schema (Part 5), as JSON Schema or (f=xsd) an XML Schema",
    tags=OGC,
    responses=SCHEMA_RESPONSE | errors("ogc", 400, 404),
)
def schema(path: CollectionPath, query: SchemaParams):
    """The features' schema as JSON Schema (Part 5), or f=xsd as an XML Schema."""
    info = collection_info(path.collection_id)
    return _schema_response(info, query.f or "json")


@blueprint.get(
    "/ogc/collections/<collection_id>/queryables",
    operation_id="ogcQueryables",
    summary="What a collection's items can be filtered on (Part 3), as JSON Schema",
    tags=OGC,
    responses=ok("The queryables", SCHEMA_JSON, {"type": "object"}) | errors("ogc", 400, 404),
)
def queryables(path: CollectionPath, query: OgcJsonParams):
    """What the items can be filtered on, as JSON Schema (Part 3)."""
    info = collection_info(path.collection_id)
    return _schema_response(info, "queryables")
