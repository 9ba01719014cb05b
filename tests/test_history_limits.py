"""The sparkline's history carries each rate's 95% limits beside the rates themselves."""

from __future__ import annotations

import html
import re
import shutil

import pandas as pd
import pytest

from mapserver.dataset import load_dataset

from .conftest import ONS_INDICATOR, TINY, tiny_settings
from .test_indicators import CVD, add, client_for


@pytest.fixture
def ten_cases(tmp_path):
    """The tiny fixture, but Alpha (100,000 people) has 10 cases in the 7 days to 14 January."""
    data = tmp_path / "tiny"
    shutil.copytree(TINY, data)
    cases = pd.read_csv(data / "cases.csv")
    alpha = (cases["areaCode"] == "E06000901") & (cases["date"] >= "2021-01-08")
    cases.loc[alpha, "newCasesBySpecimenDate"] = [1, 1, 1, 1, 2, 2, 2]
    cases.to_csv(data / "cases.csv", index=False)
    return load_dataset(tiny_settings(data_dir=data, regions_file=data / "regions.toml"))


def test_covid_history_gives_exact_poisson_limits_rounded_as_the_rates(ten_cases):
    england = ten_cases.history(ten_cases.region("england"), pd.Timestamp("2021-01-14"))
    assert england["weeks"] == ["2021-01-07", "2021-01-14"]
    # Alpha: 70 then 10 cases in 100,000. Exact Poisson 95% limits of the count (tabled):
    # 70 -> 54.57 to 88.44; 10 -> 4.795 to 18.39.
    assert england["rates"]["E06000901"] == [70.0, 10.0]
    assert england["lower"]["E06000901"] == [54.6, 4.8]
    assert england["upper"]["E06000901"] == [88.4, 18.4]
    # Bravo: 35 then 0 cases in 50,000. 35 -> 24.38 to 48.68; 0 -> 0 to 3.689 (x 2).
    assert england["rates"]["E06000902"] == [70.0, 0.0]
    assert england["lower"]["E06000902"] == [48.8, 0.0]
    assert england["upper"]["E06000902"] == [97.4, 7.4]
    # Charlie and Delta are one series (35 then 70 in 100,000): both get its limits.
    assert england["lower"]["E06000903"] == england["lower"]["E06000904"] == [24.4, 54.6]
    assert england["upper"]["E06000903"] == england["upper"]["E06000904"] == [48.7, 88.4]
    # Echo has no rows after 7 January: no rate, so no limits either (null, not 0).
    wales = ten_cases.history(ten_cases.region("wales"), pd.Timestamp("2021-01-14"))
    assert wales["rates"]["W06000901"] == [70.0, None]
    assert wales["lower"]["W06000901"][1] is None and wales["upper"]["W06000901"][1] is None
    # 7 in 10,000: 2.814 to 14.42 -> 28.1 to 144.2 per 100,000.
    assert (wales["lower"]["W06000901"][0], wales["upper"]["W06000901"][0]) == (28.1, 144.2)


def test_the_rates_are_unchanged_beside_the_new_keys(tiny):
    history = tiny.history(tiny.region("england"), pd.Timestamp("2021-01-14"))
    assert list(history) == ["weeks", "rates", "lower", "upper"]
    assert history["rates"] == {
        "E06000901": [70.0, 70.0],
        "E06000902": [70.0, 0.0],
        "E06000903": [35.0, 70.0],
        "E06000904": [35.0, 70.0],
    }


@pytest.fixture(scope="module")
def ons_client(tmp_path_factory):
    store = tmp_path_factory.mktemp("ons-history") / "store"
    result = add(store, str(ONS_INDICATOR))
    assert result.exit_code == 0, result.output
    return client_for(store)


def test_indicator_history_limits_are_the_figures_limits(ons_client):
    page = ons_client.get(f"/embed/london?indicator={CVD}").get_data(as_text=True)
    template = html.unescape(re.search(r'data-history-template="([^"]+)"', page).group(1))
    history = ons_client.get(template.replace("{week}", "2024-12-31")).get_json()
    assert len(history["weeks"]) == 12 and history["weeks"][-1] == "2024-12-31"
    checked = 0
    for i, week in enumerate(history["weeks"]):
        start = (pd.Timestamp(week) - pd.DateOffset(years=3) + pd.Timedelta(days=1)).date()
        rows = ons_client.get(
            f"/api/rates?indicator={CVD}&region=london&period={start}/P3Y"
        ).get_json()
        assert rows, week
        for row in rows:
            assert history["rates"][row["code"]][i] == row["value"], (week, row["name"])
            assert history["lower"][row["code"]][i] == row["lower"], (week, row["name"])
            assert history["upper"][row["code"]][i] == row["upper"], (week, row["name"])
            checked += row["lower"] is not None
    assert checked > 300  # the file's own limits, not nulls compared with nulls
