"""Tables with one column per period ("years across"): `Area Code, Area Name, 2015, ...,
2021`, the years written as numbers or as text. Each is turned into one row per area and
period, as the other layouts have them."""

from __future__ import annotations

import pandas as pd

from ...core.errors import DataError
from ..periods import parse_period

PERIOD_COLUMN = "period"
VALUE_COLUMN = "value"


def period_columns(header: list[str]) -> list[str]:
    """The columns whose names are periods (`2019`, `2019/20`, `2020 Q1`, `Mar 2020`)."""
    found = []
    for column in header:
        try:
            parse_period(column)
        except DataError:
            continue
        found.append(column)
    return found


def melt(frame: pd.DataFrame, keep: list[str], periods: list[str]) -> pd.DataFrame:
    """One row per area and period column, ordered by line then by the columns' order:
    the columns `keep`, `period` (the column's name) and `value` (its cell)."""
    parts = [
        frame[keep].assign(**{PERIOD_COLUMN: column, VALUE_COLUMN: frame[column]})
        for column in periods
    ]
    # A stable sort by line keeps each row's periods together, in the table's order.
    return pd.concat(parts).sort_index(kind="stable")
