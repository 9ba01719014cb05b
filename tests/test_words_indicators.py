"""Words that hold for every indicator (issue 25): ties said and ranked as ties, no claim
of significance without intervals, a change tested before it is called one, a total
that differs from the file's own row explained, and no Covid or weeks on a yearly page."""

from __future__ import annotations

import pytest

from mapserver.figures.change import poisson_p_value
from mapserver.words.popups import popup_lines, read_areas, words_of

from .loaded import loaded_values
from .test_checks import codes, reference_data  # noqa: F401 (fixtures)
from .test_formats import FINGERTIPS_HEADER, ft_row, table, write
from .test_indicators import add, client_for

TITLE = {"Indicator Name": "Rare infection notifications", "Time period range": "1y"}
ZEROS = 67


def counts_2017(n: int) -> list[int]:
    """Two areas tied at the top (21 in 100,000 each), 3 -> 18 and 3 -> 6 changes, 67
    areas with no cases, the rest 1 to 4."""
    rest = [1 + i % 4 for i in range(n - 4 - ZEROS)]
    return [21, 21, 18, 6] + [0] * ZEROS + rest


@pytest.fixture(scope="module")
def rare(tmp_path_factory, codes):  # noqa: F811
    folder = tmp_path_factory.mktemp("rare-counts")
    now = counts_2017(len(codes))
    before = [2, 2, 3, 3] + [2] * (len(codes) - 4)
    rows = []
    for year, counts in (("2017", now), ("2016", before)):
        total, people = sum(counts) + 1, 100_000 * len(codes)
        rate = f"{total / people * 100_000:.1f}"
        rows.append(
            ft_row("E92000001", "England", "England", year, rate, str(total), str(people), TITLE)
        )
        for code, count in zip(codes, counts, strict=True):
            rows.append(ft_row(code, code, "District", year, f"{count:.1f}", str(count),
                               "100000", TITLE))  # fmt: skip
    path = write(folder / "rare.csv", table(FINGERTIPS_HEADER, rows))
    result = add(folder / "store", str(path), "--id", "rare")
    assert result.exit_code == 0, result.output
    return client_for(folder / "store"), codes, now


def names(client) -> dict[str, str]:
    rows = client.get("/api/rates?indicator=rare&region=england&period=2017").get_json()
    return {row["code"]: row["name"] for row in rows}


def test_ties_at_zero_and_at_the_top_are_said_and_ranked_as_ties(rare):
    client, areas, counts = rare
    facts = client.get("/api/facts?indicator=rare&region=england&period=2017").get_json()
    name = names(client)
    first, second = name[areas[0]], name[areas[1]]
    assert [area["rank"] for area in facts["top"][:2]] == [1, 1]
    sentences = facts["sentences"]
    leaders = sorted([first, second])
    assert sentences[0].startswith(
        f"{leaders[0]} and {leaders[1]} share the highest figure in England in 2017: "
        f"21.0 per 100,000 (joint 1st of {len(areas)} in England)"
    )
    zeros = [name[code] for code in areas[4 : 4 + ZEROS]]
    lowest = [s for s in sentences if "no cases" in s]
    assert lowest == [
        f"{ZEROS} areas had no cases in 2017, among them Allerdale; Amber Valley; Aylesbury "
        "Vale; Barrow-in-Furness as well as Bath and North East Somerset."
    ]
    assert sorted(zeros)[:5] == [
        "Allerdale",
        "Amber Valley",
        "Aylesbury Vale",
        "Barrow-in-Furness",
        "Bath and North East Somerset",
    ]
    assert not any(s.startswith("The lowest was") for s in sentences)
    rows = client.get("/api/rates?indicator=rare&region=england&period=2017").get_json()
    by_code = {row["code"]: row for row in rows}
    assert by_code[areas[0]]["rank"] == by_code[areas[1]]["rank"] == 1
    assert by_code[areas[0]]["tied"] and by_code[areas[1]]["tied"]
    assert by_code[areas[2]]["rank"] == 3 and not by_code[areas[2]]["tied"]
    # every zero shares the last rank
    assert {by_code[code]["rank"] for code in areas[4 : 4 + ZEROS]} == {len(areas) - ZEROS + 1}


def test_a_total_that_differs_from_the_files_own_row_says_which_is_used(rare):
    client, areas, counts = rare
    facts = client.get("/api/facts?indicator=rare&region=england&period=2017").get_json()
    total = sum(counts)
    said = [s for s in facts["sentences"] if "own England row" in s]
    assert said == [
        f"The 2017 England total here is {total:,} cases, the sum of its areas' rows, so that "
        f"it adds up to the map; the file's own England row says {total + 1:,}, 1 more than "
        "its areas' rows, and areas are compared with that row's figure, as the source "
        "publishes it."
    ]


def test_a_small_count_change_is_tested_before_it_is_called_one(rare):
    client, areas, counts = rare
    # 3 cases in 100,000, then 18: given 21, 18 or more (or 3 or fewer) of them in the
    # second year has p = 0.0015 when the rate has not changed; 3 then 6: p = 0.51.
    assert poisson_p_value(3, 1e5, 18, 1e5) == pytest.approx(0.00149, abs=1e-5)
    assert poisson_p_value(3, 1e5, 6, 1e5) == pytest.approx(0.5078, abs=1e-4)
    page = client.get("/embed/england?indicator=rare&period=2017").get_data(as_text=True)
    values = loaded_values(client, page)
    assert values["fields"][-2:] == ["tied", "change_test"]
    shown = read_areas(values)
    words = words_of(values)
    rising, unsure = shown[areas[2]], shown[areas[3]]
    assert (rising["change_test"], unsure["change_test"]) == ("significant", "not significant")
    lines = dict(popup_lines(rising, values["week_text"], words)[1:])
    assert lines["popup-change popup-change-up"] == (
        "\u25b2 500.0% from 3.0 the period before: more than chance would explain"
    )
    lines = dict(popup_lines(unsure, values["week_text"], words)[1:])
    # not significant: said so, and not in the alarm red of a rise
    assert lines["popup-change popup-change-unsure"] == (
        "\u25b2 100.0% from 3.0 the period before: within chance variation (not significant)"
    )
    tied = dict(popup_lines(shown[areas[0]], values["week_text"], words)[1:])
    assert tied["popup-rank"] == f"Joint 1st of {len(areas)} in England"


@pytest.fixture(scope="module")
def published(tmp_path_factory, codes):  # noqa: F811
    """Values as published, without counts or confidence limits."""
    folder = tmp_path_factory.mktemp("no-intervals")
    figures = [40.0, 39.0] + [20.0 + i % 10 for i in range(len(codes) - 2)]
    lines = [f"{code},2023,{value:.1f}" for code, value in zip(codes, figures, strict=True)]
    path = write(folder / "scores.csv", "code,period,value\n" + "\n".join(lines) + "\n")
    result = add(folder / "store", str(path), "--id", "scores")
    assert result.exit_code == 0, result.output
    return client_for(folder / "store"), codes


def test_without_intervals_no_claim_of_significance_is_made(published):
    client, areas = published
    facts = client.get("/api/facts?indicator=scores&region=england").get_json()
    rows = client.get("/api/rates?indicator=scores&region=england").get_json()
    name = {row["code"]: row["name"] for row in rows}
    n = len(areas)
    assert facts["sentences"][0] == (
        f"{name[areas[0]]} had the highest figure in England in 2023: 40.0 (1st of {n} in "
        f"England), followed by {name[areas[1]]}, 39.0 (2nd of {n})."
    )
    text = " ".join(facts["sentences"])
    assert "confidence" not in text and "significant" not in text


@pytest.mark.parametrize(
    "n1, d1, n2, d2",
    [(3, 1e5, 18, 1e5), (3, 1e5, 6, 1e5), (3, 2e5, 18, 1.3e5), (100, 1e6, 140, 1.1e6)],
)
def test_the_poisson_test_is_scipys_binomial_test(n1, d1, n2, d2):
    from scipy.stats import binomtest

    expected = binomtest(n2, n1 + n2, d2 / (d1 + d2)).pvalue
    assert poisson_p_value(n1, d1, n2, d2) == pytest.approx(expected, rel=1e-9)
