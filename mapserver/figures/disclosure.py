"""Small counts kept from view: an indicator may suppress counts below a threshold.

A suppressed area keeps its place on the map, marked as suppressed with the reason,
never as no data or as zero; its count, figure and limits are withheld everywhere, and
so is anything they could be worked back from: its comparison with the country and its
rank. Totals are computed from the full counts, but a total that includes a suppressed
area is not published (subtracting the published areas would reveal it), and neither
is a country's figure summed here from counts that include one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .comparison import COMPARED_COLUMNS, LIMIT_COLUMNS

WITHHELD = ["count", "rate", *LIMIT_COLUMNS]


def reason(threshold: int, noun: str = "cases") -> str:
    """`fewer than 3 cases`: why an area's figure is not shown."""
    return f"fewer than {threshold} {noun}"


def suppressed(table: pd.DataFrame, threshold: int | None) -> pd.Series:
    """The areas whose known count is below `threshold` (none without one)."""
    if not threshold:
        return pd.Series(False, index=table.index)
    counts = table["count"].astype("float64")
    return counts.notna() & (counts < threshold)


def suppress(table: pd.DataFrame, threshold: int | None) -> pd.DataFrame:
    """The table with `suppressed` marked and those areas' counts, figures, limits and
    comparisons blanked (not zeroed)."""
    small = suppressed(table, threshold)
    out = table.assign(suppressed=small)
    if small.any():
        for column in WITHHELD:
            if column in out:
                out[column] = out[column].astype("float64").mask(small, np.nan)
        for column in COMPARED_COLUMNS:
            if column in out:
                out[column] = out[column].astype(object).mask(small, None)
    return out
