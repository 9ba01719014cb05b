"""Real GIS clients against a real `mapserver serve` on the real data: OWSLib and GDAL's
OAPIF driver (through pyogrio, whose wheel bundles a GDAL built with it)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pyogrio
import pytest
import requests
from owslib.ogcapi.features import Features
from shapely.geometry import shape

from .test_ogc import check_against_schema

WEEK = "2021-02-21"
POLYGONAL = "geometry-polygon-or-multipolygon"


def ogrinfo(server: str, layer: str) -> tuple[str, dict[str, str]]:
    """What `ogrinfo -ro -so OAPIF:<server>/ogc/ <layer>` reports: the geometry type and
    each field's type. Debian's ogrinfo (gdal-bin), which `make test` installs."""
    if shutil.which("ogrinfo") is None:
        pytest.fail("ogrinfo is missing: `make gdal` installs Debian's gdal-bin")
    command = ["ogrinfo", "-ro", "-so", f"OAPIF:{server}/ogc/", layer]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    geometry = re.search(r"^Geometry: (.+)$", result.stdout, re.M).group(1)
    fields = dict(re.findall(r"^(\w+): (\w+(?:\(\w+\))?) \(", result.stdout, re.M))
    return geometry, fields


@pytest.fixture(scope="module")
def ogc(server):
    return Features(f"{server}/ogc/")


def rates(server, region: str, week: str | None = None) -> dict:
    params = {"region": region, **({"week": week} if week else {})}
    response = requests.get(f"{server}/api/rates", params=params, timeout=30)
    assert response.status_code == 200
    return {record["code"]: record for record in response.json()}


def test_owslib_lists_the_collections_and_reads_the_definition(ogc):
    assert ogc.feature_collections() == ["districts", "regions"]
    definition = ogc.api()  # found through the landing page's service-desc link
    assert definition["openapi"].startswith("3.0")
    assert "/ogc/collections/{collection_id}/items" in definition["paths"]
    conforms = ogc.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_owslib_reads_the_east_of_england_for_a_week_with_the_api_rates(server, ogc):
    region = ogc.collection_item("regions", "east-of-england")
    bbox = list(shape(region["geometry"]).bounds)
    # the bbox alone also catches neighbours in London, the East Midlands and the South East
    around = ogc.collection_items("districts", bbox=bbox, limit=200, datetime_=WEEK)
    assert around["numberMatched"] == around["numberReturned"] > 45
    found = ogc.collection_items(
        "districts", bbox=bbox, limit=100, datetime_=WEEK, region="east-of-england"
    )
    assert found["numberMatched"] == found["numberReturned"] == len(found["features"]) == 45
    expected = rates(server, "east-of-england", WEEK)
    assert len(expected) == 45
    for feature in found["features"]:
        properties = feature["properties"]
        record = expected[properties["code"]]
        assert properties["rate"] == record["rate"] and properties["rate"] is not None
        assert properties["cases"] == record["cases"]
        assert properties["rank"] == record["rank"]
        assert properties["week"] == WEEK
        assert shape(feature["geometry"]).intersects(shape(region["geometry"]))
    codes = {feature["id"] for feature in around["features"]}
    assert set(expected) <= codes
    # the region's total is the sum of cases over the sum of population
    total = ogc.collection_items("regions", datetime_=WEEK, limit=100)
    east = next(f for f in total["features"] if f["id"] == "east-of-england")["properties"]
    assert east["cases"] == sum(record["cases"] for record in expected.values())


def test_gdal_oapif_pages_through_every_england_district(server):
    assert "OAPIF" in pyogrio.list_drivers()
    source = f"OAPIF:{server}/ogc/"
    layers = [name for name, _ in pyogrio.list_layers(source)]
    assert layers == ["districts", "regions"]
    # 50 a page: GDAL has to follow the next links to read all 382 districts
    frame = pyogrio.read_dataframe(source, layer="districts", PAGE_SIZE=50)
    assert len(frame) == 382 and frame["code"].is_unique
    england = frame[frame["country"] == "England"]
    assert len(england) == 317
    assert england.geometry.notna().all() and england.geometry.is_valid.all()
    assert frame.crs.to_epsg() == 4326
    # the default week's figures, as /api/rates gives them for the series of each district
    expected = rates(server, "england")
    for row in england.itertuples():
        record = expected[row.series]
        assert row.rate == record["rate"] or (row.rate != row.rate and record["rate"] is None)
    norwich = england.set_index("code").loc["E07000148"]
    assert norwich["name"] == "Norwich" and norwich.geometry.area > 0


def test_gdal_where_on_region_as_the_readme_shows(server):
    # ogr2ogr ... OAPIF:http://…/ogc/ districts -where "region = 'East of England'"
    frame = pyogrio.read_dataframe(
        f"OAPIF:{server}/ogc/", layer="districts", where="region = 'East of England'"
    )
    assert len(frame) == 45 and set(frame["region"]) == {"East of England"}
    by_name = requests.get(
        f"{server}/ogc/collections/districts/items",
        params={"region": "East of England"},
        timeout=30,
    ).json()
    assert by_name["numberMatched"] == 45


def test_owslib_reads_the_schema_and_queryables_of_each_collection(server, ogc):
    for collection in ogc.feature_collections():
        schema = ogc.collection_schema(collection)
        assert schema["$id"] == f"{server}/ogc/collections/{collection}/schema"
        assert schema["properties"]["geometry"]["format"] == POLYGONAL
        queryables = ogc.collection_queryables(collection)
        assert queryables["$id"] == f"{server}/ogc/collections/{collection}/queryables"
        assert queryables["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
        # every feature of the real data, a week of the first wave (with unknown figures)
        # and the default week
        for week in ("2020-03-15", None):
            found = ogc.collection_items(collection, limit=1000, datetime_=week)
            check_against_schema(schema, found["features"])


def test_ogrinfo_reports_multipolygon_layers_with_typed_fields(server):
    for layer in ("districts", "regions"):
        geometry, fields = ogrinfo(server, layer)
        assert geometry == "Multi Polygon", layer
        assert (fields["cases"], fields["rate"], fields["week"]) == ("Integer", "Real", "Date")
        # pyogrio's own GDAL (newer than Debian's) reads the same
        assert pyogrio.read_info(f"OAPIF:{server}/ogc/", layer=layer)["geometry_type"] == (
            "MultiPolygon"
        )
    assert fields["population"] == "Integer"
