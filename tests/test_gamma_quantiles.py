"""Gamma quantiles of large shape with numpy alone: scipy's gammaincinv, without scipy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaincinv

from mapserver.figures import limits_table, rates
from mapserver.figures.gamma_quantiles import gamma_quantiles
from mapserver.figures.intervals import exact_count_limits, poisson_count_limits

# The probabilities of Fingertips' two levels: 95% and 99.8%, lower and upper.
PROBABILITIES = (0.025, 0.975, 0.001, 0.999)

# Within this relative difference of scipy: the worst found is 1.8e-14 (p = 0.999, shape
# 6,245), about 100 roundings of a float, where P's slope at the quantile is least and
# the rounding of the series most felt. A limit published to 0.1 of a rate of 100,000s
# at most would need 1e-7 to move a figure but at a rounding boundary.
BOUND = 1e-13


def shapes() -> np.ndarray:
    """Every shape from 4,096 to 20,000, random ones to 3,000,000 and a few far larger."""
    randoms = np.random.default_rng(20210114).integers(20_001, 3_000_001, 2_000)
    far = [1_300_000, 3_000_000, 10**7, 10**8]
    return np.concatenate([np.arange(4096, 20_001), randoms, far]).astype("float64")


@pytest.mark.parametrize("p", PROBABILITIES)
def test_quantiles_are_scipys_to_a_bound(p):
    a = shapes()
    mine, scipys = gamma_quantiles(a, p), gammaincinv(a, p)
    worst = np.abs(mine / scipys - 1)
    print(f"p = {p}: worst relative difference {worst.max():.2g} at shape {a[worst.argmax()]:.0f}")
    assert worst.max() < BOUND


def test_the_median_is_the_asymptotic_one():
    # Choi (1994): the median of gamma(a) is a - 1/3 + 8/(405 a) + 184/(25515 a^2) + O(a^-3)
    a = np.array([4096.0, 10**6])
    expected = a - 1 / 3 + 8 / (405 * a) + 184 / (25515 * a**2)
    assert gamma_quantiles(a, 0.5) == pytest.approx(expected, rel=1e-15, abs=1e-9)


def test_shape_is_kept():
    a = np.array([[4096.0, 5000.0], [67_899.0, 1_300_000.0]])
    out = gamma_quantiles(a, 0.025)
    assert out.shape == (2, 2)
    assert out[1, 0] == gamma_quantiles([67_899.0], 0.025)[0]
    assert gamma_quantiles(np.empty((0, 3)), 0.025).shape == (0, 3)


@pytest.mark.parametrize(("a", "p"), [([4095.0], 0.5), ([5000.0], 0.9999), ([5000.0], 1e-10)])
def test_shapes_and_probabilities_outside_its_range_are_refused(a, p):
    with pytest.raises(ValueError):
        gamma_quantiles(a, p)


@pytest.mark.parametrize("level", limits_table.LEVELS)
def test_each_count_takes_its_limits_from_the_table_numpy_or_scipy(level):
    counts = np.array([3.0, np.nan, 4096.0, 67_899.0, 2.5, 10**8 + 1])
    lower, upper = poisson_count_limits(counts, level)
    expected_lower, expected_upper = exact_count_limits(counts, level)
    beyond = np.isin(counts, [4096.0, 67_899.0])  # whole counts above the table
    for mine, scipys in ((lower, expected_lower), (upper, expected_upper)):
        assert np.isnan(mine[1])
        others = ~beyond & ~np.isnan(counts)  # the table's floats are scipy's, bit for bit
        assert mine[others].tobytes() == scipys[others].tobytes()
        assert mine[beyond] == pytest.approx(scipys[beyond], rel=BOUND)


def test_a_count_above_the_table_leaves_scipy_unimported():
    code = (
        "import sys; from mapserver.figures.intervals import poisson_count_limits;"
        "lower, upper = poisson_count_limits([67_899], 0.998);"
        "assert (round(float(lower[0])), round(float(upper[0]))) == (67_097, 68_708);"
        "assert 'scipy' not in sys.modules, 'scipy imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_weeks_region_totals_round_as_scipys(real):
    """Each region's and England's published limits (to 0.1) over every third built-in
    week, and every day of the peaks of January 2021 and 2022, are scipy's."""
    peaks = [*pd.date_range("2021-01-01", "2021-01-31"), *pd.date_range("2022-01-01", "2022-01-31")]
    large = 0
    for week in sorted({*list(real.weeks())[::3], *peaks}):
        for region in real.regions.values():
            total = real.region_total(region, week)
            if total["rate"] is None:
                continue
            large += total["cases"] > limits_table.LARGEST
            scale = rates.PER / total["population"]
            for level, suffix in ((0.95, ""), (0.998, "_998")):
                lower, upper = exact_count_limits(np.array([float(total["cases"])]), level)
                published = (round(total[f"lower{suffix}"], 1), round(total[f"upper{suffix}"], 1))
                scipys = (round(lower[0] * scale, 1), round(upper[0] * scale, 1))
                assert published == scipys, (region.name, week, level, total["cases"])
    assert large > 500  # (many totals above the table: the new code's, not the table's)
