"""Confidence intervals against published values (PHE's technical guide, the issue's)."""

from __future__ import annotations

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
