"""The notebook API for another indicator and for a later vintage of the Covid cases."""

from __future__ import annotations

import pandas as pd
import pytest

import mapserver
from mapserver.core.config import load_settings
from mapserver.core.errors import UnknownIndicator
from mapserver.update.indicators import add

from .conftest import ONS_INDICATOR
from .test_vintage_covid import CASES, NORTH, population, window_cases

CVD = "preventable-cardiovascular-mortality-england"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    store = tmp_path_factory.mktemp("notebook") / "store"
    add(load_settings({"store_dir": store}, environ={}), ONS_INDICATOR)
    return mapserver.load(store_dir=store)


def test_an_indicators_folium_map_speaks_its_unit(data):
    fmap = mapserver.folium_map("north-west", data=data, indicator=CVD, offline=True)
    html = fmap.get_root().render()
    assert "Rate per 100,000 population" in html  # the legend
    assert "Preventable cardiovascular mortality (England), North West: 2022 to 2024" in html
    assert "Blackpool: 54.4 per 100,000 population" in html  # an area's accessible name
    assert "Office for Health Improvement and Disparities" in html  # the source's attribution


def test_an_indicators_frame_is_on_its_periods_districts(data):
    frame = mapserver.region_frame("yorkshire-and-the-humber", data=data, indicator=CVD)
    assert "E06000065" in frame.index and "E07000163" not in frame.index
    assert frame.loc["E06000065", "week"] == "2024-12-31"
    assert frame.geometry.notna().all()


def test_a_later_vintage_of_the_covid_cases(data):
    frame = mapserver.region_frame("east-midlands", week="2021-02-21", data=data, vintage=2023)
    archive = pd.read_csv(CASES, dtype={"areaCode": str, "date": str})
    window = pd.to_datetime(archive["date"]).between("2021-02-15", "2021-02-21")
    cases = window_cases(archive, window, NORTH)
    assert frame.loc["E06000061", "cases"] == cases
    expected = cases / population().loc[sorted(NORTH)].sum() * 100_000
    assert frame.loc["E06000061", "rate"] == round(expected, 1)
    assert not NORTH & set(frame.index)


def test_an_unknown_indicator_names_the_choices(data):
    with pytest.raises(UnknownIndicator, match=CVD):
        mapserver.region_frame("england", data=data, indicator="nope")
