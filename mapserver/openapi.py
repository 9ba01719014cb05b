"""The OpenAPI 3.0 document of the whole HTTP API: pages, embeds, images, oEmbed, the
rates API, map resources and the OGC API - Features endpoints. No Flask here; the tests
check that every route of the app is described and that responses match the schemas."""

from __future__ import annotations

import pandas as pd

from .core.version import __version__
from .figures.bands import COMPARED_SCHEMES, K_RANGE, SCHEMES
from .figures.comparison import COMPARED_COLUMNS, LIMIT_COLUMNS
from .figures.rates import FIGURE_COLUMNS
from .ingest.vintages import VINTAGES
from .maps.features import DEFAULT_LIMIT, GEOMETRIES, MAX_LIMIT
from .maps.image import WIDTH_RANGE

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
XML = "application/xml"
EXAMPLE_WEEK = "2021-02-21"
CODE = "[A-Z][0-9]{8}"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(type_: str, **more) -> dict:
    return {"type": type_, "nullable": True, **more}


def _content(media_type: str, schema: dict | None = None) -> dict:
    return {media_type: {"schema": schema or {}}}


def _ok(description: str, media_type: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": _content(media_type, schema)}


def _path_param(name: str, description: str, schema: dict | None = None, example=None) -> dict:
    out = {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        out["example"] = example
    return out


def _query_param(name: str, description: str, schema: dict, required=False, example=None):
    out = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }
    if example is not None:
        out["example"] = example
    return out


def _operation(op_id: str, summary: str, tag: str, params: list, responses: dict) -> dict:
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "parameters": params,
            "responses": responses,
        }
    }


def _errors(kind: str, *statuses: int) -> dict:
    """Error responses: `html` pages, `json` {error, status}, or `ogc` {code, description}."""
    return {str(status): _ref("responses", f"{kind}{status}") for status in statuses}


def _parameters(week_range: tuple[pd.Timestamp, pd.Timestamp]) -> dict:
    first, last = (f"{week:%Y-%m-%d}" for week in week_range)
    week_text = (
        f"The last day of the 7-day window, YYYY-MM-DD, from {first} to {last} "
        "(default: the latest date less the lag). Outside the data: 404."
    )
    return {
        "pinnedVersion": _query_param(
            "v",
            "A data version kept by the server (see /healthz): the figures of that version, "
            "whatever is current (a pinned, 'as published' map). Unknown or pruned: 404.",
            {"type": "string", "pattern": "^[0-9a-f]{12}$"},
        ),
        "region": _path_param(
            "region",
            "A region slug (england, east-of-england, anglia, ...) or ONS code (E12000006).",
            example="east-of-england",
        ),
        "regionQuery": _query_param(
            "region",
            "A region slug or ONS code.",
            {"type": "string", "minLength": 1},
            True,
            "east-of-england",
        ),
        "week": _query_param(
            "week", week_text, {"type": "string", "format": "date"}, False, EXAMPLE_WEEK
        ),
        "scheme": _query_param(
            "scheme",
            "Colour scheme (default dashboard; another indicator's default quantiles). "
            "compared: each area's 95% interval above, around or below its country's figure; "
            "compared-99.8: the same at 99.8% (400 where the source gives 95% limits only).",
            {"type": "string", "enum": [*SCHEMES, *COMPARED_SCHEMES]},
        ),
        "k": _query_param(
            "k",
            "Number of classes for the data-driven schemes (default 5).",
            {"type": "integer", "minimum": K_RANGE[0], "maximum": K_RANGE[1]},
        ),
        "version": _path_param("version", "The data version (see /healthz).", example="latest"),
        "weekPath": _path_param("week", week_text, example=EXAMPLE_WEEK),
        "f": _query_param("f", "Output format (JSON).", {"type": "string", "enum": ["json", JSON]}),
        "fItems": _query_param(
            "f",
            "Output format (GeoJSON).",
            {"type": "string", "enum": ["json", "geojson", JSON, GEOJSON]},
        ),
        "collectionId": _path_param(
            "collection_id",
            "A collection: districts, regions, or an indicator id (/api/indicators).",
            {"type": "string"},
            example="districts",
        ),
        "datetime": _query_param(
            "datetime",
            "The week: a date or RFC 3339 date-time (the 7 days ending that day), or an "
            "interval start/end ('..' for an open end) resolved to its latest week end in "
            f"the data; weeks end from {first} to {last}. Default: the latest week.",
            {"type": "string"},
            example=EXAMPLE_WEEK,
        ),
        "indicator": _query_param(
            "indicator",
            "An indicator id from /api/indicators (default: the Covid cases, covid-cases). "
            "Unknown: 404.",
            {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"},
        ),
        "period": _query_param(
            "period",
            "Another indicator's period, as its source writes it (2019, 2019/20, "
            "2022-01-01/P3Y) or its last day (default: the latest). For the Covid cases "
            "the same as week.",
            {"type": "string"},
        ),
        "vintage": _query_param(
            "vintage",
            "Show the figures on the districts of a later year (LAD 2019, 2020, 2021, 2023 "
            "or 2024), old districts' counts summed into their new areas. Earlier than the "
            "data's own districts would split areas: 400.",
            {"type": "integer", "enum": list(VINTAGES)},
        ),
        "geometry": _query_param(
            "geometry",
            "full: the boundary file's polygons in CRS84, coordinates rounded to 6 decimal "
            "places (default); simplified: the maps' simplified boundaries.",
            {"type": "string", "enum": list(GEOMETRIES), "default": "full"},
        ),
    }


def _schemas() -> dict:
    number = _nullable("number")
    integer = _nullable("integer")
    figures = {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "cases": integer,
        "rate": number,
        "previous_cases": integer,
        "previous_rate": number,
        "change": integer,
        "change_pct": number,
        "rank": integer,
        "rank_of": integer,
    }
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    }
    geometry = {
        "type": "object",
        "nullable": True,
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array"},
        },
    }
    feature = {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": geometry,
            "properties": {"type": "object"},
            "links": {"type": "array", "items": _ref("schemas", "Link")},
        },
    }
    collection = {
        "type": "object",
        "required": ["id", "links", "extent", "itemType"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "extent": {"type": "object"},
            "links": {"type": "array", "items": _ref("schemas", "Link")},
        },
    }
    comparison = {"type": "string", "nullable": True, "enum": ["higher", "similar", "lower", None]}
    # 95% limits (lower, upper) and 99.8% (..._998), the country's figure and the comparisons
    intervals = {name: number for name in LIMIT_COLUMNS} | {"national": number}
    intervals |= {name: comparison for name in COMPARED_COLUMNS}
    return {
        "Error": {
            "type": "object",
            "required": ["error", "status"],
            "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
        },
        "OgcException": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "RateRecord": {
            "type": "object",
            "required": [*FIGURE_COLUMNS, "region", "week", "complete", "days_known"],
            "properties": {
                **figures,
                "region": {"type": "string"},
                "week": {"type": "string", "format": "date"},
                "complete": {"type": "boolean"},
                "days_known": {"type": "integer"},
                **intervals,
            },
        },
        "IndicatorRecord": {
            "type": "object",
            "required": ["code", "name", "value", "period", "period_text", "vintage"],
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "count": number,
                "denominator": number,
                "value": number,
                "lower": number,
                "upper": number,
                "rank": integer,
                "rank_of": integer,
                **intervals,
                "suppressed": {
                    "type": "boolean",
                    "description": "A count below the indicator's threshold: its count, "
                    "value, limits, rank and comparison are withheld (null).",
                },
                "region": {"type": "string"},
                "period": {"type": "string"},
                "period_text": {"type": "string"},
                "vintage": {"type": "integer"},
            },
        },
        "Indicator": {
            "type": "object",
            "required": ["id", "title", "unit", "periods"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "unit": {"type": "string"},
                "decimals": {"type": "integer"},
                "latest": {"type": "object"},
                "first_period_end": {"type": "string", "format": "date"},
                "last_period_end": {"type": "string", "format": "date"},
                "periods": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "label"],
                        "properties": {"key": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "data_version", "first_date", "last_date"],
            "properties": {
                "status": {"type": "string"},
                "data_version": {"type": "string"},
                "geometry_version": {"type": "string"},
                "first_date": {"type": "string", "format": "date"},
                "last_date": {"type": "string", "format": "date"},
                "first_week": {"type": "string", "format": "date"},
                "default_week": {"type": "string", "format": "date"},
                "cached_responses": {"type": "integer"},
            },
        },
        "OEmbed": {
            "type": "object",
            "required": ["version", "type", "html", "width", "height"],
            "properties": {
                "version": {"type": "string", "enum": ["1.0"]},
                "type": {"type": "string", "enum": ["rich"]},
                "title": {"type": "string"},
                "provider_name": {"type": "string"},
                "provider_url": {"type": "string"},
                "html": {"type": "string"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
                "cache_age": {"type": "integer"},
            },
        },
        "MapValues": {
            "type": "object",
            "required": ["week", "fields", "areas", "legend", "colours"],
            "properties": {
                "week": {"type": "string", "format": "date"},
                "fields": {"type": "array", "items": {"type": "string"}},
                "areas": {"type": "object", "additionalProperties": {"type": "array"}},
                "legend": {"type": "array", "items": {"type": "object"}},
                "colours": {"type": "array", "items": {"type": "string"}},
                "total": {"type": "object"},
            },
        },
        "LeanValues": {
            "type": "object",
            "description": "Format 2 of MapValues: one array per figure (`columns`), in the "
            "order of the areas with a name in the lean TopoJSON whose version is `geometry`; "
            "a column nearly all one value is {value, except: {position: value}}. No codes, "
            "no names: an area is its position.",
            "required": ["format", "geometry", "week", "columns", "legend", "colours"],
            "properties": {
                "format": {"type": "integer", "enum": [2]},
                "geometry": {"type": "string"},
                "week": {"type": "string", "format": "date"},
                "columns": {
                    "type": "object",
                    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
                },
                "notes": {"type": "object", "additionalProperties": {"type": "string"}},
                "labels": {"type": "object"},
                "legend": {"type": "array", "items": {"type": "object"}},
                "colours": {"type": "array", "items": {"type": "string"}},
                "total": {"type": "object"},
            },
        },
        "History": {
            "type": "object",
            "required": ["weeks", "rates"],
            "properties": {
                "weeks": {"type": "array", "items": {"type": "string", "format": "date"}},
                "rates": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": number},
                },
                "lower": {
                    "type": "object",
                    "description": "Each rate's lower 95% confidence limit.",
                    "additionalProperties": {"type": "array", "items": number},
                },
                "upper": {
                    "type": "object",
                    "description": "Each rate's upper 95% confidence limit.",
                    "additionalProperties": {"type": "array", "items": number},
                },
            },
        },
        "Topology": {
            "type": "object",
            "required": ["type", "objects", "arcs"],
            "properties": {
                "type": {"type": "string", "enum": ["Topology"]},
                "objects": {"type": "object"},
                "arcs": {"type": "array"},
            },
        },
        "Link": link,
        "LandingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": {"type": "array", "items": _ref("schemas", "Link")},
            },
        },
        "Conformance": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "Collection": collection,
        "Collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": {"type": "array", "items": _ref("schemas", "Link")},
                "collections": {"type": "array", "items": _ref("schemas", "Collection")},
            },
        },
        "Feature": feature,
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features", "numberMatched", "numberReturned", "links"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("schemas", "Feature")},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": {"type": "array", "items": _ref("schemas", "Link")},
            },
        },
    }


def _responses() -> dict:
    reasons = {400: "A malformed parameter", 404: "Not found", 501: "Not implemented"}
    out = {}
    for status, reason in reasons.items():
        out[f"html{status}"] = _ok(f"{reason} (an HTML page)", HTML, {"type": "string"})
        out[f"json{status}"] = _ok(f"{reason}", JSON, _ref("schemas", "Error"))
        out[f"ogc{status}"] = _ok(f"{reason}", JSON, _ref("schemas", "OgcException"))
    return out


def _indicator_params() -> list[dict]:
    """indicator, period and vintage: which figures, on which districts."""
    return [_ref("parameters", name) for name in ("indicator", "period", "vintage")]


def _page_paths() -> dict:
    week, scheme, k = (
        _ref("parameters", "week"),
        _ref("parameters", "scheme"),
        _ref("parameters", "k"),
    )
    chosen = _indicator_params()
    region = _ref("parameters", "region")
    pinned = _ref("parameters", "pinnedVersion")
    page = _ok("An HTML page", HTML, {"type": "string"})
    embed_params = [
        _query_param(
            "highlight",
            "Area codes of the region to outline, comma-separated (others: 400).",
            {"type": "string", "pattern": f"^{CODE}(,{CODE})*$"},
        ),
        _query_param(
            "focus",
            "An area code of the region to zoom to (others: 400).",
            {"type": "string", "pattern": f"^{CODE}$"},
        ),
        _query_param("timeline", "1: a week stepper.", {"type": "string", "enum": ["0", "1"]}),
        _query_param(
            "theme", "Colour theme.", {"type": "string", "enum": ["light", "dark", "auto"]}
        ),
        _query_param(
            "labels",
            "Place labels: none, the top areas (default), or all as space allows.",
            {"type": "string", "enum": ["none", "top", "all"]},
        ),
        _query_param(
            "search", "0 hides the Find an area box.", {"type": "string", "enum": ["0", "1"]}
        ),
        _query_param("facts", "1 shows the key facts.", {"type": "string", "enum": ["0", "1"]}),
    ]
    image_params = [
        region,
        week,
        scheme,
        k,
        pinned,
        *chosen,
        _query_param(
            "width",
            "Image width in pixels (default 1200).",
            {"type": "integer", "minimum": WIDTH_RANGE[0], "maximum": WIDTH_RANGE[1]},
        ),
        _query_param(
            "labels",
            "Place labels: none, the top areas (default), or all as space allows.",
            {"type": "string", "enum": ["none", "top", "all"]},
        ),
    ]
    return {
        "/": _operation(
            "home",
            "The England map page",
            "pages",
            [week, scheme, k],
            {"200": page, **_errors("html", 400, 404)},
        ),
        "/map/{region}": _operation(
            "mapPage",
            "A region's full map page",
            "pages",
            [region, week, scheme, k, pinned, *chosen],
            {"200": page, **_errors("html", 400, 404)},
        ),
        "/embed/{region}": _operation(
            "embed",
            "A region's map for an iframe",
            "pages",
            [region, week, scheme, k, pinned, *chosen, *embed_params],
            {"200": page, **_errors("html", 400, 404)},
        ),
        "/download/{region}.html": _operation(
            "downloadHtml",
            "The map as one self-contained HTML file (an attachment)",
            "pages",
            [region, week, scheme, k, pinned, *chosen],
            {"200": page, **_errors("html", 400, 404)},
        ),
        "/embed.js": _operation(
            "embedLoader",
            "The script that resizes embeds in a host page",
            "pages",
            [],
            {"200": _ok("JavaScript", "text/javascript", {"type": "string"})},
        ),
        "/image/{region}.png": _operation(
            "imagePng",
            "The map drawn on the server, PNG",
            "images",
            image_params,
            {
                "200": _ok("A PNG image", "image/png", {"type": "string", "format": "binary"}),
                **_errors("html", 400, 404),
            },
        ),
        "/image/{region}.svg": _operation(
            "imageSvg",
            "The map drawn on the server, SVG",
            "images",
            image_params,
            {
                "200": _ok("An SVG image", "image/svg+xml", {"type": "string"}),
                **_errors("html", 400, 404),
            },
        ),
        "/oembed": _operation(
            "oembed",
            "oEmbed for a map or embed URL of this server",
            "pages",
            [
                _query_param(
                    "url",
                    "A map or embed page URL of this server.",
                    {"type": "string", "minLength": 1},
                    True,
                ),
                _query_param("maxwidth", "Largest width.", {"type": "integer", "minimum": 1}),
                _query_param("maxheight", "Largest height.", {"type": "integer", "minimum": 1}),
                _query_param("format", "Only json.", {"type": "string", "enum": ["json"]}),
            ],
            {
                "200": _ok("oEmbed rich response", JSON, _ref("schemas", "OEmbed")),
                **_errors("json", 400, 404, 501),
            },
        ),
    }


def _data_paths() -> dict:
    region, week = _ref("parameters", "region"), _ref("parameters", "week")
    version, week_path = _ref("parameters", "version"), _ref("parameters", "weekPath")
    region_query = _ref("parameters", "regionQuery")
    chosen = _indicator_params()
    values = {"200": _ok("Values", JSON, _ref("schemas", "MapValues")), **_errors("json", 400, 404)}
    lean = {"200": _ok("Values", JSON, _ref("schemas", "LeanValues")), **_errors("json", 400, 404)}
    scheme_params = [
        _path_param(
            "scheme",
            "Colour scheme.",
            {"type": "string", "enum": [*SCHEMES, *COMPARED_SCHEMES]},
        ),
        _path_param(
            "k",
            "Number of classes.",
            {"type": "integer", "minimum": K_RANGE[0], "maximum": K_RANGE[1]},
        ),
    ]
    either = {"anyOf": [_ref("schemas", "RateRecord"), _ref("schemas", "IndicatorRecord")]}
    return {
        "/api/rates": _operation(
            "rates",
            "A region's areas by rate, JSON records",
            "data",
            [region_query, week, *chosen],
            {
                "200": _ok(
                    "Records, highest rate first (another indicator's: IndicatorRecord)",
                    JSON,
                    {"type": "array", "items": either},
                ),
                **_errors("json", 400, 404),
            },
        ),
        "/api/indicators": _operation(
            "indicators",
            "Every indicator served, the Covid cases first: id, title, unit and periods",
            "data",
            [],
            {
                "200": _ok(
                    "Indicators", JSON, {"type": "array", "items": _ref("schemas", "Indicator")}
                )
            },
        ),
        "/api/facts": _operation(
            "facts",
            "A region's key facts for a week, as figures and sentences",
            "data",
            [region_query, week, *chosen],
            {
                "200": _ok(
                    "Key facts: the highest areas, the region total, the rest of the region, "
                    "rises and falls, incomplete areas, and the sentences made from them",
                    JSON,
                    {
                        "type": "object",
                        "required": ["region", "week", "top", "total", "sentences"],
                        "properties": {
                            "region": {"type": "string"},
                            "week": {"type": "string", "format": "date"},
                            "top": {"type": "array", "items": {"type": "object"}},
                            "total": {"type": "object"},
                            "sentences": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                ),
                **_errors("json", 400, 404),
            },
        ),
        "/api/postcode": _operation(
            "postcode",
            "The local authority of a postcode or postcode district (MAPSERVER_POSTCODES)",
            "data",
            [
                _query_param(
                    "q",
                    "A postcode or postcode district, e.g. PE1 1XX or PE1.",
                    {"type": "string", "minLength": 1},
                    True,
                )
            ],
            {
                "200": _ok(
                    "The district's code and name (null when the postcode is not in the file)",
                    JSON,
                    {
                        "type": "object",
                        "required": ["query", "code"],
                        "properties": {
                            "query": {"type": "string"},
                            "matched": _nullable("string"),
                            "code": _nullable("string"),
                            "name": _nullable("string"),
                        },
                    },
                ),
                **_errors("json", 400, 404),
            },
        ),
        "/api/rates.csv": _operation(
            "ratesCsv",
            "The same as CSV",
            "data",
            [region_query, week, *chosen],
            {
                "200": _ok(
                    "CSV with a header row: " + ", ".join(FIGURE_COLUMNS),
                    "text/csv",
                    {"type": "string"},
                ),
                **_errors("json", 400, 404),
            },
        ),
        "/values/{version}/{region}/{week}.json": _operation(
            "values",
            "A map's figures and colours for a week (dashboard bands)",
            "map data",
            [version, region, week_path],
            values,
        ),
        "/values/{version}/{region}/{week}/{scheme}-{k}.json": _operation(
            "valuesScheme",
            "The same with a data-driven scheme",
            "map data",
            [version, region, week_path, *scheme_params],
            values,
        ),
        "/values/{version}/{region}/{week}.v2.json": _operation(
            "valuesLean",
            "A map's figures for a week in format 2: columns in the lean geometry's order",
            "map data",
            [version, region, week_path],
            lean,
        ),
        "/values/{version}/{region}/{week}/{scheme}-{k}.v2.json": _operation(
            "valuesSchemeLean",
            "Format 2 with a data-driven scheme",
            "map data",
            [version, region, week_path, *scheme_params],
            lean,
        ),
        "/values/{version}/{region}/{week}/history.json": _operation(
            "history",
            "12 weeks of rates per area",
            "map data",
            [version, region, week_path],
            {"200": _ok("Rates", JSON, _ref("schemas", "History")), **_errors("json", 400, 404)},
        ),
        "/geo/{version}/{region}.topojson": _operation(
            "geometry",
            "Simplified boundaries of a region and its neighbours",
            "map data",
            [_path_param("version", "The geometry version (see /healthz)."), region],
            {
                "200": _ok("TopoJSON", JSON, _ref("schemas", "Topology")),
                **_errors("json", 400, 404),
            },
        ),
        "/geo/{version}/{region}.v2.topojson": _operation(
            "geometryLean",
            "The same with each of the region's areas named, in the order of format 2 values",
            "map data",
            [_path_param("version", "The lean geometry version (a page names it)."), region],
            {
                "200": _ok("TopoJSON", JSON, _ref("schemas", "Topology")),
                **_errors("json", 400, 404),
            },
        ),
        "/assets/{version}/{name}": _operation(
            "asset",
            "A script bundle, stylesheet or icon, named by its hash",
            "map data",
            [
                _path_param("version", "The file's hash."),
                _path_param("name", "The file name.", example="map.js"),
            ],
            {
                "200": {"description": "The file", "content": {"*/*": {"schema": {}}}},
                **_errors("json", 404),
            },
        ),
        "/live.json": _operation(
            "live",
            "The current data version and weeks, for open live embeds (revalidate with ETag)",
            "data",
            [],
            {
                "200": _ok(
                    "The current version",
                    JSON,
                    {
                        "type": "object",
                        "required": ["data_version", "default_week"],
                        "properties": {
                            "data_version": {"type": "string"},
                            "geometry_version": {"type": "string"},
                            "default_week": {"type": "string", "format": "date"},
                            "last_week": {"type": "string", "format": "date"},
                        },
                    },
                )
            },
        ),
        "/healthz": _operation(
            "health",
            "Health and data versions",
            "data",
            [],
            {"200": _ok("Healthy", JSON, _ref("schemas", "Health"))},
        ),
        "/openapi.json": _operation(
            "openapi",
            "This document",
            "data",
            [],
            {"200": _ok("OpenAPI 3.0", MEDIA_TYPE, {"type": "object"})},
        ),
        "/openapi.html": _operation(
            "openapiHtml",
            "This document for people",
            "data",
            [],
            {"200": _ok("HTML", HTML, {"type": "string"})},
        ),
    }


def _ogc_paths() -> dict:
    f, collection_id = _ref("parameters", "f"), _ref("parameters", "collectionId")
    datetime, geometry = _ref("parameters", "datetime"), _ref("parameters", "geometry")
    f_items = _ref("parameters", "fItems")
    bad = _errors("ogc", 400)
    items_params = [
        collection_id,
        _query_param(
            "limit",
            f"Features per page: 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _query_param(
            "offset",
            "Features to skip (the next link sets it).",
            {"type": "integer", "minimum": 0, "default": 0},
        ),
        {
            "name": "bbox",
            "in": "query",
            "required": False,
            "description": "Only features that intersect west,south,east,north (CRS84).",
            "schema": {
                "type": "array",
                "minItems": 4,
                "maxItems": 6,
                "items": {"type": "number", "minimum": -180, "maximum": 180},
            },
            "style": "form",
            "explode": False,
            "example": [0.0, 51.4, 1.8, 53.0],
        },
        datetime,
        _query_param(
            "region",
            "Districts only: those of a region (slug or ONS code, as /api/rates).",
            {"type": "string"},
            example="east-of-england",
        ),
        geometry,
        _ref("parameters", "vintage"),
        f_items,
    ]
    feature_collection = _ok("A page of features", GEOJSON, _ref("schemas", "FeatureCollection"))
    json_schema = {
        "type": "object",
        "required": ["$schema", "$id", "type", "properties"],
        "properties": {"properties": {"type": "object"}},
    }
    return {
        "/ogc/": _operation(
            "ogcLanding",
            "OGC API - Features landing page",
            "OGC API - Features",
            [
                _query_param(
                    "f",
                    "json (the default) or html (also by Accept: text/html).",
                    {"type": "string", "enum": ["json", "html", JSON, HTML]},
                )
            ],
            {
                "200": {
                    "description": "Links to the API definition, conformance and data",
                    "content": {
                        **_content(JSON, _ref("schemas", "LandingPage")),
                        **_content(HTML, {"type": "string"}),
                    },
                },
                **bad,
            },
        ),
        "/ogc/conformance": _operation(
            "ogcConformance",
            "Conformance classes",
            "OGC API - Features",
            [f],
            {"200": _ok("Conformance", JSON, _ref("schemas", "Conformance")), **bad},
        ),
        "/ogc/collections": _operation(
            "ogcCollections",
            "The collections: districts and regions",
            "OGC API - Features",
            [f],
            {"200": _ok("Collections", JSON, _ref("schemas", "Collections")), **bad},
        ),
        "/ogc/collections/{collection_id}": _operation(
            "ogcCollection",
            "One collection",
            "OGC API - Features",
            [collection_id, f],
            {
                "200": _ok("A collection", JSON, _ref("schemas", "Collection")),
                **_errors("ogc", 400, 404),
            },
        ),
        "/ogc/collections/{collection_id}/queryables": _operation(
            "ogcQueryables",
            "What a collection's items can be filtered on, as JSON Schema (Part 3)",
            "OGC API - Features",
            [
                collection_id,
                _query_param(
                    "f",
                    "Output format (JSON Schema).",
                    {"type": "string", "enum": ["json", JSON, SCHEMA_JSON]},
                ),
            ],
            {
                "200": _ok("The queryables", SCHEMA_JSON, json_schema),
                **_errors("ogc", 400, 404),
            },
        ),
        "/ogc/collections/{collection_id}/schema": _operation(
            "ogcSchema",
            "The features' schema: their properties and types, and the geometry type",
            "OGC API - Features",
            [
                collection_id,
                _query_param(
                    "f",
                    "json: JSON Schema, as OGC API - Features Part 5 (the default); xsd: the "
                    "same as an XML Schema (a GML application schema, as GDAL reads).",
                    {"type": "string", "enum": ["json", "xsd", JSON, SCHEMA_JSON, XML]},
                ),
            ],
            {
                "200": {
                    "description": "The schema",
                    "content": {
                        **_content(SCHEMA_JSON, json_schema),
                        **_content(XML, {"type": "string"}),
                    },
                },
                **_errors("ogc", 400, 404),
            },
        ),
        "/ogc/collections/{collection_id}/items": _operation(
            "ogcItems",
            "Features: districts with the week's figures, or regions with totals",
            "OGC API - Features",
            items_params,
            {"200": feature_collection, **_errors("ogc", 400, 404)},
        ),
        "/ogc/collections/{collection_id}/items/{feature_id}": _operation(
            "ogcItem",
            "One feature: a district by ONS code, a region by slug",
            "OGC API - Features",
            [
                collection_id,
                _path_param("feature_id", "ONS code or region slug.", example="E07000008"),
                datetime,
                geometry,
                _ref("parameters", "vintage"),
                f_items,
            ],
            {
                "200": _ok("A feature", GEOJSON, _ref("schemas", "Feature")),
                **_errors("ogc", 400, 404),
            },
        ),
    }


def document(
    server: str,
    data_version: str,
    week_range: tuple[pd.Timestamp, pd.Timestamp],
    default_week: pd.Timestamp,
) -> dict:
    """The OpenAPI 3.0 document for a server at `server` (its base URL) and the data loaded."""
    parameters = _parameters(week_range)
    paths = {**_page_paths(), **_data_paths(), **_ogc_paths()}
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
        "paths": paths,
        "components": {
            "parameters": parameters,
            "schemas": _schemas(),
            "responses": _responses(),
        },
    }
