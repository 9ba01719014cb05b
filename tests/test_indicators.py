"""`mapserver add`: indicators from the files as they come, served beside the Covid cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mapserver import create_app
from mapserver.cli import main
from mapserver.figures.intervals import poisson_rate_limits

from .conftest import SHARED_DATA
from .loaded import loaded_values
from .test_formats import FINGERTIPS_HEADER, ft_row, table, write
from .test_update import tree_digest

ONS = SHARED_DATA / "indicators" / "ons_els_preventable-cardiovascular-mortality-england.csv"
CVD = "preventable-cardiovascular-mortality-england"
LAD_PREFIXES = ("E06", "E07", "E08", "E09")


def add(store: Path, *args: str):
    return CliRunner(env={"MAPSERVER_STORE_DIR": str(store)}).invoke(main, ["add", *args])


def client_for(store: Path):
    return create_app({"store_dir": store, "watch_every": "0"}).test_client()


@pytest.fixture(scope="module")
def ons_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("ons") / "store"
    result = add(store, str(ONS))
    assert result.exit_code == 0, result.output
    assert f"indicator {CVD} added" in result.output
    return store


@pytest.fixture(scope="module")
def ons_client(ons_store):
    return client_for(ons_store)


def test_the_ons_file_is_listed_with_the_metadata_title_and_unit(ons_client):
    listed = {item["id"]: item for item in ons_client.get("/api/indicators").get_json()}
    assert list(listed)[0] == "covid-cases"  # the default stays first
    cvd = listed[CVD]
    assert cvd["title"] == "Preventable cardiovascular mortality (England)"
    assert cvd["unit"] == "per 100,000 population"
    assert cvd["decimals"] == 1
    assert cvd["latest"] == {"key": "2022-01-01/P3Y", "label": "2022 to 2024"}
    assert len(cvd["periods"]) == 22


def test_the_latest_period_gives_every_district_the_files_value(ons_client):
    response = ons_client.get(f"/api/rates?indicator={CVD}&region=england")
    assert response.status_code == 200
    served = {row["code"]: row for row in response.get_json()}
    source = pd.read_csv(ONS, encoding="utf-8-sig", dtype={"areacd": str})
    latest = source[source["period"] == "2022-01-01/P3Y"]
    districts = latest[latest["areacd"].str.startswith(LAD_PREFIXES)]
    assert len(districts) == 292
    for row in districts.itertuples():
        assert served[row.areacd]["value"] == round(row.observation, 1), row.areanm
        assert served[row.areacd]["lower"] == round(row.lci_95, 1)
    # The combined areas, given under ONS's own codes, are the merged series.
    combined = latest.set_index("areacd")["observation"]
    assert served["E09000012"]["value"] == round(combined["E67000001"], 1)  # Hackney and City
    assert served["E06000052"]["value"] == round(combined["E67000002"], 1)  # Cornwall, Scilly
    assert len(served) == 294  # 296 districts of 2023, two of them inside merged series
    assert {row["vintage"] for row in served.values()} == {2023}
    assert "E07000163" not in served  # Craven is inside North Yorkshire since 2023
    assert served["E06000065"]["name"] == "North Yorkshire"


def test_a_period_is_named_as_the_source_writes_it(ons_client):
    by_key = ons_client.get(
        f"/api/rates?indicator={CVD}&region=london&period=2019-01-01/P3Y"
    ).get_json()
    by_end = ons_client.get(
        f"/api/rates?indicator={CVD}&region=london&period=2021-12-31"
    ).get_json()
    assert by_key == by_end
    assert by_key[0]["period_text"] == "2019 to 2021"
    missing = ons_client.get(f"/api/rates?indicator={CVD}&region=london&period=1990")
    assert missing.status_code == 404


def test_an_unknown_indicator_is_a_404_naming_the_choices(ons_client):
    response = ons_client.get("/api/rates?indicator=nope&region=england")
    assert response.status_code == 404
    assert CVD in response.get_data(as_text=True)


def test_the_covid_cases_answer_as_before_beside_an_indicator(ons_client):
    rows = ons_client.get("/api/rates?region=anglia&week=2021-02-21").get_json()
    assert [row["rate"] for row in rows[:2]] == [358.6, 273.9]


# --- a Fingertips export, in the real column layout --------------------------------------

FT_INDICATOR = "Lyme disease notifications"


def fingertips_rows() -> list[list[str]]:
    """Several area types, breakdowns, an old year with a unitary and its old districts."""
    other = {"Indicator Name": FT_INDICATOR}
    rows = [
        ft_row("E92000001", "England", "England", "2022", "1.9", "1070", "56500000", other),
        ft_row("E12000004", "East Midlands region", "Region", "2022", "2.1", "101", "4880000"),
        ft_row("E10000024", "Nottinghamshire", "County", "2022", "1.1", "9", "830000", other),
        # 2022 on 2021 districts: North Northamptonshire is a unitary
        ft_row("E06000061", "North Northamptonshire", "UA", "2022", "5.7", "20", "350000", other),
        ft_row("E06000031", "Peterborough", "UA", "2022", "1.5", "3", "204000", other),
        ft_row("E07000010", "Fenland", "District", "2022", "9.8", "10", "102000", other),
        ft_row("E09000012", "Hackney", "District", "2022", "2.2", "6", "270000", other),
        ft_row("E09000001", "City of London", "District", "2022", other=other),
        ft_row("E06000052", "Cornwall", "UA", "2022", "4.4", "25", "570000", other),
        ft_row("E06000053", "Isles of Scilly", "UA", "2022", other=other),
        # a breakdown row: not an area's figure
        ft_row(
            "E06000031",
            "Peterborough",
            "UA",
            "2022",
            "7.0",
            "2",
            "28500",
            other | {"Category Type": "Deprivation", "Category": "Most deprived decile"},
        ),
        # 2020 lists the new unitary and also its old districts
        ft_row("E06000061", "North Northamptonshire", "UA", "2020", "4.0", "14", "348000", other),
        ft_row("E07000150", "Corby", "District", "2020", "6.9", "5", "72000", other),
        ft_row("E07000153", "Kettering", "District", "2020", "3.9", "4", "102000", other),
        ft_row("E06000031", "Peterborough", "UA", "2020", "1.0", "2", "202000", other),
    ]
    return rows


@pytest.fixture(scope="module")
def ft_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fingertips")
    path = write(folder / "lyme.csv", table(FINGERTIPS_HEADER, fingertips_rows()))
    result = add(folder / "store", str(path))
    assert result.exit_code == 0, result.output
    return folder / "store"


def test_a_fingertips_export_loads_with_no_options(ft_store):
    client = client_for(ft_store)
    listed = {item["id"]: item for item in client.get("/api/indicators").get_json()}
    lyme = listed["lyme-disease-notifications"]
    assert lyme["title"] == FT_INDICATOR
    assert [p["key"] for p in lyme["periods"]] == ["2022", "2020"]
    rows = client.get("/api/rates?indicator=lyme-disease-notifications&region=england")
    served = {row["code"]: row for row in rows.get_json()}
    # Rates are computed from the counts: Count / Denominator x 100,000, to 1 decimal.
    assert served["E06000061"]["value"] == round(20 / 350000 * 100_000, 1)
    assert served["E07000010"]["value"] == round(10 / 102000 * 100_000, 1)
    assert served["E06000031"]["value"] == round(3 / 204000 * 100_000, 1)  # not the breakdown
    assert served["E06000031"]["count"] == 3
    # The City and Scilly rows are empty: their areas are in Hackney's and Cornwall's.
    assert served["E09000012"]["value"] == round(6 / 270000 * 100_000, 1)
    assert "E09000001" not in served and "E06000053" not in served
    # Drawn once each: no code twice, and no old district beside its unitary.
    assert len(served) == len(rows.get_json())
    assert "E07000150" not in served
    assert served["E06000061"]["vintage"] == 2021
    # No limits in the file: exact Poisson limits of the computed rate (issue 16).
    lower, upper = poisson_rate_limits([20], [350000], 100_000)
    assert served["E06000061"]["lower"] == round(float(lower[0]), 1)
    assert served["E06000061"]["upper"] == round(float(upper[0]), 1)


def test_an_old_year_uses_the_unitarys_own_row_not_its_parts(ft_store):
    client = client_for(ft_store)
    rows = client.get(
        "/api/rates?indicator=lyme-disease-notifications&region=east-midlands&period=2020"
    )
    served = {row["code"]: row for row in rows.get_json()}
    assert served["E06000061"]["count"] == 14  # its own row, not Corby's 5 + Kettering's 4
    assert served["E06000061"]["value"] == round(14 / 348000 * 100_000, 1)
    assert "E07000150" not in served


# --- refusals ----------------------------------------------------------------------------

PLAIN_HEADER = "code,period,count\n"
REFUSALS = {
    "unknown code": (
        "E06000031,2022,5\nE99999999,2022,3\n",
        "line 3: codes that map to no district: E99999999",
    ),
    "bad period": ("E06000031,2022,5\nE07000010,twenty,3\n", "line 3"),
    "negative count": ("E06000031,2022,-5\n", "line 2: count '-5' is negative"),
    "not a number": ("E06000031,2022,lots\n", "line 2"),
    "duplicate": ("E06000031,2022,5\nE06000031,2022,6\n", "line 3 repeats line 2"),
    "after today": ("E06000031,2030,5\n", "line 2: period 2030 begins after today"),
    "above population": (
        "E06000031,2022,1000000000000\n",
        "line 2: 1,000,000,000,000 counted is more than the area's population of 202,259",
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_exit_2_with_one_line_and_change_nothing(ons_store, tmp_path, name):
    rows, reason = REFUSALS[name]
    path = tmp_path / "bad.csv"
    path.write_text(PLAIN_HEADER + rows)
    before = tree_digest(ons_store)
    result = add(ons_store, str(path), "--id", CVD)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message
    assert str(path.name) in message
    assert reason in message
    assert tree_digest(ons_store) == before


def test_the_england_map_draws_296_areas_on_the_2023_districts(ons_client):
    page = ons_client.get(f"/embed/england?indicator={CVD}").get_data(as_text=True)
    values_url = re.search(r'data-values="([^"]+)"', page).group(1).replace("&amp;", "&")
    geometry_url = re.search(r'data-geometry="([^"]+)"', page).group(1)
    values = loaded_values(ons_client, page, values_url)
    assert values["week_text"] == "2022 to 2024"
    assert values["unit"] == "per 100,000 population"
    assert len(values["areas"]) == 296  # Hackney with the City, Cornwall with Scilly
    assert "E06000065" in values["areas"] and "E07000163" not in values["areas"]
    topology = ons_client.get(geometry_url).get_json()
    drawn = [item["id"] for item in topology["objects"]["areas"]["geometries"]]
    assert len(drawn) == len(set(drawn))  # no area drawn twice
    assert set(values["areas"]) <= set(drawn)
    assert "E07000163" not in drawn  # Craven's outline is inside North Yorkshire's


@pytest.mark.parametrize("page", ["/embed/london", "/map/england"])
def test_a_worker_that_never_served_the_indicator_serves_its_geometry(ons_store, page):
    # Gunicorn's workers are separate processes: the page may come from one and its
    # geometry be asked of another, which has not built the indicator's districts yet.
    served = client_for(ons_store)
    html = served.get(f"{page}?indicator={CVD}").get_data(as_text=True)
    geometry_url = re.search(r'data-geometry="([^"]+)"', html).group(1)
    fresh = client_for(ons_store)
    response = fresh.get(geometry_url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data() == served.get(geometry_url).get_data()
    assert fresh.get(geometry_url.replace("/geo/", "/geo/000000", 1)).status_code == 404


def test_daily_counts_added_as_an_indicator_give_the_covid_figures(tmp_path):
    """The UKHSA archive through `add`: 7-day sums per 100,000, as the Covid maps have."""
    cases = SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
    result = add(tmp_path / "store", str(cases), "--id", "archive")
    assert result.exit_code == 0, result.output
    client = client_for(tmp_path / "store")
    rows = client.get("/api/rates?indicator=archive&region=anglia&period=2021-02-21").get_json()
    assert [(row["name"], row["value"]) for row in rows[:2]] == [
        ("Corby", 358.6),
        ("Peterborough", 273.9),
    ]
    assert rows[0]["count"] == 259 and rows[0]["period_text"] == "7 days to 21 February 2021"
    # October 2020 has no rows for the Northamptonshire districts: unknown, not zero.
    october = client.get(
        "/api/rates?indicator=archive&region=east-midlands&period=2020-10-15"
    ).get_json()
    corby = next(row for row in october if row["code"] == "E07000150")
    assert corby["value"] is None and corby["count"] is None
    listed = {item["id"]: item for item in client.get("/api/indicators").get_json()}
    # The default window ends MAPSERVER_LAG_DAYS (5) before the last day, 13 December 2023.
    assert listed["archive"]["latest"]["key"] == "2023-12-08"


def test_the_map_pages_list_the_indicators_with_their_latest_period(ons_client):
    page = ons_client.get("/map/london").get_data(as_text=True)
    index = page.split('aria-label="Indicators"', 1)[1].split("</nav>", 1)[0]
    assert "Covid-19 cases per 100,000" in index and "7 days to 8 December 2023" in index
    assert f'href="/map/london?indicator={CVD}"' in index
    assert (
        'Preventable cardiovascular mortality (England)</a> <span class="note">2022 to 2024'
        in index
    )
    own = ons_client.get(f"/map/london?indicator={CVD}").get_data(as_text=True)
    assert f'href="/map/london?indicator={CVD}" aria-current="page"' in own


def test_old_districts_are_summed_only_when_all_are_there(tmp_path):
    """2022 on 2021 districts: North Northamptonshire's code makes Buckinghamshire's four
    old districts be summed into E06000060, but only if all four are in the file."""
    rows = ["E06000061,2022,40", "E07000004,2022,10", "E07000005,2022,11", "E07000006,2022,12"]
    complete = rows + ["E07000007,2022,13"]
    cases = {"partial": rows, "complete": complete}
    served = {}
    for name, lines in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_text("code,period,count\n" + "\n".join(lines) + "\n")
        store = tmp_path / name
        assert add(store, str(path)).exit_code == 0
        answer = client_for(store).get(f"/api/rates?indicator={name}&region=south-east")
        served[name] = {row["code"]: row for row in answer.get_json()}
    assert served["partial"]["E06000060"]["count"] is None
    assert served["partial"]["E06000060"]["value"] is None
    assert served["complete"]["E06000060"]["count"] == 10 + 11 + 12 + 13
    assert served["complete"]["E06000060"]["vintage"] == 2021


def test_the_command_line_maps_an_indicator_and_a_later_vintage(ons_store, tmp_path):
    runner = CliRunner(env={"MAPSERVER_STORE_DIR": str(ons_store)})
    table = runner.invoke(
        main, ["rates", "--region", "north-west", "--indicator", CVD, "--top", "2"]
    )
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "Preventable cardiovascular mortality (England), North West: 2022 to 2024"
    assert lines[4].split()[:3] == ["1/294", "Blackpool", "54.4"]
    records = runner.invoke(
        main,
        ["rates", "--region", "london", "--indicator", CVD, "--period", "2019", "--format", "json"],
    )
    assert records.exit_code == 2 and "period 2019 is not in the data" in records.stderr
    facts = runner.invoke(main, ["facts", "--region", "london", "--indicator", CVD])
    assert facts.output.startswith("London: key facts for 2022 to 2024")
    later = runner.invoke(
        main,
        ["rates", "--region", "east-midlands", "--week", "2021-02-21", "--vintage", "2023",
         "--format", "json"],
    )  # fmt: skip
    assert later.exit_code == 0, later.output
    codes = {row["code"] for row in json.loads(later.output)}
    assert "E06000061" in codes and "E07000150" not in codes
    page = tmp_path / "london.html"
    written = runner.invoke(
        main, ["html", "--region", "london", "--indicator", CVD, "-o", str(page)]
    )
    assert written.exit_code == 0, written.output
    assert "Rate per 100,000 population" in page.read_text()


def test_areas_are_compared_with_the_files_england_figure(ons_client):
    rows = ons_client.get(f"/api/rates?indicator={CVD}&region=england").get_json()
    source = pd.read_csv(ONS, encoding="utf-8-sig", dtype={"areacd": str})
    latest = source[source["period"] == "2022-01-01/P3Y"].set_index("areacd")
    england = latest.loc["E92000001", "observation"]
    for row in rows:
        assert row["national"] == round(england, 1)
        # the comparison uses the file's limits, before rounding
        code = {"E09000012": "E67000001", "E06000052": "E67000002"}.get(row["code"], row["code"])
        low, high = latest.loc[code, "lci_95"], latest.loc[code, "uci_95"]
        expected = "higher" if low > england else "lower" if high < england else "similar"
        assert row["compared"] == expected, row["name"]
    # The file gives 95% limits only: no comparison at 99.8% (the Covid cases have both).
    refused = ons_client.get(f"/embed/london?indicator={CVD}&scheme=compared-99.8")
    assert refused.status_code == 400
    assert "needs 99.8% confidence intervals" in refused.get_data(as_text=True)
    covid = ons_client.get("/embed/london?week=2021-02-21&scheme=compared-99.8")
    assert covid.status_code == 200


# --- a Fingertips export's own comparison with England ------------------------------------

# Values and 95% limits are ONS's for 2022 to 2024 (the Explore Local Statistics file);
# the comparison column is as Fingertips words it for an indicator where higher is worse,
# judged by the 95% interval. Peterborough's 99.8% limits are set wider by hand.
COMPARED_ROWS = [
    ("E92000001", "England", "England", "30.2", "29.95", "30.51", "", "", ""),
    ("E06000009", "Blackpool", "UA", "54.4", "47.39", "62.13", "", "", "Worse 95%"),
    ("E06000017", "Rutland", "UA", "27.4", "19.06", "38.22", "", "", "Similar"),
    ("E09000033", "Westminster", "District", "23.7", "19.23", "28.99", "", "", "Better 95%"),
    ("E07000010", "Fenland", "District", "32.9", "26.75", "40.06", "", "", "Similar"),
    ("E08000003", "Manchester", "District", "47.2", "42.85", "51.79", "", "", "Worse 95%"),
    ("E07000242", "East Hertfordshire", "District", "21.6", "17.26", "26.63", "", "", "Better 95%"),
    ("E06000031", "Peterborough", "UA", "35.9", "30.67", "41.79", "27.80", "45.10", "Worse 95%"),
    ("E07000089", "Hart", "District", "", "", "", "", "", "Not compared"),
]
FINGERTIPS_WORDS = {"Worse 95%": "higher", "Better 95%": "lower", "Similar": "similar"}


def test_the_comparison_agrees_with_the_one_fingertips_gives(tmp_path):
    rows = [
        ft_row(
            code,
            name,
            kind,
            "2022 - 24",
            value,
            other={
                "Lower CI 95.0 limit": low,
                "Upper CI 95.0 limit": high,
                "Lower CI 99.8 limit": low_998,
                "Upper CI 99.8 limit": high_998,
                "Compared to England value or percentiles": said,
            },
        )
        for code, name, kind, value, low, high, low_998, high_998, said in COMPARED_ROWS
    ]
    path = write(tmp_path / "cvd.csv", table(FINGERTIPS_HEADER, rows))
    result = add(tmp_path / "store", str(path), "--id", "cvd")
    assert result.exit_code == 0, result.output
    served = client_for(tmp_path / "store").get("/api/rates?indicator=cvd&region=england")
    served = {row["code"]: row for row in served.get_json()}
    for code, name, *_, said in COMPARED_ROWS[1:]:
        assert served[code]["compared"] == FINGERTIPS_WORDS.get(said), name
        assert served[code]["national"] == 30.2
    # At 99.8% Peterborough's interval takes in England's 30.2: similar, not higher.
    assert served["E06000031"]["lower_998"] == 27.8
    assert served["E06000031"]["compared_998"] == "similar"
    assert served["E06000009"]["compared_998"] is None  # no 99.8% limits in the file
