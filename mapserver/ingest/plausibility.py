"""Refuse figures no real source could publish: dates after today, counts above population,
values outside their own confidence limits or their unit's range."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
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


# --- published values ---------------------------------------------------------------------

# Units naming a change or a gap: such a percentage may be negative or above 100.
SIGNED_WORDS = re.compile(r"\b(chang|growth|gap|differen|increase|decrease)", re.IGNORECASE)


def shown(value: float) -> str:
    """A figure as a source would write it: `1,000,000,000,000`, `30.23`."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimal_places(value)}f}"


def decimal_places(value: float) -> int:
    """Places after the point in the shortest text of a float (0 for a whole number)."""
    if not np.isfinite(value) or float(value).is_integer():
        return 0
    text = np.format_float_positional(value, trim="-")
    return len(text.partition(".")[2])


def half_unit(values: pd.Series) -> pd.Series:
    """Half a unit in the last decimal place each value is written to: how far rounding
    in the source may have moved it. A whole number counts as rounded to units."""
    places = [decimal_places(value) for value in values.tolist()]
    return pd.Series(0.5 * 10.0 ** -np.array(places, dtype=float), index=values.index)


def _slack(values: pd.Series) -> pd.Series:
    """half_unit of the known values, NaN elsewhere; by position, since a table laid out
    with one column per period has several rows to a line."""
    out = np.full(len(values), np.nan)
    known = values.notna().to_numpy()
    out[known] = half_unit(values[known]).to_numpy()
    return pd.Series(out, index=values.index)


def first_problem(bad: pd.Series, describe) -> tuple[int, str] | None:
    """(line, problem) for the first line where `bad` holds (indexed by line), or None."""
    if not bad.any():
        return None
    line = int(bad[bad].index.min())
    return line, describe(line)


def outside_limits(frame: pd.DataFrame) -> tuple[int, str] | None:
    """The first value outside its own confidence limits, allowing for the rounding of
    the value and of the limit (half a unit in each one's last published place)."""
    found = []
    value = frame["value"]
    value_slack = _slack(value)
    for level, suffix in (("95%", ""), ("99.8%", "_998")):
        for end in ("lower", "upper"):
            limit = frame[f"{end}{suffix}"]
            known = value.notna() & limit.notna()
            if not known.any():
                continue
            slack = value_slack + _slack(limit.where(known))
            slack += 1e-9 * value.abs()  # the float parsing of the two texts
            beyond = value < limit - slack if end == "lower" else value > limit + slack
            side = "below its lower" if end == "lower" else "above its upper"
            found.append(
                first_problem(
                    known & beyond,
                    lambda i, side=side, level=level, limit=limit: (
                        f"value {shown(value[i])} is {side} {level} confidence limit "
                        f"{shown(limit[i])}"
                    ),
                )
            )
    return min((item for item in found if item), default=None)


def out_of_range(
    frame: pd.DataFrame, multiplier: int | None, unit: str, words: str
) -> tuple[int, str] | None:
    """The first value no figure in its unit can take: a percentage outside 0 to 100, a
    rate above its base (more than 100,000 per 100,000). Not for changes or gaps."""
    if multiplier is None or SIGNED_WORDS.search(words):
        return None
    value = frame["value"]
    if multiplier == 100 or "%" in unit:
        return first_problem(
            (value < 0) | (value > 100),
            lambda i: f"value {shown(value[i])} is not a percentage (0 to 100)",
        )
    return first_problem(
        value > multiplier,
        lambda i: (
            f"value {shown(value[i])} is more than its base: over {multiplier:,} "
            f"{unit or f'per {multiplier:,}'}"
        ),
    )


def check_values(
    frames: list[pd.DataFrame], multiplier: int | None, unit: str, words: str, where: str
) -> None:
    """Refuse a value outside its own limits or its unit's range, naming the first line.

    `frames` are indexed by line; `words` (title, measure, unit) say whether the figure
    is a change or a gap, which may be negative.
    """
    found = [
        problem
        for frame in frames
        for problem in (outside_limits(frame), out_of_range(frame, multiplier, unit, words))
        if problem
    ]
    if found:
        line, problem = min(found)
        raise DataError(f"{where}, line {line}: {problem}")
