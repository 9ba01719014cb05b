"""Another indicator as an OGC API collection, read by OWSLib and GDAL (through pyogrio)."""

from __future__ import annotations

import pyogrio
import pytest
import requests
from owslib.ogcapi.features import Features

from .test_ogc import check_against_schema
from .test_ogc_clients import POLYGONAL, ogrinfo

CVD = "preventable-cardiovascular-mortality-england"


@pytest.fixture(scope="module")
def ogc(indicator_server):
    return Features(f"{indicator_server}/ogc/")


def api(base: str, region: str, **params) -> dict[str, dict]:
    params = {"indicator": CVD, "region": region, **params}
    response = requests.get(f"{base}/api/rates", params=params, timeout=30)
    return {row["code"]: row for row in response.json()}


def test_owslib_lists_the_indicator_beside_the_covid_collections(ogc):
    assert ogc.feature_collections() == ["districts", "regions", CVD]
    about = ogc.collection(CVD)
    assert about["title"] == "Preventable cardiovascular mortality (England)"
    assert about["extent"]["temporal"]["interval"] == [
        ["2001-01-01T00:00:00Z", "2024-12-31T00:00:00Z"]
    ]


def test_owslib_reads_a_period_with_the_api_figures(indicator_server, ogc):
    found = ogc.collection_items(CVD, datetime_="2021-12-31", region="yorkshire-and-the-humber")
    expected = api(indicator_server, "yorkshire-and-the-humber", period="2019-01-01/P3Y")
    assert found["numberMatched"] == len(found["features"]) == len(expected) == 15
    for feature in found["features"]:
        properties = feature["properties"]
        assert properties["period_text"] == "2019 to 2021"
        assert properties["value"] == expected[feature["id"]]["value"] is not None
        assert properties["lower"] == expected[feature["id"]]["lower"]
    assert "E06000065" in {feature["id"] for feature in found["features"]}  # North Yorkshire
    assert "E07000163" not in {feature["id"] for feature in found["features"]}  # not Craven


def test_gdal_reads_the_indicator_collection(indicator_server):
    url = f"OAPIF:{indicator_server}/ogc/"
    frame = pyogrio.read_dataframe(url, layer=CVD)
    assert len(frame) == 296 + 22 + 32 + 11  # England 2023, Wales, Scotland, NI districts
    england = frame[frame["country"] == "England"]
    assert england["value"].notna().sum() == 296
    assert "E07000163" not in set(frame["code"])


def test_owslib_reads_the_schema_and_queryables_of_every_collection(ogc):
    for collection in ogc.feature_collections():
        assert ogc.collection_schema(collection)["properties"]["geometry"]["format"] == POLYGONAL
        queryables = ogc.collection_queryables(collection)["properties"]
        assert queryables["geometry"]["format"] == POLYGONAL
    schema = ogc.collection_schema(CVD)
    properties = schema["properties"]
    # numbers even where every district's is null, as this indicator's are
    assert properties["count"]["type"] == properties["denominator"]["type"] == "number"
    assert properties["value"]["title"] == "Value (per 100,000 population)"
    assert set(ogc.collection_queryables(CVD)["properties"]) == {"geometry", "region"}
    for period in ("2021-12-31", None):
        found = ogc.collection_items(CVD, limit=1000, datetime_=period)["features"]
        check_against_schema(schema, found)


def test_ogrinfo_reads_multipolygons_and_numeric_counts(indicator_server):
    for layer in ("districts", "regions", CVD):
        geometry, fields = ogrinfo(indicator_server, layer)
        assert geometry == "Multi Polygon", layer
    assert (fields["count"], fields["denominator"], fields["value"]) == ("Real",) * 3
    assert (fields["rank"], fields["suppressed"]) == ("Integer", "Integer(Boolean)")
    info = pyogrio.read_info(f"OAPIF:{indicator_server}/ogc/", layer=CVD)
    assert info["geometry_type"] == "MultiPolygon"
    dtypes = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert dtypes["count"] == dtypes["denominator"] == "float64"
