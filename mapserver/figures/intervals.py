"""Confidence intervals: exact Poisson for rates from counts, Wilson for proportions.

Exact Poisson limits come from the chi-square distribution, as Fingertips (PHE's
"Technical Guide: Confidence Intervals") computes them for counts of events: for a count
O at level 1 - a, the limits of the expected count are chi2(a/2, 2O) / 2 and
chi2(1 - a/2, 2O + 2) / 2 (the lower limit of 0 events is 0). The Wilson score interval
is the guide's method for proportions.

Whole counts' limits at the levels the figures carry need no scipy (whose import costs a
server's first map 0.12-0.19 s of CPU): up to 4,095 they are looked up in a table of
scipy's own floats (limits_table.py), above it computed with numpy (gamma_quantiles.py,
checked against scipy by the tests). scipy.special is imported for anything else.
"""

from __future__ import annotations

import numpy as np

from . import limits_table
from .gamma_quantiles import gamma_quantiles

LARGEST_COMPUTED = 10**8  # (whole counts above it are left to scipy: the series grows as
# the root of the count, and no count of the data comes near)

LEVELS = (0.95, 0.998)


def _array(values) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def chi2_ppf(q: float, df) -> np.ndarray:
    """scipy.stats.chi2.ppf(q, df) for 0 < q < 1 (NaN where df is not positive).

    scipy.stats computes it as 2 * gammaincinv(df / 2, q): the same special function
    gives the same numbers, without importing scipy.stats, which takes the best part of
    a second of a server's first map (scipy.special is a fraction of that).
    """
    from scipy.special import gammaincinv

    df = _array(df)
    with np.errstate(invalid="ignore"):
        out = np.where(df > 0, 2 * gammaincinv(df / 2, q), np.nan)
    return out[()] if out.ndim == 0 else out  # a scalar for a scalar, as scipy.stats


def norm_ppf(q: float) -> np.float64:
    """scipy.stats.norm.ppf(q) for 0 < q < 1: ndtri(q), as scipy.stats computes it."""
    from scipy.special import ndtri

    return ndtri(q)


def poisson_count_limits(counts, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact lower and upper limits of the expected count for observed counts."""
    counts = _array(counts)
    # Most weeks' counts are in the table, computed with scipy once (limits_table.py).
    tabled = limits_table.lookup(counts, level)
    return _pieced_limits(counts, level) if tabled is None else tabled


def _pieced_limits(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """poisson_count_limits with some count outside the table: each count's from the
    table, computed with numpy (a whole count above the table), or from scipy."""
    lower, upper = np.full(counts.shape, np.nan), np.full(counts.shape, np.nan)
    with np.errstate(invalid="ignore"):
        whole = (counts >= 0) & (counts == np.floor(counts)) & (level in limits_table.LEVELS)
    tabled = whole & (counts <= limits_table.LARGEST)
    computed = whole & (counts > limits_table.LARGEST) & (counts <= LARGEST_COMPUTED)
    rest = ~tabled & ~computed & ~np.isnan(counts)
    for part, limits in (
        (tabled, lambda: limits_table.lookup(counts[tabled], level)),
        (computed, lambda: large_count_limits(counts[computed], level)),
        (rest, lambda: exact_count_limits(counts[rest], level)),
    ):
        if part.any():
            lower[part], upper[part] = limits()
    return lower, upper


def large_count_limits(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """exact_count_limits of whole counts above the table, computed with numpy alone: the
    same gamma quantiles (chi2(q, 2O) / 2 is the gamma quantile of shape O)."""
    alpha = 1 - level
    return gamma_quantiles(counts, alpha / 2), gamma_quantiles(counts + 1, 1 - alpha / 2)


def exact_count_limits(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """poisson_count_limits of float counts, computed with scipy.special (the table's
    source, and what the tests check the rest against)."""
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(counts > 0, chi2_ppf(alpha / 2, 2 * counts) / 2, 0.0)
        upper = chi2_ppf(1 - alpha / 2, 2 * counts + 2) / 2
    unknown = np.isnan(counts)
    return np.where(unknown, np.nan, lower), np.where(unknown, np.nan, upper)


def count_limits_table() -> np.ndarray:
    """The table limits_table.py looks up: [level, lower or upper, count] for its counts."""
    counts = np.arange(limits_table.LARGEST + 1, dtype="float64")
    return np.array([exact_count_limits(counts, level) for level in limits_table.LEVELS])


def poisson_rate_limits(
    counts, denominators, multiplier: float, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a rate (count / denominator x multiplier), from the count's exact limits."""
    lower, upper = poisson_count_limits(counts, level)
    scale = multiplier / _array(denominators)
    return lower * scale, upper * scale


def wilson_limits(successes, totals, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of the proportions successes / totals."""
    successes, totals = _array(successes), _array(totals)
    z = norm_ppf(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = successes / totals
        centre = share + z * z / (2 * totals)
        spread = z * np.sqrt(share * (1 - share) / totals + z * z / (4 * totals * totals))
        scale = 1 + z * z / totals
        # (clipped: at 0 or all of n, rounding would put a limit a hair outside [0, 1])
        return np.clip((centre - spread) / scale, 0, 1), np.clip((centre + spread) / scale, 0, 1)


if __name__ == "__main__":
    np.save(limits_table.TABLE, count_limits_table(), allow_pickle=False)
