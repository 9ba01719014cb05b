"""Another indicator as an OGC API collection, read by OWSLib and GDAL (through pyogrio)."""

from __future__ import annotations

import pyogrio
import pytest
import requests
from owslib.ogcapi.features import Features

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
