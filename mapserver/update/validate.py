"""Checks a new data set must pass before it becomes current, and what it changes.

The existing loaders check each file (columns, dates, counts, duplicates, codes); this
module compares the new data set with the current one: it must not cover fewer days or
fewer areas, and must not revise more than a set share of past 7-day sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import DataError
from ..figures.covid import Dataset

LARGEST_SHOWN = 5


class Refused(DataError):
    """A new data set that must not become current; the message is one line."""


@dataclass(frozen=True)
class Revision:
    """One past 7-day sum that the new data changes."""

    series: str
    name: str
    week: pd.Timestamp
    old: float
    new: float | None

    @property
    def size(self) -> float:
        """How far the sum moved (a sum that became unknown counts as its old value)."""
        return abs((self.new if self.new is not None else 0.0) - self.old)

    def text(self) -> str:
        """`Corby, week to 2021-02-21: 123 -> 150 cases`."""
        new = "unknown" if self.new is None else f"{self.new:,.0f}"
        return f"{self.name}, week to {self.week:%Y-%m-%d}: {self.old:,.0f} -> {new} cases"


@dataclass(frozen=True)
class Changes:
    """What a new data set changes against the current one."""

    new_days: list[pd.Timestamp]
    new_areas: list[str]
    compared: int  # past 7-day sums known in the current data
    revised: int  # of which the new data changes this many
    revised_weeks: int  # distinct week ends with a revised sum
    revised_areas: int
    largest: list[Revision] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The share of past 7-day sums revised."""
        return self.revised / self.compared if self.compared else 0.0

    def lines(self) -> list[str]:
        """A short human summary, one fact a line."""
        if self.new_days:
            days = f"{len(self.new_days)} new day(s), {self.new_days[0]:%Y-%m-%d}"
            if len(self.new_days) > 1:
                days += f" to {self.new_days[-1]:%Y-%m-%d}"
        else:
            days = "no new days"
        out = [days, f"{len(self.new_areas)} new area(s)" + _codes(self.new_areas)]
        out.append(
            f"{self.revised_weeks} past week(s) revised: {self.revised} of {self.compared} "
            f"7-day sums ({self.share:.2%}) in {self.revised_areas} area(s)"
        )
        out += [f"  largest: {revision.text()}" for revision in self.largest]
        return out


def _codes(codes: list[str]) -> str:
    if not codes:
        return ""
    shown = ", ".join(codes[:5])
    return f": {shown}" + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")


def compare(old: Dataset, new: Dataset) -> Changes:
    """New days and areas, and the past 7-day sums that the new data revises."""
    old_days, new_days = old.sums.index, new.sums.index
    days = old_days.intersection(new_days)
    series = old.sums.columns.intersection(new.sums.columns)
    before = old.sums.loc[days, series]
    after = new.sums.loc[days, series]
    known = before.notna()
    # A known sum revised, or one that the new data no longer knows.
    revised = known & ~np.isclose(before.fillna(0), after.fillna(-1), rtol=0, atol=1e-9)
    stacked = revised.stack()
    cells = stacked[stacked].index
    revisions = [
        Revision(
            code,
            str(new.meta["name"].get(code, code)),
            week,
            float(before.at[week, code]),
            None if pd.isna(after.at[week, code]) else float(after.at[week, code]),
        )
        for week, code in cells
    ]
    revisions.sort(key=lambda r: r.size, reverse=True)
    return Changes(
        new_days=list(new_days.difference(old_days)),
        new_areas=sorted(new.sums.columns.difference(old.sums.columns)),
        compared=int(known.to_numpy().sum()),
        revised=len(cells),
        revised_weeks=len({week for week, _ in cells}),
        revised_areas=len({code for _, code in cells}),
        largest=revisions[:LARGEST_SHOWN],
    )


def check_coverage(old: Dataset, new: Dataset, cases_name: str) -> None:
    """Refuse a data set that covers fewer days or fewer areas than the current one."""
    if new.first_date > old.first_date or new.last_date < old.last_date:
        raise Refused(
            f"{cases_name}: covers fewer days than the current data "
            f"({new.first_date:%Y-%m-%d} to {new.last_date:%Y-%m-%d}, current "
            f"{old.first_date:%Y-%m-%d} to {old.last_date:%Y-%m-%d})"
        )
    missing = sorted(old.sums.columns.difference(new.sums.columns))
    if missing:
        raise Refused(
            f"{cases_name}: covers fewer areas than the current data "
            f"({len(new.sums.columns)} against {len(old.sums.columns)}; "
            f"missing {_codes(missing)[2:]})"
        )


def check_revisions(changes: Changes, threshold: float, cases_name: str) -> None:
    """Refuse a data set that revises more than `threshold` of the past 7-day sums."""
    if changes.share > threshold:
        raise Refused(
            f"{cases_name}: revises {changes.share:.1%} of past 7-day sums "
            f"({changes.revised} of {changes.compared}, in {changes.revised_areas} area(s)), "
            f"more than the threshold of {threshold:.1%}; use --accept-revisions if intended"
        )
