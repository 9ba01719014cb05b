"""Exact Poisson limits of the counts 0 to 4,095, computed once and shipped as a table.

The limits come from scipy.special, whose import costs about 0.2 s of CPU: on a server's
first map, and in each worker. A week's counts per area are whole numbers, under 4,096
in every week since April 2022 and in five weeks of six over the built-in series, so
their limits are looked up in this table: the very floats intervals.exact_count_limits
gives, written by `python -m mapserver.figures.intervals` (count_limits_table) and
checked against it, bit for bit, by tests/test_limits_table.py. Larger whole counts are
computed with numpy (gamma_quantiles.py); other counts and levels with scipy.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

TABLE = Path(__file__).with_name("poisson_limits.npy")
LARGEST = 4095
LEVELS = (0.95, 0.998)  # the levels the figures carry (comparison.LEVELS)


@functools.cache
def _table() -> np.ndarray:
    return np.load(TABLE)


def lookup(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The limits of float counts from the table; None unless every known count is a
    whole number from 0 to LARGEST and the level is one of LEVELS."""
    if level not in LEVELS:
        return None
    unknown = np.isnan(counts)
    known = counts[~unknown]
    if known.size and not (
        known.min() >= 0 and known.max() <= LARGEST and np.array_equal(known, np.floor(known))
    ):
        return None
    lower, upper = _table()[LEVELS.index(level)]
    index = np.where(unknown, 0, counts).astype(np.intp)
    return np.where(unknown, np.nan, lower[index]), np.where(unknown, np.nan, upper[index])
