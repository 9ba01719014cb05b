"""The schemas of the HTTP API's response bodies, for the OpenAPI 3.0 document.

The document itself is generated from the routes' declarations (mapserver/web/params.py
and apidoc.py); these are the shapes of what they answer, built from the same constants
as the answers. No Flask here.
"""

from __future__ import annotations

from ..figures.comparison import COMPARED_COLUMNS, LIMIT_COLUMNS
from ..figures.rates import FIGURE_COLUMNS

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(type_: str, **more) -> dict:
    return {"type": type_, "nullable": True, **more}


def schemas() -> dict:
    """The response bodies' schemas, #/components/schemas/ of the document."""
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
                "tied": {
                    "type": "boolean",
                    "description": "Another area of its country has the same figure as "
                    "shown, and the same rank (1=).",
                },
                "previous_value": number,
                "change_pct": number,
                "change_test": {
                    "type": ["string", "null"],
                    "enum": ["significant", "not significant", "intervals overlap", None],
                    "description": "Whether the change from the period before is more than "
                    "chance: an exact test of two Poisson rates for counts, else whether "
                    "the two periods' 95% intervals are apart (significant) or overlap; "
                    "null where neither can be made.",
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
                "version": {"type": "string"},
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
                "release": {"type": "string"},
                "indicators": {"type": "object", "additionalProperties": {"type": "string"}},
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
        "Facts": {
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
        "Live": {
            "type": "object",
            "required": ["data_version", "default_week"],
            "properties": {
                "data_version": {"type": "string"},
                "release": {"type": "string"},
                "indicators": {"type": "object", "additionalProperties": {"type": "string"}},
                "geometry_version": {"type": "string"},
                "default_week": {"type": "string", "format": "date"},
                "last_week": {"type": "string", "format": "date"},
            },
        },
        "Postcode": {
            "type": "object",
            "required": ["query", "code"],
            "properties": {
                "query": {"type": "string"},
                "matched": _nullable("string"),
                "code": _nullable("string"),
                "name": _nullable("string"),
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
