"""`mapserver add` refuses implausible values (outside their own limits or their unit's
range, extreme outliers) with one line and changes nothing; an accepted outlier is kept
and logged; the real files pass."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mapserver.core.config import load_settings
from mapserver.core.errors import DataError
from mapserver.ingest import outliers, plausibility
from mapserver.ingest.formats import read_observations
from mapserver.ingest.indicator import describe
from mapserver.store.indicator_store import LOG
from mapserver.update.indicators import find_outliers, reference

from .conftest import SHARED_DATA
from .test_formats import (
    ELS_HEADER,
    FINGERTIPS_HEADER,
    FT_ROWS,
    TIERS,
    els_row,
    ft_row,
    table,
    write,
)
from .test_indicators import ONS, add, client_for, fingertips_rows
from .test_update import tree_digest

BIG = "1000000000000"  # 1e12, as a file would write it


@pytest.fixture(scope="module")
def reference_data():
    return reference(load_settings())


@pytest.fixture(scope="module")
def codes(reference_data) -> list[str]:
    """English districts of 2019 that are their own series, in lookup order."""
    districts = reference_data[0].districts(2019)
    own = districts[
        (districts["country_name"] == "England") & (districts.index == districts["series"])
    ]
    return list(own.index)


def figures_for(n: int, seed: int = 25) -> list[str]:
    """Rates of a real-looking spread (about 15 to 60), to one decimal place."""
    rng = np.random.default_rng(seed)
    return [f"{value:.1f}" for value in np.exp(rng.normal(np.log(30), 0.3, n))]


# --- the three layouts, each with one figure of 1e12 -------------------------------------


def plain_file(folder: Path, codes: list[str], bad: bool) -> Path:
    values = figures_for(30)
    if bad:
        values[7] = BIG
    rows = [f"{code},2023,{value}" for code, value in zip(codes[:30], values, strict=True)]
    return write(folder / "scores.csv", "code,period,value\n" + "\n".join(rows) + "\n")


def fingertips_file(folder: Path, codes: list[str], bad: bool) -> Path:
    # Values without counts (as an age-standardised rate is given): kept as published.
    values = figures_for(30)
    if bad:
        values[7] = BIG
    rows = [
        ft_row("E92000001", "England", "England", "2023", "30.0"),
        *(
            ft_row(code, code, "District & UA", "2023", value)
            for code, value in zip(codes[:30], values, strict=True)
        ),
    ]
    return write(folder / "fingertips.csv", table(FINGERTIPS_HEADER, rows))


def els_file(folder: Path, codes: list[str], bad: bool, unit: str = "score") -> Path:
    values = figures_for(30)
    if bad:
        values[7] = BIG
    rows = [
        els_row(code, code, "Local Authority District", "2023", value)
        for code, value in zip(codes[:30], values, strict=True)
    ]
    path = write(folder / "els.csv", table(ELS_HEADER.split(","), rows))
    meta = {"label": "Test score", "subText": unit, "decimalPlaces": 1}
    (folder / "els.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


LAYOUTS = {"plain": (plain_file, 9), "fingertips": (fingertips_file, 10), "ons-els": (els_file, 9)}


def served(store: Path, id: str) -> list[bytes]:
    """What a fresh server answers for the indicator: the API, a map page, its values."""
    client = client_for(store)
    api = client.get(f"/api/rates?indicator={id}&region=england")
    page = client.get(f"/embed/london?indicator={id}")
    assert api.status_code == 200 and page.status_code == 200
    return [api.get_data(), page.get_data()]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_value_of_1e12_is_refused_then_accepted_by_name(tmp_path, codes, layout):
    make, line = LAYOUTS[layout]
    store = tmp_path / "store"
    good = tmp_path / "good"
    good.mkdir()
    added = add(store, str(make(good, codes, bad=False)), "--id", "checked")
    assert added.exit_code == 0, added.output
    before, answers = tree_digest(store), served(store, "checked")

    bad_folder = tmp_path / "bad"
    bad_folder.mkdir()
    bad = make(bad_folder, codes, bad=True)
    refused = add(store, str(bad), "--id", "checked")
    assert refused.exit_code == 2
    message = refused.stderr.strip()
    assert "\n" not in message
    assert f"{bad.name}, line {line}: 1,000,000,000,000 for {codes[7]} in 2023" in message
    assert "extreme outlier" in message and f"--accept-outlier {codes[7]}:2023" in message
    assert tree_digest(store) == before  # the store's files, byte for byte
    assert served(store, "checked") == answers  # and what is served

    accepted = add(store, str(bad), "--id", "checked", "--accept-outlier", f"{codes[7]}:2023")
    assert accepted.exit_code == 0, accepted.output
    assert "accepted outlier" in accepted.output
    log = (store / "indicators" / "checked" / LOG).read_text()
    assert log.count(" added from ") == 2  # the log goes on from the first addition
    accepted_line = next(row for row in log.splitlines() if "accepted outlier" in row)
    assert f"line {line}): 1,000,000,000,000 for {codes[7]} in 2023" in accepted_line
    rows = client_for(store).get("/api/rates?indicator=checked&region=england").get_json()
    assert {row["code"]: row["value"] for row in rows}[codes[7]] == 1e12


def test_an_accepted_code_alone_covers_every_period_and_a_stray_one_is_noted(tmp_path, codes):
    bad = plain_file(tmp_path, codes, bad=True)
    result = add(
        tmp_path / "store", str(bad), "--accept-outlier", codes[7], "--accept-outlier", codes[8]
    )
    assert result.exit_code == 0, result.output
    assert f"--accept-outlier {codes[8]}: no such outlier" in result.output
    wrong_year = add(tmp_path / "other", str(bad), "--accept-outlier", f"{codes[7]}:2022")
    assert wrong_year.exit_code == 2 and "extreme outlier" in wrong_year.stderr


# --- values outside their own limits or their unit's range -------------------------------


def test_a_rate_above_its_base_is_refused_and_no_option_accepts_it(tmp_path, codes):
    path = els_file(tmp_path, codes, bad=True, unit="per 100,000 population")
    for extra in ([], ["--accept-outlier", codes[7]]):
        result = add(tmp_path / "store", str(path), *extra)
        assert result.exit_code == 2
        assert result.stderr.strip().endswith(
            "els.csv, line 9: value 1,000,000,000,000 is more than its base: over 100,000 "
            "per 100,000 population"
        )
    assert not (tmp_path / "store").exists()


def test_a_percentage_outside_0_to_100_is_refused_unless_it_is_a_change(tmp_path, codes):
    rows = [els_row(code, code, "Local Authority District", "2023", "50") for code in codes[:3]]
    rows[1][5] = "100.4"
    path = write(tmp_path / "els.csv", table(ELS_HEADER.split(","), rows))
    meta = tmp_path / "els.json"
    meta.write_text(json.dumps({"label": "Pupils in good schools", "subText": "%"}))
    result = add(tmp_path / "store", str(path))
    assert result.exit_code == 2
    assert "els.csv, line 3: value 100.4 is not a percentage (0 to 100)" in result.stderr
    rows[1][5] = "-3.2"
    path = write(tmp_path / "els.csv", table(ELS_HEADER.split(","), rows))
    meta.write_text(json.dumps({"label": "Gender pay gap", "subText": "%"}))
    assert add(tmp_path / "store", str(path)).exit_code == 0


LIMITED = pd.DataFrame(
    {
        "line": [2, 3, 4, 5],
        "value": [35.0, 35.2, 30.1, 12.1],
        "lower": [30.1, 30.12, 30.16, np.nan],
        "upper": [34.96, 34.9, 34.0, np.nan],
        "lower_998": [np.nan, np.nan, np.nan, 12.7],
        "upper_998": [np.nan, np.nan, np.nan, 20.0],
    }
).set_index("line", drop=False)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # 35.0 may be 34.95 rounded, inside 34.96: kept; 35.2 is not
        ([0, 1], "line 3: value 35.2 is above its upper 95% confidence limit 34.9"),
        # 30.1 may be 30.149..., and 30.16 may be 30.155: still 0.006 apart
        ([2], "line 4: value 30.1 is below its lower 95% confidence limit 30.16"),
        ([3, 2], "line 4: value 30.1 is below"),  # the first line is named
        ([3], "line 5: value 12.1 is below its lower 99.8% confidence limit 12.7"),
    ],
)
def test_a_value_outside_its_own_limits_is_refused(rows, message):
    with pytest.raises(DataError) as caught:
        plausibility.check_values([LIMITED.iloc[rows]], None, "", "", "file.csv")
    assert str(caught.value).startswith(f"file.csv, {message}")


def test_rounding_in_the_source_is_allowed_for():
    kept = LIMITED.iloc[[0]].assign(lower=[34.96], value=[34.9])  # 34.9 may be 34.949...
    with pytest.raises(DataError):
        plausibility.check_values([kept], None, "", "", "file.csv")
    kept = LIMITED.iloc[[0]].assign(lower=[34.95], value=[34.9])  # 34.949 >= 34.945
    plausibility.check_values([kept], None, "", "", "file.csv")
    whole = LIMITED.iloc[[0]].assign(value=[35.0], upper=[34.6])  # "35" may be 34.5
    plausibility.check_values([whole], None, "", "", "file.csv")


def test_limits_are_checked_through_add_too(tmp_path):
    text = "code,period,value,lower,upper\nE06000001,2023,40.5,35.1,46.0\nE06000002,2023,52,35,46\n"
    result = add(tmp_path / "store", str(write(tmp_path / "limits.csv", text)))
    assert result.exit_code == 2
    assert "limits.csv, line 3: value 52 is above its upper 95% confidence limit 46" in (
        result.stderr
    )


# --- the outlier rule on real and skewed figures -----------------------------------------


def outliers_in(path: Path, reference_data, **columns) -> list:
    observations = read_observations(path, **columns)
    return find_outliers(observations, describe(observations), *reference_data)


def test_the_real_ons_file_has_no_outliers(reference_data):
    assert outliers_in(ONS, reference_data) == []


def test_the_real_covid_cases_have_no_outliers(reference_data):
    cases = SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
    assert outliers_in(cases, reference_data) == []


def test_the_fingertips_fixtures_have_no_outliers(tmp_path, reference_data):
    for number, rows in enumerate([FT_ROWS, TIERS, fingertips_rows()]):
        path = write(tmp_path / f"ft{number}.csv", table(FINGERTIPS_HEADER, rows))
        assert outliers_in(path, reference_data) == [], number


def test_a_rare_disease_with_zeros_and_one_case_in_a_small_area_passes(
    tmp_path, codes, reference_data
):
    """Small counts spread wide on the log scale: one case among 2,000 people is far from
    the median rate, but its count could not say otherwise. Zeros are not judged."""
    rng = np.random.default_rng(7)
    population = rng.integers(80_000, 1_200_000, 300)
    counts = rng.poisson(population * 2e-6)
    lines = [f"{c},2023,{n},{p}" for c, n, p in zip(codes[:300], counts, population, strict=True)]
    lines[5] = f"{codes[5]},2023,1,2000"  # 50 per 100,000 where the median is about 1
    path = write(tmp_path / "rare.csv", "code,period,count,denominator\n" + "\n".join(lines))
    assert (counts == 0).sum() > 50
    assert outliers_in(path, reference_data) == []


def test_the_rule_needs_enough_areas_and_sets_zeros_aside():
    def frame(values):
        return pd.DataFrame(
            {
                "code": [f"E0600{i:04d}" for i in range(len(values))],
                "period": "2023",
                "line": range(2, len(values) + 2),
            }
        )

    few = [30.0] * 8 + [1e12]
    assert outliers.find(frame(few), pd.Series(few)) == []  # 9 figures: not judged
    many = [0.0] * 40 + [20.0, 25.0, 30.0, 35.0, 40.0] * 2 + [1e12]
    found = outliers.find(frame(many), pd.Series(many))
    assert [(o.line, o.figure) for o in found] == [(52, 1e12)]
    assert found[0].median == pytest.approx(30.0)
    # Ties: more than half the figures equal, and one a little off, is no outlier.
    tied = [100.0] * 30 + [96.5]
    assert outliers.find(frame(tied), pd.Series(tied)) == []
    # A change may be negative: judged on the figures themselves.
    changes = [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, -1.5, 0.5, 1.5, 2.5, 1e12]
    assert [o.line for o in outliers.find(frame(changes), pd.Series(changes))] == [12]
