"""The table of exact Poisson limits: scipy's own floats, looked up without scipy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mapserver.figures import limits_table
from mapserver.figures.intervals import (
    count_limits_table,
    exact_count_limits,
    poisson_count_limits,
)

WEEK = pd.Timestamp("2021-01-14")


def test_the_shipped_table_is_what_scipy_computes_to_the_bit():
    assert np.load(limits_table.TABLE).tobytes() == count_limits_table().tobytes()


@pytest.mark.parametrize("level", limits_table.LEVELS)
def test_looked_up_limits_are_the_computed_ones_to_the_bit(level):
    counts = np.array([[0.0, 1.0, 25.0], [np.nan, 4094.0, limits_table.LARGEST]])
    looked_up = limits_table.lookup(counts, level)
    computed = exact_count_limits(counts, level)
    for mine, theirs in zip(looked_up, computed, strict=True):
        assert mine.shape == (2, 3)
        assert mine.tobytes() == theirs.tobytes()


@pytest.mark.parametrize(
    ("counts", "level"),
    [
        # (whole counts beyond the table are computed with numpy: test_gamma_quantiles.py)
        ([2.5], 0.95),  # not a whole count
        ([-1.0], 0.95),
        ([3.0], 0.9),  # not a level the figures carry
    ],
)
def test_counts_outside_the_table_are_left_to_scipy(counts, level):
    assert limits_table.lookup(np.array(counts), level) is None
    lower, upper = poisson_count_limits(counts, level)
    expected = exact_count_limits(np.array(counts), level)
    assert lower.tobytes() == expected[0].tobytes() and upper.tobytes() == expected[1].tobytes()


def test_only_unknown_counts_look_up_as_unknown():
    lower, upper = limits_table.lookup(np.array([np.nan, np.nan]), 0.95)
    assert np.isnan(lower).all() and np.isnan(upper).all()


def test_a_tabled_count_leaves_scipy_unimported():
    code = (
        "import sys; from mapserver.figures.intervals import poisson_rate_limits;"
        "lower, upper = poisson_rate_limits([10], [100_000], 100_000);"
        "assert round(float(upper[0]), 2) == 18.39;"
        "assert 'scipy' not in sys.modules, 'scipy imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_total_without_limits_is_the_total_less_its_limits(tiny):
    region = tiny.region("northland")
    full = tiny.region_total(region, WEEK)
    plain = tiny.region_total(region, WEEK, limits=False)
    assert {"lower", "upper", "lower_998", "upper_998"} <= set(full)
    # 70 cases in 150,000: the exact 95% limits of 70 events, per 100,000
    assert full["lower"] == pytest.approx(54.57 / 1.5, abs=1e-2)
    assert plain == {
        key: value for key, value in full.items() if "lower" not in key and "upper" not in key
    }
