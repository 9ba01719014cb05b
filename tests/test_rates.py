"""Rates on the hand-made fixture; every expected figure is worked out by hand.

Fixture (tests/fixtures/tiny), 1-14 January 2021, week = 7 days to 14 January:
  Alpha    pop 100,000: 10 a day            -> 70 cases, rate 70.0; previous 70
  Bravo    pop  50,000: 5 a day, then 0     -> 0 cases, rate 0.0; previous 35 (70.0)
  Charlie  pop  80,000 + Delta 20,000 (one series, "Charlie and Delta"):
                        5 a day, then 10    -> 70 cases, rate 70.0; previous 35 (35.0)
  Echo     pop  10,000: 1 a day, no row for 10 January -> unknown
  Foxtrot  pop  40,000: 4 a day             -> 28 cases, rate 70.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mapserver.core.errors import BadParameter, DataError, WeekOutOfRange
from mapserver.figures import rates
from mapserver.ingest.regions import load_custom_regions

from .conftest import TINY, tiny_settings

WEEK = pd.Timestamp("2021-01-14")


def test_normal_week(tiny):
    alpha = tiny.figures(WEEK).loc["E06000901"]
    assert alpha["cases"] == 70
    assert alpha["rate"] == pytest.approx(70.0)
    assert alpha["previous_cases"] == 70
    assert alpha["previous_rate"] == pytest.approx(70.0)
    assert alpha["change"] == 0
    assert alpha["change_pct"] == pytest.approx(0.0)
    assert alpha["complete"]


def test_zero_case_week_is_a_rate_of_zero_not_unknown(tiny):
    bravo = tiny.figures(WEEK).loc["E06000902"]
    assert bravo["cases"] == 0
    assert bravo["rate"] == 0.0
    assert bravo["previous_rate"] == pytest.approx(70.0)
    assert bravo["change"] == -35
    assert bravo["change_pct"] == pytest.approx(-100.0)
    assert bravo["complete"]
    assert bravo["rank"] == 3


def test_window_with_a_missing_day_has_no_rate_and_no_rank(tiny):
    figures = tiny.figures(WEEK)
    echo = figures.loc["W06000901"]
    assert pd.isna(echo["cases"]) and pd.isna(echo["rate"]) and pd.isna(echo["rank"])
    assert not echo["complete"]
    assert echo["days_known"] == 6
    # the previous week (1-7 January) was complete, so it still has figures
    assert echo["previous_cases"] == 7
    # Wales ranks only its one complete area
    foxtrot = figures.loc["W06000902"]
    assert (foxtrot["rank"], foxtrot["rank_of"]) == (1, 1)


def test_tie_shares_the_rank(tiny):
    figures = tiny.figures(WEEK)
    assert figures.loc["E06000901", "rank"] == 1
    assert figures.loc["E06000903", "rank"] == 1
    assert figures.loc["E06000902", "rank"] == 3
    assert set(figures.loc[["E06000901", "E06000902", "E06000903"], "rank_of"]) == {3}


def test_merged_area_uses_the_covering_series_and_both_populations(tiny):
    figures = tiny.figures(WEEK)
    assert "E06000904" not in figures.index  # Delta has no series of its own
    charlie = figures.loc["E06000903"]
    assert charlie["name"] == "Charlie and Delta"
    assert charlie["population"] == 100_000
    assert charlie["rate"] == pytest.approx(70.0)
    assert charlie["change_pct"] == pytest.approx(100.0)
    assert tiny.reconciliation.covered == {"E06000904": "E06000903"}
    assert tiny.reconciliation.ok


def test_region_total_is_sum_over_sum_not_mean_of_rates(tiny):
    total = tiny.region_total(tiny.region("northland"), WEEK)
    # (70 + 0) / (100,000 + 50,000) * 100,000 = 46.67; the mean of rates would be 35.0
    assert total["cases"] == 70
    assert total["population"] == 150_000
    assert total["rate"] == pytest.approx(46.6667, abs=1e-4)
    england = tiny.region_total(tiny.region("england"), WEEK)
    assert england["rate"] == pytest.approx(140 / 250_000 * 100_000)


def test_region_total_with_an_unknown_area_is_unknown(tiny):
    total = tiny.region_total(tiny.region("wales"), WEEK)
    assert total["rate"] is None and total["cases"] is None
    assert total["missing"] == 1


def test_custom_region_maps_districts_to_series(tiny):
    region = tiny.region("alpha-and-charlie")
    assert region.series(tiny.lookup) == ["E06000901", "E06000903"]
    total = tiny.region_total(region, WEEK)
    assert total["rate"] == pytest.approx(140 / 200_000 * 100_000)


def test_custom_region_with_unknown_code_is_an_error(tmp_path, tiny):
    bad = tmp_path / "regions.toml"
    bad.write_text('[regions.oops]\ntitle = "Oops"\ndistricts = ["E06000901", "E99999999"]\n')
    with pytest.raises(DataError, match="E99999999"):
        load_custom_regions(bad, tiny.lookup)


def test_region_by_ons_code_and_slug(tiny):
    assert tiny.region("E12000902").slug == "southland"
    assert tiny.region("Southland").code == "E12000902"


def test_weeks_and_lag():
    dataset_lag0 = tiny_settings()
    from mapserver.figures.covid import load_dataset

    dataset = load_dataset(dataset_lag0)
    assert dataset.first_week == pd.Timestamp("2021-01-07")
    assert dataset.default_week == WEEK
    lagged = load_dataset(tiny_settings(lag_days=5))
    assert lagged.default_week == pd.Timestamp("2021-01-09")
    with pytest.raises(WeekOutOfRange, match="2021-01-07 and 2021-01-09"):
        lagged.parse_week("2021-01-14")
    with pytest.raises(BadParameter):
        lagged.parse_week("14/01/2021")
    with pytest.raises(BadParameter):
        lagged.parse_week("2021-02-30")


def test_daily_by_series_prefers_the_series_own_row_on_a_clash():
    cases = pd.DataFrame(
        {
            "code": ["S1", "D1", "D1"],
            "date": pd.to_datetime(["2021-01-01", "2021-01-01", "2021-01-02"]),
            "cases": [5, 7, 3],
        }
    )
    mapping = pd.Series({"S1": "S1", "D1": "S1"})
    wide, conflicts = rates.daily_by_series(cases, mapping)
    assert wide["S1"].tolist() == [5.0, 3.0]
    assert [(c.series, c.district) for c in conflicts] == [("S1", "D1")]


def test_rolling_sums_need_all_seven_days():
    dates = pd.date_range("2021-01-01", periods=8, name="date")
    daily = pd.DataFrame({"A": [1.0] * 8, "B": [1.0, 1, 1, None, 1, 1, 1, 1]}, index=dates)
    sums = rates.rolling_sums(daily)
    assert sums["A"].tolist()[6:] == [7.0, 7.0]
    assert sums["B"].isna().all()


def test_strict_mode_turns_a_mismatch_into_an_error(tmp_path):
    # a boundary file that lacks Foxtrot: its series has nowhere to go
    import json

    source = json.loads((TINY / "boundaries.geojson").read_text())
    source["features"] = source["features"][:-1]
    (tmp_path / "b.geojson").write_text(json.dumps(source))
    from mapserver.figures.covid import load_dataset

    lenient = load_dataset(tiny_settings(boundaries=str(tmp_path / "b.geojson")))
    assert lenient.reconciliation.series_without_boundary == ["W06000902"]
    with pytest.raises(DataError, match="W06000902"):
        load_dataset(tiny_settings(boundaries=str(tmp_path / "b.geojson"), strict=True))


@pytest.mark.parametrize("seed", range(40))
def test_daily_by_series_is_what_the_pandas_steps_give(seed):
    # The fast path (factorized codes, a stable lexsort) against the plain pandas one:
    # the same table, index and columns, and the same conflicts in the same order.
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 80))
    codes = rng.choice(["S1", "D1", "D2", "S2", "D3", "X9", "S3"], count)
    dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 9, count), unit="D")
    cases = pd.DataFrame({"code": codes, "date": dates, "cases": rng.integers(0, 9, count)})
    if seed % 2:  # read_cases refuses repeated rows; the function does not need it to
        cases = cases.drop_duplicates(["code", "date"]).reset_index(drop=True)
    mapping = pd.Series({"S1": "S1", "D1": "S1", "D2": "S1", "S2": "S2", "D3": "S2", "S3": "S3"})
    fast, fast_conflicts = rates.daily_by_series(cases, mapping)
    slow, slow_conflicts = rates._daily_by_series(cases, mapping)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True, check_freq=True)
    assert fast_conflicts == slow_conflicts
