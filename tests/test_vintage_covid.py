"""The Covid archive re-coded as the real feed was from April 2021, through `update`.

From 2021-04-01 the feed reported North Northamptonshire (E06000061) and West
Northamptonshire (E06000062) instead of their seven old districts. Each week is drawn on
the districts its codes need, and a reader may ask for a later vintage.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from mapserver import create_app
from mapserver.cli import main

from .conftest import SHARED_DATA
from .loaded import exported_values

CASES = SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
POPULATION = SHARED_DATA / "population" / "ons_mye2019_population_lad19.csv"
NORTH = {
    "E07000150",
    "E07000152",
    "E07000153",
    "E07000156",
}  # Corby, E Northants, Kettering, W'boro
WEST = {"E07000151", "E07000154", "E07000155"}  # Daventry, Northampton, South Northants
SWITCH = pd.Timestamp("2021-04-01")


def recoded(cases: pd.DataFrame) -> pd.DataFrame:
    """The archive with the seven districts summed into the two unitaries from SWITCH on."""
    dates = pd.to_datetime(cases["date"])
    unitary = cases["areaCode"].map(
        {**dict.fromkeys(NORTH, "E06000061"), **dict.fromkeys(WEST, "E06000062")}
    )
    moved = unitary.notna() & (dates >= SWITCH)
    summed = (
        cases[moved]
        .assign(areaCode=unitary[moved])
        .groupby(["areaCode", "date"], as_index=False)["newCasesBySpecimenDate"]
        .sum()
    )
    names = {"E06000061": "North Northamptonshire", "E06000062": "West Northamptonshire"}
    summed = summed.assign(areaName=summed["areaCode"].map(names), areaType="ltla")
    out = pd.concat([cases[~moved], summed[cases.columns]], ignore_index=True)
    return out.sort_values(["areaCode", "date"])


@pytest.fixture(scope="module")
def archive() -> pd.DataFrame:
    return pd.read_csv(CASES, dtype={"areaCode": str, "date": str})


@pytest.fixture(scope="module")
def updated(archive, tmp_path_factory):
    """An app serving the store after `mapserver update` with the re-coded archive."""
    folder = tmp_path_factory.mktemp("recoded")
    path = folder / "recoded.csv"
    recoded(archive).to_csv(path, index=False)
    env = {"MAPSERVER_STORE_DIR": str(folder / "store"), "MAPSERVER_DATA_DIR": str(SHARED_DATA)}
    result = CliRunner(env=env).invoke(main, ["update", str(path)])
    assert result.exit_code == 0, result.output
    assert "data mismatch" not in result.output
    app = create_app({"data_dir": SHARED_DATA, "store_dir": folder / "store", "watch_every": "0"})
    return app.test_client()


def rates(client, **params) -> dict[str, dict]:
    response = client.get("/api/rates", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["code"]: row for row in response.get_json()}


def window_cases(archive: pd.DataFrame, window: pd.Series, codes: set[str]) -> int:
    """The archive's cases for `codes` on the days of `window`, summed."""
    rows = window & archive["areaCode"].isin(codes)
    return int(archive.loc[rows, "newCasesBySpecimenDate"].sum())


def population() -> pd.Series:
    frame = pd.read_csv(POPULATION, dtype={"areaCode": str})
    return frame.set_index("areaCode")["population_mid2019"]


def test_february_keeps_the_published_figures(updated):
    rows = rates(updated, region="anglia", week="2021-02-21")
    assert rows["E07000150"]["rate"] == 358.6  # Corby
    assert rows["E06000031"]["rate"] == 273.9  # Peterborough
    assert "E06000061" not in rows


def test_may_shows_north_northamptonshire_as_one_area(updated, archive):
    rows = rates(updated, region="east-midlands", week="2021-05-16")
    assert not NORTH & set(rows)
    assert not WEST & set(rows)
    window = pd.to_datetime(archive["date"]).between("2021-05-10", "2021-05-16")
    for code, parts in (("E06000061", NORTH), ("E06000062", WEST)):
        cases = int(
            archive.loc[window & archive["areaCode"].isin(parts), "newCasesBySpecimenDate"].sum()
        )
        assert rows[code]["cases"] == cases
        expected = cases / population().loc[sorted(parts)].sum() * 100_000
        assert rows[code]["rate"] == round(expected, 1)
    assert rows["E06000061"]["name"] == "North Northamptonshire"
    # The other districts of the region keep their own rows.
    assert "E06000016" in rows  # Leicester


def test_a_later_vintage_sums_the_february_districts(updated, archive):
    rows = rates(updated, region="east-midlands", week="2021-02-21", vintage="2023")
    window = pd.to_datetime(archive["date"]).between("2021-02-15", "2021-02-21")
    cases = int(
        archive.loc[window & archive["areaCode"].isin(NORTH), "newCasesBySpecimenDate"].sum()
    )
    assert rows["E06000061"]["cases"] == cases
    expected = cases / population().loc[sorted(NORTH)].sum() * 100_000
    assert rows["E06000061"]["rate"] == round(expected, 1)
    assert "E07000150" not in rows


def test_going_back_a_vintage_is_refused_with_the_reason(updated):
    response = updated.get("/api/rates?region=east-midlands&week=2021-05-16&vintage=2019")
    assert response.status_code == 400
    assert "split" in response.get_data(as_text=True)


def test_the_map_of_a_later_vintage_draws_the_merged_area(updated):
    page = updated.get("/embed/east-midlands?week=2021-02-21&vintage=2023")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "vintage=2023" in html  # the values it loads are on the same districts
    geometry = next(part.split('"')[0] for part in html.split("/geo/")[1:] if part.split('"')[0])
    topo = updated.get(f"/geo/{geometry}").get_json()
    codes = {item["id"] for item in topo["objects"]["areas"]["geometries"]}
    assert "E06000061" in codes
    assert not NORTH & codes


def test_the_ogc_districts_follow_the_weeks_districts(updated):
    may = updated.get("/ogc/collections/districts/items?datetime=2021-05-16&limit=500").get_json()
    codes = {feature["id"] for feature in may["features"]}
    assert "E06000061" in codes and not NORTH & codes
    north = next(f for f in may["features"] if f["id"] == "E06000061")["properties"]
    assert north["rate"] is not None and north["name"] == "North Northamptonshire"
    later = updated.get(
        "/ogc/collections/districts/items/E06000061?datetime=2021-02-21&vintage=2023"
    )
    assert later.status_code == 200
    rows = rates(updated, region="east-midlands", week="2021-02-21", vintage="2023")
    assert later.get_json()["properties"]["rate"] == rows["E06000061"]["rate"]
    february = updated.get("/ogc/collections/districts/items/E07000150?datetime=2021-02-21")
    assert february.get_json()["properties"]["rate"] == 358.6  # Corby, on its own districts


def test_a_later_area_with_an_old_district_missing_is_unknown(archive, tmp_path):
    """Kettering left out of the file: North Northamptonshire on 2021 districts has no
    figure (a sum of three of its four districts would be silently low)."""
    from mapserver.core.config import load_settings
    from mapserver.figures.covid import load_dataset

    path = tmp_path / "without-kettering.csv"
    archive[archive["areaCode"] != "E07000153"].to_csv(path, index=False)
    settings = load_settings({"data_dir": SHARED_DATA, "cases": str(path)}, environ={})
    week = pd.Timestamp("2021-02-21")
    figures = load_dataset(settings).at(2021).figures(week)
    assert pd.isna(figures.loc["E06000061", "rate"])
    assert not figures.loc["E06000061", "complete"]
    assert figures.loc["E06000062", "rate"] > 0  # West Northamptonshire has all three


def test_a_static_export_draws_each_week_on_its_districts(updated, tmp_path):
    """The last weeks of the re-coded feed are on 2021 districts: the exported map of such
    a week loads a geometry file (written) that has North Northamptonshire."""
    import re

    from mapserver.web.export import export_site

    app = updated.application
    report = export_site(app, tmp_path / "site", 1)
    week = report.weeks[0]
    site = tmp_path / "site"
    page = (site / "embed" / "east-midlands" / "index.html").read_text()
    geometry = re.search(r'data-geometry="\.\./\.\./([^"]+)"', page).group(1)
    topology = json.loads((site / geometry).read_text())
    drawn = {item["id"] for item in topology["objects"]["areas"]["geometries"]}
    assert "E06000061" in drawn and not NORTH & drawn
    figures = exported_values(site, page)
    assert figures["week"] == week and "E06000061" in figures["areas"]


def test_the_wide_counts_are_the_rows_pivoted_onto_every_day():
    from mapserver.figures.covid import _wide

    rows = pd.DataFrame(
        {
            "code": ["E06000062", "E07000150", "E06000061", "E07000150", "E06000062"],
            "date": pd.to_datetime(
                ["2021-04-03", "2021-03-30", "2021-04-01", "2021-03-31", "2021-04-01"]
            ),
            "cases": [4, 0, 7, 2, 9],
        }
    )
    pivoted = rows.pivot(index="date", columns="code", values="cases").astype("float64")
    every_day = pd.date_range("2021-03-30", "2021-04-03", freq="D", name="date")
    pd.testing.assert_frame_equal(
        _wide(rows), pivoted.reindex(every_day), check_exact=True, check_freq=True
    )
