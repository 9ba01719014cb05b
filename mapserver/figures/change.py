"""Whether a change from the period before is more than chance.

For counts, the exact test of two Poisson rates: given the n1 + n2 events of the two
periods, the current period's n2 is Binomial(n1 + n2, p) when the rate has not changed,
with p = d2 / (d1 + d2) from the two denominators (the conditional binomial test). The
two-sided p-value is the sum of the probabilities of every outcome no more likely than
the one seen (as scipy.stats.binomtest gives it); the change is significant below 0.05.
For published values without counts, the two periods' 95% confidence intervals: a
change is significant where they do not overlap; where they overlap, only that is said
(overlapping intervals can still hide a real change). Without counts or intervals
nothing is said (None).

`change_test` is "significant", "not significant", "intervals overlap" or None.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

LEVEL = 0.05
SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
OVERLAP = "intervals overlap"  # (not a test: overlapping limits may still differ)


def poisson_p_value(n1: int, d1: float, n2: int, d2: float) -> float:
    """Two-sided p-value of the conditional binomial test of n2 events in d2 against n1
    in d1 (both Poisson, the same rate under the null)."""
    from scipy.special import gammaln  # (lazily, and not scipy.stats: start-up time)

    total = n1 + n2
    if total == 0:
        return 1.0
    p = d2 / (d1 + d2)
    k = np.arange(total + 1)
    log_pmf = (
        gammaln(total + 1) - gammaln(k + 1) - gammaln(total - k + 1)
        + k * np.log(p) + (total - k) * np.log1p(-p)
    )  # fmt: skip
    probabilities = np.exp(log_pmf)
    seen = probabilities[n2]
    # outcomes no more likely than the one seen, with scipy's relative tolerance
    return float(min(1.0, probabilities[probabilities <= seen * (1 + 1e-7)].sum()))


def _whole(value) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(round(float(value)))


def change_tests(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    """Each area's test of its change (`change_test`), by index of `current`.

    Both frames have `count`, `denominator`, `rate`, `lower` and `upper` by area."""
    out = pd.Series(None, index=current.index, dtype=object)
    if previous is None:
        return out
    before = previous.reindex(current.index)
    for code in current.index:
        now, then = current.loc[code], before.loc[code]
        if pd.isna(now["rate"]) or pd.isna(then["rate"]):
            continue
        n1, n2 = _whole(then.get("count")), _whole(now.get("count"))
        d1, d2 = then.get("denominator"), now.get("denominator")
        limits = [now.get("lower"), now.get("upper"), then.get("lower"), then.get("upper")]
        if None not in (n1, n2) and not (pd.isna(d1) or pd.isna(d2)) and d1 > 0 and d2 > 0:
            significant = poisson_p_value(n1, float(d1), n2, float(d2)) < LEVEL
            out[code] = SIGNIFICANT if significant else NOT_SIGNIFICANT
        elif not any(pd.isna(x) for x in limits):
            apart = limits[0] > limits[3] or limits[2] > limits[1]
            out[code] = SIGNIFICANT if apart else OVERLAP
    return out
