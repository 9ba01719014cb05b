"""Each area's figure beside its country's: limits at 95% and 99.8%, and how it compares.

An area is higher, similar or lower than its country's figure by whether its interval
excludes that figure, at 95% or at 99.8% (the two levels Fingertips shows). The
country's figure is the source's own where it gives one, else the sum of its areas'
counts over the sum of their denominators, and only when every area is known: a total
with an area missing would be silently low.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import intervals

# Level -> the suffix of its columns: lower, upper, compared; lower_998, upper_998, ...
LEVELS = {0.95: "", 0.998: "_998"}
LIMIT_COLUMNS = [f"{end}{suffix}" for suffix in LEVELS.values() for end in ("lower", "upper")]
COMPARED_COLUMNS = [f"compared{suffix}" for suffix in LEVELS.values()]


def count_limits(
    counts: pd.Series, denominators: pd.Series, multiplier: float
) -> dict[str, pd.Series]:
    """Limits at both levels: Wilson for a percentage, exact Poisson for any other rate."""
    return {
        name: pd.Series(limits, index=counts.index, dtype="float64")
        for name, limits in _limits(counts, denominators, multiplier).items()
    }


def _limits(counts, denominators, multiplier: float) -> dict:
    """count_limits as arrays."""
    out = {}
    for level, suffix in LEVELS.items():
        if multiplier == 100:
            lower, upper = intervals.wilson_limits(counts, denominators, level)
            lower, upper = lower * 100, upper * 100
        else:
            lower, upper = intervals.poisson_rate_limits(counts, denominators, multiplier, level)
        out[f"lower{suffix}"], out[f"upper{suffix}"] = lower, upper
    return out


def with_count_limits(
    table: pd.DataFrame, count: str, denominator: str, multiplier: float
) -> pd.DataFrame:
    """The table with limits at both levels, keeping any the source gave."""
    computed = count_limits(table[count], table[denominator], multiplier)
    out = table.copy()
    nothing = pd.Series(float("nan"), index=out.index)
    for suffix in LEVELS.values():
        lower, upper = (out.get(f"{end}{suffix}", nothing) for end in ("lower", "upper"))
        given = lower.notna() & upper.notna()
        for name, kept in ((f"lower{suffix}", lower), (f"upper{suffix}", upper)):
            out[name] = kept.where(given, computed[name]).astype("float64")
    return out


def national_from_counts(
    table: pd.DataFrame, count: str, denominator: str, multiplier: float
) -> dict[str, float]:
    """Each country's counts summed over its denominators, where all its areas are known."""
    out = {}
    for country, rows in table.groupby("country"):
        complete = rows[count].notna().all() and rows[denominator].notna().all()
        if complete and rows[denominator].sum() > 0:
            out[str(country)] = float(rows[count].sum() / rows[denominator].sum() * multiplier)
    return out


def compared(lower: pd.Series, upper: pd.Series, national: pd.Series) -> pd.Series:
    """higher, lower or similar: whether an area's interval excludes its country's figure;
    None without limits or a national figure."""
    known = lower.notna() & upper.notna() & national.notna()
    # (set in an array: masked assignment to an object Series took most of week_figures)
    out = np.full(len(lower), np.nan, dtype=object)  # (as pd.Series(None, dtype=object))
    out[known.reindex(lower.index).to_numpy()] = "similar"
    out[(known & (lower > national)).reindex(lower.index).to_numpy()] = "higher"
    out[(known & (upper < national)).reindex(lower.index).to_numpy()] = "lower"
    return pd.Series(out, index=lower.index, dtype=object)


def with_comparison(table: pd.DataFrame, national: dict[str, float]) -> pd.DataFrame:
    """The table with its country's figure (`national`) and `compared` at both levels."""
    out = table.assign(national=table["country"].map(national).astype("float64"))
    for suffix in LEVELS.values():
        lower, upper = out.get(f"lower{suffix}"), out.get(f"upper{suffix}")
        if lower is None or upper is None:
            out[f"compared{suffix}"] = None
        else:
            out[f"compared{suffix}"] = compared(lower, upper, out["national"])
    return out


def total_limits(count: float | None, denominator: float | None, multiplier: float) -> dict:
    """A total's own 95% and 99.8% limits (exact Poisson, Wilson for a percentage)."""
    if count is None or denominator is None or not denominator > 0:
        return dict.fromkeys(LIMIT_COLUMNS)
    # (arrays, not Series: a page asks for a region's total more than once)
    limits = _limits([count], [denominator], multiplier)
    return {name: float(value[0]) for name, value in limits.items()}
