"""What the OGC collections' features hold, as schemas for clients. No Flask here.

- `schema`: the features' logical schema (OGC API - Features - Part 5: Schemas), a JSON
  Schema with one member per property, its type, and the roles `id` and
  `primary-geometry`;
- `queryables`: the properties the items can be filtered on (Part 3: Filtering);
- `xml_schema`: the same feature type as an XML Schema (a GML application schema), which
  is how GDAL's OAPIF driver learns a layer's geometry type (it reads no JSON Schema's
  geometry) and its field types (so a number that is null on the first page is still a
  number).

A property's `type` is one JSON type, never a list with "null": GDAL and QGIS read
`"type": ["number", "null"]` as a string field. A property that may be null (unknown) is
left out of `required` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..figures.comparison import LEVELS

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
# Every feature is a Polygon or a MultiPolygon (an area with islands, or in parts).
GEOMETRY_FORMAT = "geometry-polygon-or-multipolygon"
# The one OGR type that holds both: GDAL reports it as "Multi Polygon".
GML_GEOMETRY = "gml:MultiSurfacePropertyType"
GML = "http://www.opengis.net/gml/3.2"
XSD_TYPES = {
    "string": "xs:string",
    "number": "xs:double",
    "integer": "xs:int",
    "boolean": "xs:boolean",
    "date": "xs:date",
}
COMPARED = ["higher", "similar", "lower"]


@dataclass(frozen=True)
class Field:
    """One property of a feature."""

    name: str
    type: str  # string, number, integer or boolean
    title: str
    nullable: bool = True
    format: str | None = None
    enum: tuple[str, ...] | None = None

    def json(self, seq: int) -> dict:
        out = {"title": self.title, "type": self.type}
        if self.format:
            out["format"] = self.format
        if self.enum:
            out["enum"] = list(self.enum)
        out["x-ogc-propertySeq"] = seq
        return out


def _s(name: str, title: str, nullable: bool = True, **more) -> Field:
    return Field(name, "string", title, nullable, **more)


def _n(name: str, title: str) -> Field:
    return Field(name, "number", title)


def _i(name: str, title: str, nullable: bool = True) -> Field:
    return Field(name, "integer", title, nullable)


def _limits() -> list[Field]:
    out = []
    for level, suffix in LEVELS.items():
        percent = f"{level * 100:g}%"
        out += [
            _n(f"lower{suffix}", f"Lower {percent} confidence limit"),
            _n(f"upper{suffix}", f"Upper {percent} confidence limit"),
        ]
    return out


def _comparisons() -> list[Field]:
    return [
        _s(
            f"compared{suffix}",
            f"Against its country's figure at {level * 100:g}%",
            enum=tuple(COMPARED),
        )
        for level, suffix in LEVELS.items()
    ]


def _place() -> list[Field]:
    return [
        _s("series", "Code of the series whose figures these are", False),
        _s("series_name", "Name of that series"),
        _s("region", "Region (in Scotland, Wales and Northern Ireland: the country)"),
        _s("country", "Country"),
    ]


WEEK = _s("week", "Last day of the 7 days", False, format="date")
DISTRICT_FIELDS = [
    _s("code", "ONS code", False),
    _s("name", "Name", False),
    _i("cases", "Cases in the 7 days"),
    _n("rate", "Cases per 100,000 people in the 7 days"),
    _i("previous_cases", "Cases in the 7 days before"),
    _n("previous_rate", "Cases per 100,000 people in the 7 days before"),
    _i("change", "Change in cases from the 7 days before"),
    _n("change_pct", "Change in cases from the 7 days before (%)"),
    _i("rank", "Rank in its country (1: the highest rate)"),
    _i("rank_of", "Districts ranked in its country"),
    WEEK,
    Field("complete", "boolean", "Every day of the 7 known", False),
    _i("days_known", "Days of the 7 with a figure", False),
    *_place(),
    *_limits(),
    _n("national", "Its country's rate"),
    *_comparisons(),
]
REGION_FIELDS = [
    _s("code", "ONS code (none for a custom region)"),
    _s("name", "Name", False),
    _s("kind", "official (a country or English region) or custom", False),
    WEEK,
    _i("areas", "Case series summed", False),
    _i("missing", "Series without a complete week (the total is then unknown)", False),
    _i("population", "Population", False),
    _i("cases", "Cases in the 7 days"),
    _n("rate", "Cases per 100,000 people in the 7 days"),
    _i("previous_cases", "Cases in the 7 days before"),
    _n("previous_rate", "Cases per 100,000 people in the 7 days before"),
    *_limits(),
]


def indicator_fields(unit: str) -> list[Field]:
    """An indicator's properties: the figure in `unit`, its limits, counts and period."""
    return [
        _s("code", "ONS code", False),
        _s("name", "Name", False),
        _n("value", f"Value ({unit})"),
        _n("lower", "Lower 95% confidence limit"),
        _n("upper", "Upper 95% confidence limit"),
        _n("count", "Count (the numerator)"),
        _n("denominator", "Denominator"),
        _i("rank", "Rank in its country (1: the highest value)"),
        _i("rank_of", "Districts ranked in its country"),
        _n("national", "Its country's value"),
        _s("compared", "Against its country's figure at 95%", enum=tuple(COMPARED)),
        Field("suppressed", "boolean", "Count below the disclosure threshold: withheld", False),
        _s("period", "Period, as the source writes it", False),
        _s("period_text", "Period, in words", False),
        _i("vintage", "Year of the district boundaries", False),
        *_place(),
    ]


def fields(kind: str, unit: str | None = None) -> list[Field]:
    """The properties of a collection's features: districts, regions or an indicator's."""
    if kind == "districts":
        return DISTRICT_FIELDS
    if kind == "regions":
        return REGION_FIELDS
    return indicator_fields(unit or "")


GEOMETRY = {
    "title": "Boundary",
    "description": "A Polygon or a MultiPolygon, in CRS84 longitude and latitude.",
    "format": GEOMETRY_FORMAT,
    "x-ogc-role": "primary-geometry",
}


def schema(url: str, title: str, description: str, kind: str, unit: str | None = None) -> dict:
    """The features' schema (Part 5: Schemas) at `url`: their id, boundary and properties."""
    found = fields(kind, unit)
    identifier = "ONS code" if kind != "regions" else "region slug (as /api/rates takes)"
    properties = {
        "id": {
            "title": f"Identifier: the {identifier}",
            "type": "string",
            "readOnly": True,
            "x-ogc-role": "id",
            "x-ogc-propertySeq": 0,
        },
        "geometry": {**GEOMETRY, "x-ogc-propertySeq": 1},
    }
    for seq, field in enumerate(found, start=2):
        properties[field.name] = field.json(seq)
    return {
        "$schema": JSON_SCHEMA,
        "$id": url,
        "type": "object",
        "title": title,
        "description": f"{description} A property outside `required` is null where its "
        "figure is unknown.",
        "properties": properties,
        "required": ["id", "geometry", *(f.name for f in found if not f.nullable)],
    }


def queryables(url: str, title: str, kind: str) -> dict:
    """The properties the items can be filtered on (Part 3: Filtering): the boundary, by
    `bbox`, and for districts (and an indicator's) the `region` they are in."""
    properties = {
        "geometry": {
            **GEOMETRY,
            "description": "Filter with bbox=west,south,east,north: features that intersect it.",
        }
    }
    if kind != "regions":
        properties["region"] = {
            "title": "Region",
            "description": "Filter with region=: a region's slug, ONS code or name "
            "(countries, English regions and custom regions, as /api/rates takes).",
            "type": "string",
        }
    return {
        "$schema": JSON_SCHEMA,
        "$id": url,
        "type": "object",
        "title": title,
        "properties": properties,
        "additionalProperties": False,
    }


def _element_name(collection_id: str) -> str:
    # An XML name may not start with a digit, as an indicator's id may.
    return collection_id if collection_id[:1].isalpha() else f"_{collection_id}"


def xml_schema(namespace: str, collection_id: str, title: str, kind: str, unit=None) -> str:
    """The feature type as an XML Schema: a GML 3.2 application schema, one feature element
    with the boundary and every property, those that may be null nillable."""
    name = _element_name(collection_id)
    rows = [f'<xs:element name="geometry" type="{GML_GEOMETRY}"/>']
    for field in fields(kind, unit):
        xs_type = XSD_TYPES[field.format if field.format == "date" else field.type]
        optional = ' minOccurs="0" nillable="true"' if field.nullable else ""
        rows.append(f'<xs:element name="{field.name}" type="{xs_type}"{optional}/>')
    elements = "\n          ".join(rows)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:gml="{GML}"
    xmlns:ms={quoteattr(namespace)} targetNamespace={quoteattr(namespace)}
    elementFormDefault="qualified" version="1.0">
  <xs:annotation><xs:documentation>{escape(title)}</xs:documentation></xs:annotation>
  <xs:import namespace="{GML}" schemaLocation="http://schemas.opengis.net/gml/3.2.1/gml.xsd"/>
  <xs:element name="{name}" type="ms:{name}Type" substitutionGroup="gml:AbstractFeature"/>
  <xs:complexType name="{name}Type">
    <xs:complexContent>
      <xs:extension base="gml:AbstractFeatureType">
        <xs:sequence>
          {elements}
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
</xs:schema>
"""
