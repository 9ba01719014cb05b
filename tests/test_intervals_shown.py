"""95% limits where people see them: the sparkline's history JSON and the league table."""

from __future__ import annotations

import html
import re
import shutil

import pandas as pd
import pytest

from mapserver.figures.covid import load_dataset

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


def test_the_league_table_gives_each_interval_as_text_and_a_bar(ons_client):
    page = ons_client.get(f"/map/london?indicator={CVD}").get_data(as_text=True)
    rows = {
        row["code"]: row
        for row in ons_client.get(f"/api/rates?indicator={CVD}&region=london").get_json()
    }
    head = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    assert '<th scope="col" data-type="number"><button type="button">95% CI</button></th>' in head
    cells = re.findall(
        r'<tr data-code="(\w+)">.*?<td class="ci" data-sort="([^"]*)">([^<]*)(<svg.*?</svg>)?</td>',
        page,
        re.S,
    )
    assert len(cells) == len(rows) == 32  # the City is with Hackney
    for code, sort, text, bar in cells:
        row = rows[code]
        assert text == f"{row['lower']:.1f} to {row['upper']:.1f}", row["name"]
        assert round(float(sort), 1) == row["lower"]
        assert 'aria-hidden="true"' in bar and 'class="ci-bar-rate"' in bar
        # The range starts on the track, before the dot; the national tick is on the scale.
        x = {
            name: float(value)
            for name, value in re.findall(r'class="ci-bar-(\w+)" (?:x1|cx)="([\d.]+)"', bar)
        }
        assert x["track"] <= x["range"] <= x["rate"] <= 57
        assert x["national"] == pytest.approx(3 + row["national"] / top(rows) * 54, abs=0.06)


def top(rows: dict) -> float:
    """The bars' scale: the highest upper limit (or national figure) in the table."""
    return max(max(row["upper"], row["national"]) for row in rows.values())


def test_the_covid_league_table_has_its_interval_column(client_tiny):
    response = client_tiny.get("/map/england?week=2021-01-14")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "95% CI" in page
    cells = {code: text for code, (_, text) in ci_cells(page).items()}
    # Alpha 70 cases in 100,000 and Charlie and Delta 70 in 100,000: exact Poisson 54.6 to
    # 88.4; Bravo none in 50,000: 0.0 to 7.4.
    assert cells == {
        "E06000901": "54.6 to 88.4",
        "E06000903": "54.6 to 88.4",
        "E06000902": "0.0 to 7.4",
    }
    # England's total, 140 cases over 250,000 people: 56.0, exact Poisson 47.1 to 66.1.
    assert "56.0</strong> per 100,000 (95% confidence interval 47.1 to 66.1)" in page


def test_compared_at_998_the_table_gives_the_998_intervals(client_tiny):
    # The map colours by the 99.8% comparison: the table says the same intervals.
    page = client_tiny.get("/map/england?week=2021-01-14&scheme=compared-99.8")
    page = page.get_data(as_text=True)
    assert '<button type="button">99.8% CI</button>' in page and ">95% CI<" not in page
    assert "99.8% CI: the 99.8% confidence interval" in page
    cells = ci_cells(page)
    texts = {code: text for code, (_, text) in cells.items()}
    # 70 cases in 100,000: exact Poisson 99.8% limits 46.96 to 99.91 (chi-squared 0.001
    # and 0.999 quantiles on 140 and 142 degrees of freedom, halved); none in 50,000:
    # 0 to 6.908, per 100,000 0.0 to 13.8.
    assert texts == {
        "E06000901": "47.0 to 99.9",
        "E06000903": "47.0 to 99.9",
        "E06000902": "0.0 to 13.8",
    }
    assert round(float(cells["E06000901"][0]), 1) == 47.0  # sorted by the 99.8% lower limit


def ci_cells(page: str) -> dict[str, tuple[str, str]]:
    """Each league row's interval cell: its sort key and its text, by area code."""
    found = re.findall(
        r'<tr data-code="(\w+)">.*?<td class="ci" data-sort="([^"]*)">([^<]*)', page, re.S
    )
    return {code: (sort, text) for code, sort, text in found}


@pytest.fixture
def client_tiny(tmp_path):
    from mapserver import create_app

    from .conftest import tiny_config

    return create_app({**tiny_config(), "store_dir": tmp_path / "store"}).test_client()
