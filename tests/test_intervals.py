"""Confidence intervals against published values (PHE's technical guide, the issue's)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mapserver.figures.intervals import poisson_count_limits, poisson_rate_limits, wilson_limits


def test_exact_poisson_10_events_in_100000():
    lower, upper = poisson_rate_limits([10], [100_000], 100_000)
    assert round(float(lower[0]), 3) == 4.795
    assert round(float(upper[0]), 2) == 18.39


def test_exact_poisson_no_events_in_50000():
    lower, upper = poisson_rate_limits([0], [50_000], 100_000)
    assert float(lower[0]) == 0.0
    assert round(float(upper[0]), 3) == 7.378


def test_exact_poisson_at_99_8_percent_is_wider():
    narrow = poisson_count_limits([25], 0.95)
    wide = poisson_count_limits([25], 0.998)
    assert wide[0][0] < narrow[0][0] < 25 < narrow[1][0] < wide[1][0]


def test_an_unknown_count_has_unknown_limits():
    lower, upper = poisson_rate_limits([np.nan, 5], [1000, 1000], 1000)
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert lower[1] > 0


def test_wilson_81_of_263():
    lower, upper = wilson_limits([81], [263])
    assert round(float(lower[0]), 4) == 0.2553
    assert round(float(upper[0]), 4) == 0.3662


@pytest.mark.parametrize(("successes", "totals"), [(0, 40), (40, 40), (3, 7)])
def test_wilson_stays_within_0_and_1(successes, totals):
    lower, upper = wilson_limits([successes], [totals])
    assert 0 <= lower[0] <= successes / totals <= upper[0] <= 1


def test_the_same_numbers_as_scipy_stats_to_the_bit():
    from scipy.stats import chi2, norm

    from mapserver.figures.intervals import chi2_ppf, norm_ppf

    counts = np.concatenate([np.arange(0, 3000), [12_345, 987_654, np.nan, -1]])
    for level in (0.95, 0.998):
        alpha = 1 - level
        for q, df in ((alpha / 2, 2 * counts), (1 - alpha / 2, 2 * counts + 2)):
            with np.errstate(invalid="ignore"):
                assert chi2_ppf(q, df).tobytes() == chi2.ppf(q, df).tobytes()
            assert chi2_ppf(q, 7.0) == chi2.ppf(q, 7.0)
        assert norm_ppf(1 - alpha / 2) == norm.ppf(1 - alpha / 2)


def test_limits_leave_scipy_stats_unimported():
    # scipy.stats takes the best part of a second to import: not on a server's first map.
    code = (
        "import sys; from mapserver.figures.intervals import poisson_rate_limits, wilson_limits;"
        "poisson_rate_limits([3], [1000], 1000); wilson_limits([3], [10]);"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_area_compared_with_its_country_by_its_interval():
    import pandas as pd

    from mapserver.figures.comparison import compared

    index = pd.Index(["high", "low", "same", "no_limits", "no_country"])
    lower = pd.Series([12.0, 2.0, 8.0, float("nan"), 1.0], index=index)
    upper = pd.Series([15.0, 4.0, 11.0, float("nan"), 3.0], index=index)
    national = pd.Series([10.0, 10.0, 10.0, 10.0, float("nan")], index=index)
    out = compared(lower, upper, national)
    assert out.dtype == object
    assert out.iloc[:3].tolist() == ["higher", "lower", "similar"]
    assert out.iloc[3:].isna().all()  # NaN, as a Series made with None and dtype=object
