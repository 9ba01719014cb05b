"""OGC API - Features on the hand-made fixture (in-process), and geometry on the real data."""

from __future__ import annotations

import gzip
import json
import re
from xml.etree import ElementTree

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from mapserver import create_app
from mapserver.figures.rates import FIGURE_COLUMNS
from mapserver.ingest.boundaries import read_boundaries
from mapserver.maps import feature_schema, features
from mapserver.words.tables import INTERVAL_COLUMNS

from .conftest import tiny_config

WEEK = "2021-01-14"
KINDS = ("districts", "regions", "indicator")


@pytest.fixture(scope="module")
def client():
    return create_app(tiny_config()).test_client()


def items(client, collection="districts", **params):
    response = client.get(f"/ogc/collections/{collection}/items", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def by_id(collection: dict) -> dict:
    return {feature["id"]: feature for feature in collection["features"]}


def test_landing_page_links_json_by_default_html_for_browsers(client):
    response = client.get("/ogc/")
    assert response.status_code == 200 and response.mimetype == "application/json"
    links = {link["rel"]: link for link in response.get_json()["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert links["service-desc"]["href"] == "http://localhost/openapi.json"
    assert links["data"]["href"] == "http://localhost/ogc/collections"
    assert client.get(links["service-doc"]["href"]).mimetype == "text/html"
    browser = client.get("/ogc/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    assert "http://localhost/ogc/" in browser.get_data(as_text=True)
    assert client.get("/ogc/?f=html").mimetype == "text/html"
    assert client.get("/ogc/?f=text/html").mimetype == "text/html"
    geojson = client.get(
        "/ogc/collections/regions/items", query_string={"f": "application/geo+json"}
    )
    assert geojson.status_code == 200
    assert "Accept" in response.headers["Vary"]


def test_conformance_classes(client):
    conforms = client.get("/ogc/conformance").get_json()["conformsTo"]
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + "core", base + "geojson", base + "oas30"} <= set(conforms)
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas" in conforms


def test_collections_with_spatial_and_temporal_extent(client):
    found = client.get("/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in found] == ["districts", "regions"]
    districts = found[0]
    assert districts["extent"]["spatial"]["bbox"] == [[-2.0, 52.0, -1.4, 52.1]]
    # 14 days of data: the first full week ends on day 7
    assert districts["extent"]["temporal"]["interval"] == [
        ["2021-01-07T00:00:00Z", "2021-01-14T00:00:00Z"]
    ]
    one = client.get("/ogc/collections/regions").get_json()
    assert one["id"] == "regions" and one["itemType"] == "feature"


def test_district_properties_are_the_csv_columns_with_the_weeks_figures(client):
    found = by_id(items(client, datetime=WEEK))
    assert len(found) == 6
    alpha = found["E06000901"]["properties"]
    # 10 a day for 7 days over 100,000 people; the week before the same
    assert {k: alpha[k] for k in ("cases", "rate", "previous_rate", "change", "rank")} == {
        "cases": 70,
        "rate": 70.0,
        "previous_rate": 70.0,
        "change": 0,
        "rank": 1,
    }
    bravo = found["E06000902"]["properties"]
    assert (bravo["cases"], bravo["rate"], bravo["change_pct"], bravo["rank"]) == (
        0,
        0.0,
        -100.0,
        3,
    )
    # Delta has no series of its own: Charlie and Delta's figures, under Delta's code
    delta = found["E06000904"]["properties"]
    assert (delta["code"], delta["name"], delta["series"]) == ("E06000904", "Delta", "E06000903")
    assert (delta["cases"], delta["rate"], delta["previous_rate"]) == (70, 70.0, 35.0)
    assert delta["series_name"] == "Charlie and Delta" and delta["region"] == "Southland"
    # Echo has no row for 10 January: unknown, not zero
    echo = found["W06000901"]["properties"]
    assert echo["rate"] is None and echo["complete"] is False and echo["days_known"] == 6
    for feature in found.values():
        assert list(feature["properties"])[:10] == [
            "code", "name", "cases", "rate", "previous_cases", "previous_rate",
            "change", "change_pct", "rank", "rank_of",
        ]  # fmt: skip
        assert feature["properties"]["week"] == WEEK


def test_district_geometry_is_the_boundary(client):
    alpha = by_id(items(client))["E06000901"]["geometry"]
    assert alpha == {
        "type": "Polygon",
        "coordinates": [[[-2.0, 52.0], [-1.9, 52.0], [-1.9, 52.1], [-2.0, 52.1], [-2.0, 52.0]]],
    }


def test_region_features_carry_totals(client):
    found = by_id(items(client, "regions", datetime=WEEK))
    assert set(found) == {"england", "wales", "northland", "southland", "alpha-and-charlie"}
    north = found["northland"]["properties"]
    # (70 + 0) cases over 150,000 people; the week before (70 + 35)
    assert (north["cases"], north["rate"], north["previous_rate"]) == (70, 46.7, 70.0)
    assert found["wales"]["properties"]["rate"] is None  # Echo's week is incomplete
    outline = shape(found["northland"]["geometry"])
    assert outline.equals(shapely.box(-2.0, 52.0, -1.8, 52.1))


def test_paging_with_next_and_prev_links(client):
    first = items(client, limit=4)
    assert (first["numberMatched"], first["numberReturned"]) == (6, 4)
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    second = client.get(links["next"]).get_json()
    assert (second["numberMatched"], second["numberReturned"]) == (6, 2)
    second_links = {link["rel"]: link["href"] for link in second["links"]}
    assert "next" not in second_links
    assert "offset" not in second_links["prev"] and "limit=4" in second_links["prev"]
    # the week is pinned in the links, so every page has the same week's figures
    assert f"datetime={WEEK}" in links["next"]
    filtered = items(client, limit=1, bbox="-1.95,52.01,-1.85,52.09", region="northland")
    next_page = {link["rel"]: link["href"] for link in filtered["links"]}["next"]
    assert "bbox=-1.95,52.01,-1.85,52.09" in next_page and "region=northland" in next_page
    assert client.get(next_page).get_json()["features"][0]["id"] == "E06000902"
    seen = list(by_id(first)) + list(by_id(second))
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 6
    assert items(client, limit=1, offset=5)["features"][0]["id"] == "W06000902"
    assert items(client, offset=6)["numberReturned"] == 0
    assert items(client, limit=100000)["numberReturned"] == 6  # cut to the maximum


def test_bbox_and_region_filters(client):
    assert sorted(by_id(items(client, bbox="-1.95,52.01,-1.85,52.09"))) == [
        "E06000901",
        "E06000902",
    ]
    # a box touching Delta's west edge and reaching into Wales
    assert sorted(by_id(items(client, bbox="-1.7,51,-1.45,53"))) == [
        "E06000903",
        "E06000904",
        "W06000901",
        "W06000902",
    ]
    assert items(client, bbox="10,10,11,11")["numberMatched"] == 0
    found = items(client, region="alpha-and-charlie", bbox="-1.95,52.01,-1.65,52.09")
    assert sorted(by_id(found)) == ["E06000901", "E06000903", "E06000904"]
    assert found["numberMatched"] == 3
    assert sorted(by_id(items(client, "regions", bbox="-1.45,52.01,-1.41,52.09"))) == ["wales"]


@pytest.mark.parametrize(
    "text, week",
    [
        ("2021-01-10", "2021-01-10"),
        ("2021-01-10T12:30:00Z", "2021-01-10"),
        ("2021-01-08/2021-01-12", "2021-01-12"),
        ("2021-01-09/..", "2021-01-14"),
        ("../2021-01-11", "2021-01-11"),
        ("../..", "2021-01-14"),
        ("2021-01-10/2021-03-01", "2021-01-14"),  # the interval's latest week in the data
    ],
)
def test_datetime_instant_or_interval_resolves_to_one_week(client, text, week):
    found = items(client, datetime=text)
    assert {f["properties"]["week"] for f in found["features"]} == {week}


def test_single_feature(client):
    response = client.get("/ogc/collections/districts/items/E06000904?datetime=2021-01-13")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["id"] == "E06000904" and feature["properties"]["week"] == "2021-01-13"
    # Charlie's series, 7-13 January: 5 on the 7th, then 10 a day for 6 days
    assert feature["properties"]["cases"] == 65
    region = client.get("/ogc/collections/regions/items/southland").get_json()
    assert region["properties"]["code"] == "E12000902"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/districts/items?limit=0",
        "/ogc/collections/districts/items?limit=ten",
        "/ogc/collections/districts/items?offset=-1",
        "/ogc/collections/districts/items?bbox=1,2,3",
        "/ogc/collections/districts/items?bbox=0,53,1,52",
        "/ogc/collections/districts/items?bbox=0,nan,1,52",
        "/ogc/collections/districts/items?bbox=0,91,1,92",
        "/ogc/collections/districts/items?datetime=yesterday",
        "/ogc/collections/districts/items?datetime=2021-02-30",
        "/ogc/collections/districts/items?datetime=2020-01-01",
        "/ogc/collections/districts/items?datetime=2021-01-14/2021-01-01",
        "/ogc/collections/districts/items?datetime=2021-01-01/2021-01-02/2021-01-03",
        "/ogc/collections/districts/items?datetime=2019-01-01/2019-02-01",
        "/ogc/collections/districts/items?geometry=wobbly",
        "/ogc/collections/districts/items?region=atlantis",
        "/ogc/collections/districts/items?f=xml",
        "/ogc/collections/districts/items?colour=red",
        "/ogc/collections/districts/items/E06000901?limit=2",
        "/ogc/?f=pdf",
        "/ogc/conformance?f=html",
        "/ogc/collections/districts/schema?f=html",
        "/ogc/collections/districts/schema?limit=2",
        "/ogc/collections/districts/queryables?f=xsd",
    ],
)
def test_bad_parameters_are_400_in_the_ogc_exception_shape(client, url):
    response = client.get(url)
    assert response.status_code == 400, url
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and body["description"]


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/lakes",
        "/ogc/collections/lakes/items",
        "/ogc/collections/lakes/schema",
        "/ogc/collections/lakes/queryables",
        "/ogc/collections/districts/items/E99999999",
        "/ogc/collections/regions/items/atlantis",
        "/ogc/nothing-here",
    ],
)
def test_unknown_resources_are_404_in_the_ogc_exception_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["code"] == "NotFound"


def test_parse_bbox_handles_heights_and_the_antimeridian():
    assert features.parse_bbox("1,2,0,3,4,100") == (1.0, 2.0, 3.0, 4.0)
    shapes = features.Shapes.from_geoseries(
        pd.Series(
            [shapely.box(170, 0, 171, 1), shapely.box(-171, 0, -170, 1), shapely.box(0, 0, 1, 1)],
            index=["east", "west", "middle"],
        ).pipe(lambda s: __import__("geopandas").GeoSeries(s, crs="EPSG:4326"))
    )
    assert sorted(shapes.intersecting((169.5, -1, -169.5, 2))) == ["east", "west"]


def test_full_geometry_is_the_boundary_file_at_six_decimals(real_settings):
    areas = read_boundaries(real_settings.path("boundaries"))
    shapes = features.district_shapes(areas)
    assert len(shapes.geojson) == len(areas) == 382
    for code in ("E07000008", "E09000001", "S12000013"):
        geometry = json.loads(shapes.geojson[code])
        served = shape(geometry)
        assert served.equals_exact(areas.geometry[code], tolerance=1e-6)
        text = shapes.geojson[code]
        decimals = [len(digits) for digits in re.findall(r"\d\.(\d+)", text)]
        assert max(decimals) <= features.COORDINATE_DECIMALS


def test_simplified_geometry_only_when_asked(real_settings):
    client = create_app({"data_dir": real_settings.data_dir}).test_client()
    url = "/ogc/collections/districts/items?limit=1000"
    full = by_id(client.get(url).get_json())
    simple = by_id(client.get(url + "&geometry=simplified").get_json())
    assert set(full) == set(simple) and len(full) == 382
    full_shapes = {code: shape(f["geometry"]) for code, f in full.items()}
    simple_shapes = {code: shape(f["geometry"]) for code, f in simple.items()}
    count = sum(shapely.get_num_coordinates(s) for s in full_shapes.values())
    assert sum(shapely.get_num_coordinates(s) for s in simple_shapes.values()) < count
    assert not simple_shapes["E07000008"].equals_exact(full_shapes["E07000008"], 1e-6)
    # the same places: simplification trims spikes and islets of a few km at most
    assert max(full_shapes[c].hausdorff_distance(simple_shapes[c]) for c in full) < 0.1


def test_item_pages_are_compressed_and_carry_etags(client):
    url = "/ogc/collections/districts/items?limit=6"
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


# ---- schemas (Part 5) and queryables (Part 3) --------------------------------------------

SCHEMA_JSON = "application/schema+json"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"


def is_a(value, json_type: str) -> bool:
    """JSON Schema's types: an integer is any number without a fraction (140.0 too)."""
    if json_type in ("number", "integer") and not isinstance(value, bool):
        number = isinstance(value, int | float)
        return number and (json_type == "number" or float(value).is_integer())
    return isinstance(value, {"string": str, "boolean": bool}[json_type])


def links_by(document: dict) -> dict[tuple[str, str], str]:
    return {(link["rel"], link["type"]): link["href"] for link in document["links"]}


def test_collections_link_their_schema_and_queryables(client):
    for collection in client.get("/ogc/collections").get_json()["collections"]:
        found = links_by(collection)
        base = f"http://localhost/ogc/collections/{collection['id']}"
        assert found[(REL + "schema", SCHEMA_JSON)] == base + "/schema"
        assert found[(REL + "queryables", SCHEMA_JSON)] == base + "/queryables"
        # GDAL takes a layer's geometry and field types from an XML Schema linked so
        assert found[("describedBy", "application/xml")] == base + "/schema?f=xsd"
        assert found[("describedBy", SCHEMA_JSON)] == base + "/schema"
    # Part 3: a Link header to the queryables on what can be filtered
    header = f'<http://localhost/ogc/collections/districts/queryables>; rel="{REL}queryables"'
    assert client.get("/ogc/collections/districts").headers["Link"].startswith(header)
    assert client.get("/ogc/collections/districts/items").headers["Link"].startswith(header)


def test_schema_is_json_schema_with_the_id_and_a_polygonal_geometry(client):
    response = client.get("/ogc/collections/districts/schema")
    assert response.status_code == 200 and response.mimetype == SCHEMA_JSON
    schema = response.get_json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "http://localhost/ogc/collections/districts/schema"
    assert schema["type"] == "object" and schema["title"] == "Local authority districts"
    properties = schema["properties"]
    assert properties["id"]["x-ogc-role"] == "id" and properties["id"]["type"] == "string"
    geometry = properties["geometry"]
    assert geometry["x-ogc-role"] == "primary-geometry"
    assert geometry["format"] == "geometry-polygon-or-multipolygon" and "type" not in geometry
    assert [p["x-ogc-propertySeq"] for p in properties.values()] == list(range(len(properties)))
    # one JSON type each: GDAL and QGIS read a list of types as a string field
    assert all(isinstance(p["type"], str) for n, p in properties.items() if n != "geometry")
    assert (properties["week"]["type"], properties["week"]["format"]) == ("string", "date")
    assert properties["complete"]["type"] == "boolean"
    assert properties["compared"]["enum"] == ["higher", "similar", "lower"]
    assert {"id", "geometry", "code", "name", "week"} <= set(schema["required"])
    assert "rate" not in schema["required"]  # unknown for an incomplete week
    again = client.get(
        "/ogc/collections/districts/schema", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    named = client.get("/ogc/collections/districts/schema?f=application/schema%2Bjson")
    assert named.get_json() == schema


def check_against_schema(schema: dict, features: list[dict]) -> None:
    """Each feature has the schema's properties in order, each of its type or, where the
    schema allows it, null; and a Polygon or a MultiPolygon."""
    properties = {k: v for k, v in schema["properties"].items() if k not in ("id", "geometry")}
    assert features
    for feature in features:
        assert isinstance(feature["id"], str)
        assert list(feature["properties"]) == list(properties)  # the same, in order
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        for name, value in feature["properties"].items():
            if value is None:
                assert name not in schema["required"], name
            else:
                assert is_a(value, properties[name]["type"]), (name, value)
                assert value in properties[name].get("enum", [value]), (name, value)


@pytest.mark.parametrize("collection", ["districts", "regions"])
def test_every_feature_keeps_to_its_schema(client, collection):
    schema = client.get(f"/ogc/collections/{collection}/schema").get_json()
    for week in ("2021-01-07", WEEK):
        check_against_schema(schema, items(client, collection, datetime=week)["features"])


def test_an_indicators_count_and_denominator_are_numbers():
    found = feature_schema.schema("http://x/schema", "CVD", "Deaths.", "indicator", "per 100,000")
    properties = found["properties"]
    assert list(properties)[2:] == features.INDICATOR_PROPERTIES
    assert properties["count"]["type"] == properties["denominator"]["type"] == "number"
    assert "count" not in found["required"] and "value" not in found["required"]
    assert properties["value"]["title"] == "Value (per 100,000)"
    assert properties["vintage"]["type"] == "integer"


def test_field_lists_follow_the_features_properties():
    names = {kind: [f.name for f in feature_schema.fields(kind, "%")] for kind in KINDS}
    assert names["districts"] == FIGURE_COLUMNS + features.DISTRICT_EXTRA + INTERVAL_COLUMNS
    assert names["regions"] == features.REGION_PROPERTIES
    assert names["indicator"] == features.INDICATOR_PROPERTIES


def test_queryables_are_the_boundary_and_the_region(client):
    response = client.get("/ogc/collections/districts/queryables")
    assert response.status_code == 200 and response.mimetype == SCHEMA_JSON
    found = response.get_json()
    assert found["$id"] == "http://localhost/ogc/collections/districts/queryables"
    assert found["type"] == "object" and found["additionalProperties"] is False
    assert set(found["properties"]) == {"geometry", "region"}
    assert found["properties"]["geometry"]["format"] == "geometry-polygon-or-multipolygon"
    assert found["properties"]["region"]["type"] == "string"
    # the region filter picks districts, not regions
    regions = client.get("/ogc/collections/regions/queryables").get_json()
    assert set(regions["properties"]) == {"geometry"}


XS = "{http://www.w3.org/2001/XMLSchema}"


def test_xml_schema_names_a_multipolygon_and_the_properties(client):
    response = client.get("/ogc/collections/regions/schema?f=xsd")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)
    assert root.get("targetNamespace") == "http://localhost/ogc/collections/regions"
    element = root.find(f"{XS}element")
    assert element.get("substitutionGroup") == "gml:AbstractFeature"
    rows = root.findall(f".//{XS}sequence/{XS}element")
    declared = {row.get("name"): row for row in rows}
    assert declared["geometry"].get("type") == "gml:MultiSurfacePropertyType"
    assert [row.get("name") for row in rows[1:]] == features.REGION_PROPERTIES
    assert declared["rate"].get("type") == "xs:double"
    assert declared["rate"].get("nillable") == "true" and declared["name"].get("nillable") is None
    assert declared["week"].get("type") == "xs:date"
    assert declared["population"].get("type") == "xs:int"
    # an indicator's id may start with a digit, which an XML name may not
    text = feature_schema.xml_schema("http://x/c", "2024-obesity", "Obesity", "indicator", "%")
    named = ElementTree.fromstring(text.encode()).find(f"{XS}element")
    assert named.get("name") == "_2024-obesity"
    declared = {row.get("name"): row for row in ElementTree.fromstring(text.encode()).iter()}
    assert declared["count"].get("type") == declared["denominator"].get("type") == "xs:double"
