"""Key facts: hand-computed on small fixtures, recomputed from the raw files for the article."""

from __future__ import annotations

import json
import re
import tomllib

import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import chi2

from mapserver import create_app
from mapserver.cli import main
from mapserver.figures.covid import load_dataset
from mapserver.words.facts import select_top
from mapserver.words.key_facts import region_facts

from .conftest import SHARED_DATA, TESTS, tiny_config, tiny_settings

WEEK = pd.Timestamp("2021-01-14")
FALLING = TESTS / "fixtures" / "falling" / "cases.csv"


def facts_for(dataset, region: str, week=WEEK):
    return region_facts(dataset, dataset.region(region), week)


def test_every_sentence_names_its_week(tiny):
    for region in ("england", "wales", "alpha-and-charlie", "northland"):
        for sentence in facts_for(tiny, region).sentences:
            assert "7 days to 14 January 2021" in sentence, sentence


def test_tie_at_the_top_is_said_as_a_tie(tiny):
    # Alpha: 70 cases / 100,000; Charlie and Delta: 70 / (80,000 + 20,000): both 70.0.
    facts = facts_for(tiny, "england")
    assert [area["name"] for area in facts.top] == ["Alpha", "Charlie and Delta"]
    assert [area["rank"] for area in facts.top] == [1, 1]
    assert facts.sentences[0] == (
        "Alpha as well as Charlie and Delta share the highest rate in England in the 7 days "
        "to 14 January 2021: 70.0 cases per 100,000 (joint 1st of 3 in England)."
    )


def test_zero_cases_and_no_change_are_worded(tiny):
    facts = facts_for(tiny, "england")
    # England: 70 + 0 + 70 = 140 cases over 250,000 people; the week before 70 + 35 + 35.
    assert facts.total["cases"] == 140 and facts.total["rate"] == 56.0
    assert facts.total["change_pct"] == 0.0
    # 70 cases in 100,000: exact Poisson 95% limits 54.6 to 88.4, around England's 56.0.
    assert (facts.top[0]["lower"], facts.top[0]["upper"]) == (54.6, 88.4)
    assert facts.sentences[1] == (
        "In the 7 days to 14 January 2021, Alpha as well as Charlie and Delta were not "
        "significantly different from England as a whole (56.0 per 100,000), by 95% "
        "confidence intervals."
    )
    assert facts.sentences[2] == (
        "England as a whole had 140 cases in the 7 days to 14 January 2021, 56.0 per "
        "100,000: no change on the 7 days to 7 January 2021."
    )
    # Without the two tied areas only Bravo is left: 35 cases, then none.
    assert facts.rest["cases"] == 0 and facts.rest["previous_cases"] == 35
    assert "cases fell 100.0% in the 7 days to 14 January 2021, from 35 to 0" in facts.sentences[3]
    assert facts.changes == {"rose": 1, "fell": 1, "same": 1, "not_compared": 0}
    assert facts.sentences[4] == (
        "In the 7 days to 14 January 2021, cases rose in 1 area, fell in 1 and did not change "
        "in 1, compared with the 7 days to 7 January 2021."
    )


def test_region_with_an_incomplete_area(tiny):
    # Echo has no row for 10 January: 6 of 7 days, so no rate, no rank and no Wales total.
    facts = facts_for(tiny, "wales")
    assert facts.incomplete == [{"code": "W06000901", "name": "Echo", "days_known": 6}]
    assert facts.total["cases"] is None and facts.total["rate"] is None
    assert [area["name"] for area in facts.top] == ["Foxtrot"]
    assert facts.sentences == [
        "Foxtrot had the highest rate in Wales in the 7 days to 14 January 2021: 70.0 cases "
        "per 100,000 (1st of 1 in Wales).",
        "Wales has no total for the 7 days to 14 January 2021: 1 of 2 areas lacks a complete "
        "week of data.",
        "In the 7 days to 14 January 2021, cases did not change in the one area with figures "
        "for both weeks, compared with the 7 days to 7 January 2021; 1 area could not be "
        "compared.",
        "Incomplete data for the 7 days to 14 January 2021: Echo (6 of 7 days reported) has "
        "no rate and is not ranked.",
    ]


def test_a_week_where_every_area_fell():
    dataset = load_dataset(tiny_settings(cases=str(FALLING)))
    facts = facts_for(dataset, "england")
    # Alpha 70.0 and Bravo 42.0 are named; Charlie and Delta 35.0 is the rest.
    assert [(area["name"], area["rate"], area["rank"]) for area in facts.top] == [
        ("Alpha", 70.0, 1),
        ("Bravo", 42.0, 2),
    ]
    # 70 + 21 + 35 = 126 cases over 250,000; the week before 140 + 35 + 70 = 245.
    assert facts.total["cases"] == 126 and facts.total["previous_cases"] == 245
    assert facts.total["rate"] == 50.4 and facts.total["change_pct"] == -48.6
    assert facts.rest["cases"] == 35 and facts.rest["previous_cases"] == 70
    assert facts.rest["change_pct"] == -50.0 and facts.rest["rate"] == 35.0
    assert facts.changes == {"rose": 0, "fell": 3, "same": 0, "not_compared": 0}
    # Alpha's 70 cases in 100,000 give 54.6 to 88.4, Bravo's 21 in 50,000 give 26.0 to
    # 64.2: the intervals overlap, so Alpha is not said to be above Bravo for certain.
    assert facts.sentences == [
        "Alpha had the highest rate in England in the 7 days to 14 January 2021: 70.0 cases "
        "per 100,000 (1st of 3 in England), but Bravo, 42.0 (2nd of 3), is not "
        "significantly lower: their 95% confidence intervals overlap.",
        "In the 7 days to 14 January 2021, Alpha was significantly higher than England as a "
        "whole (50.4 per 100,000); Bravo was not significantly different from it, by 95% "
        "confidence intervals.",
        "England as a whole had 126 cases in the 7 days to 14 January 2021, 50.4 per 100,000: "
        "down 48.6% on the 245 cases in the 7 days to 7 January 2021.",
        "Across the rest of England (without Alpha and Bravo), cases fell 50.0% in the 7 days "
        "to 14 January 2021, from 70 to 35 (35.0 per 100,000).",
        "In the 7 days to 14 January 2021, cases fell in all 3 areas, compared with the 7 days "
        "to 7 January 2021.",
        "All 3 areas of England reported all 7 days to 14 January 2021.",
    ]
    wales = facts_for(dataset, "wales")
    # Echo 7 cases / 10,000 = 70.0 and Foxtrot 14 / 40,000 = 35.0: both named, no rest.
    assert [area["name"] for area in wales.top] == ["Echo", "Foxtrot"]
    assert wales.rest is None
    assert wales.total["cases"] == 21 and wales.total["change_pct"] == -50.0


def test_a_region_of_one_area_has_no_rest(tiny):
    facts = facts_for(tiny, "southland")
    assert facts.rest is None and len(facts.sentences) == 5
    last = "The one area of Southland reported all 7 days to 14 January 2021."
    assert facts.sentences[-1] == last


def test_json_api_and_errors():
    client = create_app({**tiny_config(), "TESTING": True}).test_client()
    response = client.get("/api/facts?region=wales&week=2021-01-14")
    assert response.status_code == 200
    body = response.get_json()
    assert body["week"] == "2021-01-14" and body["previous_week"] == "2021-01-07"
    assert body["incomplete"][0]["name"] == "Echo" and body["total"]["rate"] is None
    assert body["sentences"][0].startswith("Foxtrot had the highest rate in Wales")
    assert response.headers["ETag"]
    etag = {"If-None-Match": response.headers["ETag"]}
    again = client.get("/api/facts?region=wales&week=2021-01-14", headers=etag)
    assert again.status_code == 304
    assert client.get("/api/facts?week=2021-01-14").status_code == 400
    assert client.get("/api/facts?region=nowhere").status_code == 404
    assert client.get("/api/facts?region=wales&week=2020-01-01").status_code == 404


def test_facts_on_the_map_page_and_in_the_embed_on_request():
    client = create_app({**tiny_config(), "TESTING": True}).test_client()
    page = client.get("/map/wales?week=2021-01-14").get_data(as_text=True)
    assert 'class="key-facts"' in page and "Echo (6 of 7 days reported)" in page
    embed = client.get("/embed/wales?week=2021-01-14").get_data(as_text=True)
    assert 'class="key-facts"' not in embed
    embed = client.get("/embed/wales?week=2021-01-14&facts=1").get_data(as_text=True)
    assert 'class="key-facts"' in embed and "Echo (6 of 7 days reported)" in embed
    assert client.get("/embed/wales?facts=yes").status_code == 400
    # the map page's embed code keeps the option
    page = client.get("/map/wales?week=2021-01-14&facts=1").get_data(as_text=True)
    assert "facts=1" in re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S)[1]


# ---- the article's figures, recomputed from the raw files with plain pandas ---------


def raw_week_table(week: pd.Timestamp) -> pd.DataFrame:
    """Cases, population and rate per dashboard series, straight from the CSV files."""
    lookup = pd.read_csv(SHARED_DATA / "lookups" / "lad19_lad20_utla_region_lookup.csv")
    population = pd.read_csv(SHARED_DATA / "population" / "ons_mye2019_population_lad19.csv")
    cases = pd.read_csv(
        SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv",
        usecols=["areaCode", "date", "newCasesBySpecimenDate"],
        parse_dates=["date"],
    )
    series_of = lookup.set_index("LAD19CD")["DASHBOARD_LTLA_CD"]
    districts = lookup[["LAD19CD", "DASHBOARD_LTLA_CD", "DASHBOARD_LTLA_NM", "CTRY19NM"]]
    districts = districts.merge(population, left_on="LAD19CD", right_on="areaCode")
    out = districts.groupby("DASHBOARD_LTLA_CD").agg(
        name=("DASHBOARD_LTLA_NM", "first"),
        country=("CTRY19NM", "first"),
        population=("population_mid2019", "sum"),
    )
    for label, end in (("cases", week), ("previous", week - pd.Timedelta(days=7))):
        window = cases[(cases["date"] > end - pd.Timedelta(days=7)) & (cases["date"] <= end)]
        window = window.assign(series=window["areaCode"].map(series_of))
        sums = window.groupby("series").agg(
            total=("newCasesBySpecimenDate", "sum"), days=("date", "nunique")
        )
        out[label] = sums["total"].where(sums["days"] == 7)
    out["rate"] = out["cases"] / out["population"] * 100_000
    return out


@pytest.fixture(scope="module")
def anglia_cli_output():
    result = CliRunner().invoke(
        main,
        ["facts", "--region", "anglia", "--week", "2021-02-21"],
        env={"MAPSERVER_DATA_DIR": str(SHARED_DATA)},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_anglia_facts_match_the_raw_files(anglia_cli_output):
    week = pd.Timestamp("2021-02-21")
    table = raw_week_table(week)
    england = table[(table["country"] == "England") & table["rate"].notna()]
    ranks = england["rate"].rank(method="min", ascending=False)
    assert len(england) == 315
    corby, peterborough = "E07000150", "E06000031"
    assert ranks[corby] == 1 and ranks[peterborough] == 2
    regions = tomllib.loads((TESTS.parent / "data" / "regions.toml").read_text())
    lookup = pd.read_csv(SHARED_DATA / "lookups" / "lad19_lad20_utla_region_lookup.csv")
    series = lookup.set_index("LAD19CD").loc[regions["regions"]["anglia"]["districts"]]
    anglia = table.loc[series["DASHBOARD_LTLA_CD"].unique()]
    assert anglia["rate"].idxmax() == corby
    assert anglia["rate"].nlargest(2).index[1] == peterborough

    text = " ".join(anglia_cli_output.split())
    assert (
        f"Corby had the highest rate in ITV Anglia in the 7 days to 21 February 2021: "
        f"{table.loc[corby, 'rate']:.1f} cases per 100,000 (1st of 315 in England), followed "
        f"by Peterborough, {table.loc[peterborough, 'rate']:.1f} (2nd of 315)."
    ) in text
    # Far more than small numbers: their 95% intervals (exact Poisson, from the raw counts)
    # do not overlap, and both lie above England's rate.
    limits = {}
    for code in (corby, peterborough):
        count, people = table.loc[code, "cases"], table.loc[code, "population"]
        limits[code] = (chi2.ppf(0.025, 2 * count) / 2, chi2.ppf(0.975, 2 * count + 2) / 2)
        limits[code] = tuple(limit / people * 100_000 for limit in limits[code])
    assert limits[peterborough][1] < limits[corby][0]
    england_rate = england["cases"].sum() / england["population"].sum() * 100_000
    assert limits[peterborough][0] > england_rate
    assert (
        "In the 7 days to 21 February 2021, Corby and Peterborough were significantly higher "
        f"than England as a whole ({england_rate:.1f} per 100,000), by 95% confidence "
        "intervals."
    ) in text

    cases, previous = int(anglia["cases"].sum()), int(anglia["previous"].sum())
    rate = cases / anglia["population"].sum() * 100_000
    pct = (cases - previous) / previous * 100
    assert pct < 0
    assert (
        f"ITV Anglia as a whole had {cases:,} cases in the 7 days to 21 February 2021, "
        f"{rate:,.1f} per 100,000: down {-pct:.1f}% on the {previous:,} cases in the 7 days "
        "to 14 February 2021."
    ) in text

    rest = anglia.drop([corby, peterborough])
    rest_cases, rest_previous = int(rest["cases"].sum()), int(rest["previous"].sum())
    rest_pct = (rest_cases - rest_previous) / rest_previous * 100
    rest_rate = rest_cases / rest["population"].sum() * 100_000
    assert round(rest_pct) == -16  # the article's "the rest of the region saw a 16% drop"
    assert (
        f"Across the rest of ITV Anglia (without Corby and Peterborough), cases fell "
        f"{-rest_pct:.1f}% in the 7 days to 21 February 2021, from {rest_previous:,} to "
        f"{rest_cases:,} ({rest_rate:.1f} per 100,000)."
    ) in text

    change = anglia["cases"] - anglia["previous"]
    rose, fell, same = int((change > 0).sum()), int((change < 0).sum()), int((change == 0).sum())
    assert (
        f"In the 7 days to 21 February 2021, cases rose in {rose} areas, fell in {fell} and did "
        f"not change in {same}, compared with the 7 days to 14 February 2021."
    ) in text
    assert f"All {len(anglia)} areas of ITV Anglia reported all 7 days" in text


def test_cli_json_and_bad_region():
    env = {
        "MAPSERVER_DATA_DIR": str(TESTS / "fixtures" / "tiny"),
        "MAPSERVER_BOUNDARIES": "boundaries.geojson",
        "MAPSERVER_CASES": "cases.csv",
        "MAPSERVER_POPULATION": "population.csv",
        "MAPSERVER_LOOKUP": "lookup.csv",
        "MAPSERVER_REGIONS": str(TESTS / "fixtures" / "tiny" / "regions.toml"),
        "MAPSERVER_LAG_DAYS": "0",
    }
    runner = CliRunner()
    result = runner.invoke(main, ["facts", "--region", "wales", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["week"] == "2021-01-14" and body["top"][0]["name"] == "Foxtrot"
    result = runner.invoke(main, ["facts", "--region", "nowhere"], env=env)
    assert result.exit_code == 2 and "unknown region" in result.output


def test_a_week_without_cases_says_so(tmp_path):
    zeros = tmp_path / "cases.csv"
    rows = FALLING.read_text().splitlines()
    zeros.write_text("\n".join([rows[0]] + [row.rsplit(",", 1)[0] + ",0" for row in rows[1:]]))
    facts = facts_for(load_dataset(tiny_settings(cases=str(zeros))), "england")
    assert facts.top == [] and facts.rest is None
    assert facts.sentences[:2] == [
        "No area of England had a case in the 7 days to 14 January 2021.",
        "England as a whole had 0 cases in the 7 days to 14 January 2021, 0.0 per 100,000: "
        "none in the 7 days to 7 January 2021 either.",
    ]
    assert facts.changes["same"] == 3


@pytest.mark.parametrize(
    ("rates", "named"),
    [([9, 8, 8, 7], ["a", "b", "c"]), ([9, 9, 9, 9, 9, 9, 1], []), ([9, 8, 8, 8, 8, 8], ["a"]),
     ([0, 0], []), ([5, None, 4], ["a", "c"])],
)  # fmt: skip
def test_who_is_named_as_highest(rates, named):
    names = [chr(ord("a") + i) for i in range(len(rates))]
    figures = pd.DataFrame(
        {"name": names, "rate": [float("nan") if r is None else r for r in rates]}, index=names
    ).assign(complete=lambda f: f["rate"].notna())
    assert list(select_top(figures)["name"]) == named


def test_many_incomplete_areas_are_counted_not_listed(real):
    # Scotland has no case rows in October 2020 (the archive's hole).
    facts = facts_for(real, "scotland", pd.Timestamp("2020-10-15"))
    assert len(facts.incomplete) == 32 and facts.top == []
    assert facts.sentences[0] == (
        "No area of Scotland has a complete week of data for the 7 days to 15 October 2020."
    )
    assert facts.sentences[-1] == (
        "Incomplete data for the 7 days to 15 October 2020: 32 of 32 areas reported no day of "
        "the 7, so have no rate and are not ranked."
    )


def test_names_with_commas_are_not_read_as_two(real):
    facts = facts_for(real, "south-west", pd.Timestamp("2020-10-15"))
    assert [area["name"] for area in facts.top] == ["Bristol, City of", "Exeter"]
    assert "(without Bristol, City of as well as Exeter)" in facts.sentences[2]
