"""End-to-end checks on the real data in ../shared/data."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import chi2

from mapserver.cli import main

from .conftest import SHARED_DATA

CSV_HEADER = (
    "code,name,cases,rate,previous_cases,previous_rate,change,change_pct,rank,rank_of,"
    "lower,upper,lower_998,upper_998,national,compared,compared_998"
)


def independent_england_table(week: str) -> pd.DataFrame:
    """England's 7-day rates computed with plain pandas from the raw files.

    Written without the project's functions. The two dashboard merges are spelled
    out here as domain facts: Isles of Scilly is inside Cornwall's series and the
    City of London inside Hackney's.
    """
    merges = {"E06000053": "E06000052", "E09000001": "E09000012"}
    raw = pd.read_csv(SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv")
    raw = raw[raw["areaCode"].str.startswith("E")]
    raw["series"] = raw["areaCode"].replace(merges)
    raw["date"] = pd.to_datetime(raw["date"])
    end = pd.Timestamp(week)

    def window(last):
        rows = raw[(raw["date"] > last - pd.Timedelta(days=7)) & (raw["date"] <= last)]
        grouped = rows.groupby("series")["newCasesBySpecimenDate"]
        summed = grouped.sum()
        return summed[grouped.count() == 7]  # only areas with all seven days

    pop = pd.read_csv(SHARED_DATA / "population" / "ons_mye2019_population_lad19.csv")
    pop = pop[pop["areaCode"].str.match(r"^E0[6789]")]
    pop["series"] = pop["areaCode"].replace(merges)
    population = pop.groupby("series")["population_mid2019"].sum()

    table = pd.DataFrame(
        {"cases": window(end), "previous_cases": window(end - pd.Timedelta(7, "D"))}
    )
    people = population.reindex(table.index)
    table["rate"] = table["cases"] / people * 1e5
    # Exact Poisson limits (chi-square), and England's rate: all cases over all people.
    for suffix, level in (("", 0.95), ("_998", 0.998)):
        alpha = 1 - level
        low = pd.Series(chi2.ppf(alpha / 2, 2 * table["cases"]) / 2, index=table.index)
        high = pd.Series(chi2.ppf(1 - alpha / 2, 2 * table["cases"] + 2) / 2, index=table.index)
        table["lower" + suffix] = low.where(table["cases"] > 0, 0) / people * 1e5
        table["upper" + suffix] = high / people * 1e5
    table["national"] = table["cases"].sum() / people.sum() * 1e5
    table["previous_rate"] = table["previous_cases"] / population.reindex(table.index) * 1e5
    table["change"] = table["cases"] - table["previous_cases"]
    table["change_pct"] = table["change"] / table["previous_cases"] * 100
    table["rank"] = table["rate"].rank(ascending=False, method="min").astype(int)
    table["rank_of"] = len(table)
    return table.sort_values("rate", ascending=False)


@pytest.fixture
def cli_env(monkeypatch):
    monkeypatch.setenv("MAPSERVER_DATA_DIR", str(SHARED_DATA))
    for name in ("MAPSERVER_CASES", "MAPSERVER_LAG_DAYS", "MAPSERVER_STRICT"):
        monkeypatch.delenv(name, raising=False)


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_rates_csv_matches_an_independent_computation(cli_env):
    result = run(
        "rates", "--region", "england", "--week", "2021-02-14", "--top", "10", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == CSV_HEADER
    rows = list(csv.DictReader(io.StringIO(result.output)))
    expected = independent_england_table("2021-02-14").head(10)
    assert len(rows) == 10
    assert len(independent_england_table("2021-02-14")) == 315
    for row, (code, want) in zip(rows, expected.iterrows(), strict=True):
        assert row["code"] == code
        assert int(row["cases"]) == want["cases"]
        assert float(row["rate"]) == round(want["rate"], 1)
        assert int(row["previous_cases"]) == want["previous_cases"]
        assert float(row["previous_rate"]) == round(want["previous_rate"], 1)
        assert int(row["change"]) == want["change"]
        assert float(row["change_pct"]) == round(want["change_pct"], 1)
        assert (int(row["rank"]), int(row["rank_of"])) == (want["rank"], 315)
        for name in ("lower", "upper", "lower_998", "upper_998", "national"):
            assert float(row[name]) == round(want[name], 1), name
        expected_class = "higher" if want["lower"] > want["national"] else "similar"
        assert row["compared"] == expected_class
    assert rows[0]["name"] == "Corby"


def test_table_format_names_the_week_and_total(cli_env):
    result = run("rates", "--region", "east-of-england", "--week", "2021-02-21", "--top", "3")
    assert result.exit_code == 0, result.output
    assert "7 days to 21 February 2021" in result.output
    assert "Peterborough" in result.output and "2/315" in result.output
    assert "Region total:" in result.output


def test_json_format(cli_env):
    result = run("rates", "--region", "E12000006", "--week", "2021-02-21", "--format", "json")
    records = json.loads(result.output)
    assert len(records) == 45
    assert records[0]["name"] == "Peterborough" and records[0]["cases"] == 554
    assert records[0]["rank"] == 2 and records[0]["rank_of"] == 315


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--region", "atlantis"], "choose from england"),
        (["--region", "england", "--week", "21/02/2021"], "YYYY-MM-DD"),
        (["--region", "england", "--week", "2021-02-30"], "between 2020-02-05 and"),
        (["--region", "england", "--week", "2019-06-01"], "between 2020-02-05 and 2023-12-08"),
        (["--region", "england", "--week", "2023-12-12"], "between 2020-02-05 and 2023-12-08"),
        (["--region", "england", "--top", "0"], "must be 1 or more"),
        (["--region", "england", "--format", "xml"], "table"),
    ],
)
def test_bad_input_is_a_one_line_error_with_status_2(cli_env, args, expected):
    result = CliRunner().invoke(main, ["rates", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]


def test_default_week_lags_the_latest_date(real):
    assert real.last_date == pd.Timestamp("2023-12-13")
    assert real.default_week == pd.Timestamp("2023-12-08")


def test_regions_and_merged_areas_on_real_data(real):
    england = real.region("england")
    assert len(england.districts) == 317
    assert len(england.series(real.lookup)) == 315
    assert len(real.region("anglia").districts) == 53
    assert real.reconciliation.covered == {"E06000053": "E06000052", "E09000001": "E09000012"}
    assert real.reconciliation.ok
    cornwall = real.figures(pd.Timestamp("2021-02-21")).loc["E06000052"]
    assert cornwall["name"] == "Cornwall and Isles of Scilly"


def test_october_2020_gap_is_unknown_not_zero(real):
    figures = real.figures(pd.Timestamp("2020-10-20"))
    corby = figures.loc["E07000150"]
    assert pd.isna(corby["rate"]) and not corby["complete"]
    england = figures[figures["country"] == "England"]
    # Bucks (4) and Northants (7) lack October; Hackney's October rows sit under the
    # City of London's code and are counted in its series.
    assert (~england["complete"]).sum() == 11
    assert england["rank_of"].dropna().unique().tolist() == [304]
    assert figures.loc["E09000012", "complete"]
