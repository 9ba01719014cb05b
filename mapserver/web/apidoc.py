"""The OpenAPI 3.0 document, generated from the routes' declarations (flask-openapi3).

The routes declare their parameters (params.py) and responses (the helpers here); the
app (flask-openapi3's OpenAPI) collects them. `document` turns that into the document
served at /openapi.json: OpenAPI 3.0.3, as the OGC API's `oas30` conformance class
promises (pydantic writes JSON Schema 2020-12, so `anyOf [..., null]` becomes the 3.0
form), with the response schemas of openapi.py, this server's URL and the data's
weeks in the descriptions.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pandas as pd
from flask_openapi3 import OpenAPI, Tag

from ..core.version import __version__
from . import openapi
from .params import GEOJSON, HTML, JSON, refuse

TAGS = {
    name: Tag(name=name) for name in ("pages", "images", "data", "map data", "OGC API - Features")
}
# gunicorn refuses a request line over 4094 bytes before the app sees it.
TOO_LONG = {
    "description": "URI Too Long: the request line is over 4094 bytes (an HTML page)",
    "content": {HTML: {"schema": {"type": "string"}}},
}
_REASONS = {400: "A malformed parameter", 404: "Not found", 501: "Not implemented"}


def make_app(import_name: str, **kwargs) -> OpenAPI:
    """A Flask app whose routes' parameters are validated against their declarations."""
    return OpenAPI(
        import_name,
        doc_ui=False,  # /openapi.json and /openapi.html are routes of their own (ogc.py)
        validation_error_status=400,
        validation_error_callback=refuse,
        **kwargs,
    )


# ---- responses, as the routes declare them ----------------------------------------------


def ok(description: str, media_type: str, schema: dict | str | None = None) -> dict:
    """A 200 response: `schema` a schema, or the name of one of openapi.schemas()."""
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    return {200: {"description": description, "content": {media_type: {"schema": schema or {}}}}}


def errors(kind: str, *statuses: int) -> dict:
    """Error responses: `html` pages, `json` {error, status}, `ogc` {code, description}."""
    schemas = {"html": {"type": "string"}, "json": "Error", "ogc": "OgcException"}
    schema = schemas[kind]
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    media_type = HTML if kind == "html" else JSON
    suffix = " (an HTML page)" if kind == "html" else ""
    return {
        status: {
            "description": _REASONS[status] + suffix,
            "content": {media_type: {"schema": schema}},
        }
        for status in statuses
    }


def page(kind: str = "html", *statuses: int) -> dict:
    """An HTML page, and its errors (400 and 404 unless given)."""
    return ok("An HTML page", HTML, {"type": "string"}) | errors(kind, *(statuses or (400, 404)))


def json_resource(description: str, schema: dict | str, *statuses: int) -> dict:
    """A JSON resource and its JSON errors."""
    return ok(description, JSON, schema) | errors("json", *statuses)


def geojson(description: str, schema: str) -> dict:
    """An OGC API GeoJSON resource and its errors."""
    return ok(description, GEOJSON, schema) | errors("ogc", 400, 404)


# ---- the document -----------------------------------------------------------------------


def document(
    app: OpenAPI,
    server: str,
    data_version: str,
    week_range: tuple[pd.Timestamp, pd.Timestamp],
    default_week: pd.Timestamp,
) -> dict:
    """The OpenAPI 3.0 document for a server at `server` (its base URL) and the data loaded."""
    first, last = (f"{week:%Y-%m-%d}" for week in week_range)
    generated = _generated(app)
    text = json.dumps(generated["paths"], ensure_ascii=False)
    text = text.replace("{first_week}", first).replace("{last_week}", last)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mapserver",
            "version": __version__,
            "description": "Covid-19 7-day case rates per 100,000 by UK local authority: "
            "map pages and embeds, images, oEmbed, rates as JSON and CSV, and OGC API - "
            f"Features. Data version {data_version}; default week {default_week:%Y-%m-%d}.",
            "license": {"name": "Data: Open Government Licence v3.0"},
        },
        "servers": [{"url": server}],
        "tags": generated.get("tags", []),
        "paths": json.loads(text),
        "components": {"schemas": openapi.schemas()},
    }


def _generated(app: OpenAPI) -> dict:
    """flask-openapi3's document of the app's routes, in OpenAPI 3.0 form (made once)."""
    found = app.extensions.get("mapserver.apidoc")
    if found is None:
        found = copy.deepcopy(app.api_doc)
        for item in found["paths"].values():
            for operation in item.values():
                _operation_3_0(operation)
        app.extensions["mapserver.apidoc"] = found
    return found


def _operation_3_0(operation: dict) -> None:
    for parameter in operation.setdefault("parameters", []):
        schema = _schema_3_0(parameter["schema"])
        schema.pop("description", None)  # the parameter's own
        if "example" in schema:
            parameter["example"] = schema.pop("example")
        if schema.get("type") == "array":
            # An array in a query is comma-separated: bbox=0,51.4,1.8,53
            parameter["style"], parameter["explode"] = "form", False
        parameter["schema"] = schema
    responses = operation.setdefault("responses", {})
    # flask-openapi3 adds its validation error shape where a route declares no 400: a
    # route without parameters has none, the others declare theirs.
    for status, response in list(responses.items()):
        content = json.dumps(response.get("content", {}))
        if "ValidationErrorModel" in content:
            del responses[status]
    responses["414"] = TOO_LONG


def _schema_3_0(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's JSON Schema (2020-12, from pydantic) as an OpenAPI 3.0 schema."""
    out = dict(schema)
    choices = out.pop("anyOf", None)
    if choices is not None:
        kept = [choice for choice in choices if choice.get("type") != "null"]
        if len(kept) == 1:
            out = {**kept[0], **out}  # a query parameter is absent, never null
        else:
            out["anyOf"] = kept
    out.pop("title", None)
    if out.get("default", "") is None:
        del out["default"]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for key, value in out.items():
        if isinstance(value, float) and value.is_integer():
            out[key] = int(value)  # flask-openapi3 writes a minimum as a float
        elif isinstance(value, dict):
            out[key] = _schema_3_0(value)
    return out
