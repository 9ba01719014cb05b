"""An indicator as the lists of indicators show it, from its metadata alone.

`/api/indicators`, the pages' menus of indicators and the OGC collections name every
indicator kept, with its periods and the one shown by default. Those come from each
version's indicator.json (store/indicator_store.py), so listing 1,500 indicators reads
1,500 small files, never their observations.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.errors import WeekOutOfRange
from ..ingest.indicator import Indicator
from ..ingest.periods import Period


def default_end(periods: list[Period] | tuple[Period, ...], window: int | None, lag_days: int):
    """The last day of the period shown when none is asked for (`periods` newest first):
    the latest, or for daily counts (`window`) the one ending `lag_days` before it."""
    last, first = periods[0].end, periods[-1].end
    if window and lag_days:
        return max(last - pd.Timedelta(days=lag_days), first)
    return last


class IndicatorWords:
    """The words and periods of an indicator, from its `indicator`, its `periods` (newest
    first) and `lag_days`: what a listing and a full IndicatorDataset say alike."""

    indicator: Indicator
    periods: list[Period] | tuple[Period, ...]
    lag_days: int

    @property
    def indicator_id(self) -> str:
        """The id in URLs (`indicator=`)."""
        return self.indicator.id

    @property
    def title(self) -> str:
        """The map's title."""
        return self.indicator.title

    @property
    def unit(self) -> str:
        """`per 100,000 population`."""
        return self.indicator.unit

    @property
    def decimals(self) -> int:
        """Decimal places of the figure."""
        return self.indicator.decimals

    @property
    def first_date(self) -> pd.Timestamp:
        """The first day the data covers."""
        return self.periods[-1].start

    @property
    def last_week(self) -> pd.Timestamp:
        """The last day of the latest period."""
        return self.periods[0].end

    @property
    def default_week(self) -> pd.Timestamp:
        """The period shown when none is asked for: for daily counts, `lag_days` back."""
        return default_end(self.periods, self.indicator.window, self.lag_days)

    def period(self, week: pd.Timestamp) -> Period:
        """The period whose last day is `week`."""
        for period in self.periods:
            if period.end == week:
                return period
        raise WeekOutOfRange(f"no period of {self.indicator.id} ends on {week:%Y-%m-%d}")

    def period_text(self, week: pd.Timestamp) -> str:
        """`2022 to 2024`: the label of the period ending on `week`."""
        return self.period(week).label


@dataclass(frozen=True)
class IndicatorListing(IndicatorWords):
    """One indicator version's words and periods, as IndicatorDataset gives them."""

    indicator: Indicator
    periods: tuple[Period, ...]  # newest first
    version: str
    lag_days: int = 0


def listings(listed: dict, lag_days: int) -> list[IndicatorListing]:
    """Each kept indicator's listing, from the store's Listed by id (in their order)."""
    return [
        IndicatorListing(item.indicator, tuple(item.periods), item.version, lag_days)
        for item in listed.values()
    ]
