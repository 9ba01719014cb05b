"""The OGC API - Features routes' parameters, declared as params.py declares the others.

A name a resource does not take is refused (400), as the standard asks; so are a bbox
out of order, a datetime holding no week of the data and an unknown region filter (the
views check those against the data).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import Field, WithJsonSchema, model_validator

from ..maps import features
from .params import (
    DAY,
    EXAMPLE_WEEK,
    GEOJSON,
    HTML,
    JSON,
    VINTAGE_TEXT,
    Params,
    Vintage,
    checked,
    string_schema,
)

FORMATS = {"json": "json", "geojson": "geojson", "html": "html", JSON: "json"}
FORMATS |= {GEOJSON: "geojson", HTML: "html"}  # some clients name the format by media type
FORMATS |= {"xsd": "xsd", "application/schema+json": "json", "application/xml": "xsd"}


def _format(choices: tuple[str, ...], description: str):
    accepted = [name for name, short in FORMATS.items() if short in choices]

    def check(text: str) -> str:
        short = FORMATS.get(text)
        if short not in choices:
            raise ValueError(f"f must be one of {', '.join(choices)}, not {text!r}")
        return short

    field = Annotated[str, checked(check), string_schema(enum=accepted)] | None
    return field, Field(None, description=description)


class OgcParams(Params):
    """OGC API parameters: a name the resource does not take is a 400, as the standard asks."""

    @model_validator(mode="before")
    @classmethod
    def _known_only(cls, data):
        unknown = sorted(set(data) - set(cls.model_fields)) if isinstance(data, dict) else []
        if unknown:
            raise ValueError(
                f"unknown query parameter(s) {', '.join(unknown)}; this resource takes "
                f"{', '.join(sorted(cls.model_fields))}"
            )
        return data


_landing_format, _landing_field = _format(
    ("json", "html"), "json (the default) or html (also by Accept: text/html)."
)
_json_format, _json_field = _format(("json",), "Output format (JSON).")
_items_format, _items_field = _format(("json", "geojson"), "Output format (GeoJSON).")


class LandingParams(OgcParams):
    f: _landing_format = _landing_field


class OgcJsonParams(OgcParams):
    f: _json_format = _json_field


_schema_format, _schema_field = _format(
    ("json", "xsd"), "json (JSON Schema, the default) or xsd (an XML Schema, for GDAL)."
)


class SchemaParams(OgcParams):
    f: _schema_format = _schema_field


_INSTANT = (
    rf"{DAY}([Tt][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\.[0-9]+)?([Zz]|[+-][0-9]{{2}}:[0-9]{{2}}))?"
)
# An instant, or an interval start/end whose ends may be open ('..' or nothing).
DATETIME = rf"^({_INSTANT}|({_INSTANT}|\.\.)?/({_INSTANT}|\.\.)?)$"
DATETIME_TEXT = re.compile(DATETIME)


def _datetime_text(text: str) -> str:
    if not DATETIME_TEXT.match(text):
        raise ValueError(
            "datetime must be a date (2021-02-21), an RFC 3339 date-time or an interval "
            f"start/end with '..' for an open end, not {text!r}"
        )
    for part in text.split("/"):
        if part not in ("", ".."):
            try:
                date.fromisoformat(part[:10])
            except ValueError:
                raise ValueError(f"datetime {text!r} is not a real date") from None
    return text


class ItemParams(OgcParams):
    f: _items_format = _items_field
    datetime: Annotated[str, checked(_datetime_text), string_schema(DATETIME)] | None = Field(
        None,
        description="The week: a date or RFC 3339 date-time (the 7 days ending that day), or "
        "an interval start/end ('..' for an open end) resolved to its latest week end in the "
        "data; weeks end from {first_week} to {last_week}. Default: the latest week. A day "
        "or interval holding no week of the data: 400.",
        json_schema_extra={"example": EXAMPLE_WEEK},
    )
    geometry: Annotated[
        str, checked(features.parse_geometry), string_schema(enum=list(features.GEOMETRIES))
    ] = Field(
        "full",
        description="full: the boundary file's polygons in CRS84, coordinates rounded to 6 "
        "decimal places (default); simplified: the maps' simplified boundaries.",
    )
    vintage: Vintage | None = Field(None, description=VINTAGE_TEXT)


class ItemsParams(ItemParams):
    limit: Annotated[
        int,
        checked(features.parse_limit),
        WithJsonSchema(
            {"type": "integer", "minimum": 1, "maximum": features.MAX_LIMIT}
            | {"default": features.DEFAULT_LIMIT}
        ),
    ] = Field(
        features.DEFAULT_LIMIT,
        description=f"Features per page: 1 to {features.MAX_LIMIT} (default "
        f"{features.DEFAULT_LIMIT}); a larger limit is cut to {features.MAX_LIMIT}.",
    )
    offset: Annotated[
        int,
        checked(features.parse_offset),
        WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 999_999_999, "default": 0}),
    ] = Field(0, description="Features to skip (the next link sets it).")
    bbox: (
        Annotated[
            tuple[float, float, float, float],
            checked(features.parse_bbox),
            WithJsonSchema(
                {
                    "type": "array",
                    "minItems": 4,
                    "maxItems": 6,
                    "items": {"type": "number", "minimum": -180, "maximum": 180},
                }
            ),
        ]
        | None
    ) = Field(
        None,
        description="Only features that intersect west,south,east,north (CRS84 degrees: "
        "latitudes -90 to 90, south no more than north, else 400; 6 numbers with heights "
        "are read too).",
        json_schema_extra={"example": [0.0, 51.4, 1.8, 53.0]},
    )
    region: Annotated[str, checked(str), string_schema(minLength=1)] | None = Field(
        None,
        description="Districts only: those of a region (slug, ONS code or name, as /api/rates); "
        "unknown: 400.",
        json_schema_extra={"example": "east-of-england"},
    )


class CollectionPath(Params):
    collection_id: str = Field(
        description="A collection: districts, regions, or an indicator id (/api/indicators).",
        json_schema_extra={"example": "districts"},
    )


class FeaturePath(CollectionPath):
    feature_id: str = Field(
        description="ONS code or region slug.", json_schema_extra={"example": "E07000008"}
    )
