"""Refuse figures no real source could publish: dates after today, counts above population."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..core.errors import DataError


def check_codes(codes: pd.Series, known: pd.Series, where: str) -> None:
    """Refuse codes that map to no district of any vintage, naming the first few."""
    unknown = codes[~known]
    if len(unknown):
        distinct = list(dict.fromkeys(unknown))
        shown = ", ".join(distinct[:5]) + (
            f" and {len(distinct) - 5} more" if len(distinct) > 5 else ""
        )
        raise DataError(f"{where}, line {unknown.index[0]}: codes that map to no district: {shown}")


def check_dates(dates: pd.Series, today: date, where: str) -> None:
    """Refuse a date after `today`; `dates` is indexed by the row's line in the file."""
    late = dates[dates > pd.Timestamp(today)]
    if len(late):
        line, first = late.index[0], late.iloc[0]
        more = f" (and {len(late) - 1} more row(s))" if len(late) > 1 else ""
        raise DataError(
            f"{where}, line {line}: date {first:%Y-%m-%d} is after today ({today:%Y-%m-%d}){more}"
        )


def check_counts(counts: pd.Series, population: pd.Series, what: str, where: str) -> None:
    """Refuse a count above the population of its area; both are indexed by line.

    Areas with no known population are not checked here (the code checks report them).
    """
    over = counts[counts > population]
    if len(over):
        line = over.index[0]
        more = f" (and {len(over) - 1} more row(s))" if len(over) > 1 else ""
        raise DataError(
            f"{where}, line {line}: {over.iloc[0]:,.0f} {what} is more than the area's "
            f"population of {population.loc[line]:,.0f}{more}"
        )
