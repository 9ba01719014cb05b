"""The one interface every data set shows the maps and words: the Covid cases and each
indicator answer the same questions about periods, regions, vintages and figures."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pandas as pd

from ..ingest.indicator import Indicator
from ..ingest.regions import Region
from ..ingest.vintages import Vintages


@runtime_checkable
class Figures(Protocol):
    """A data set as the outputs see it (`Dataset` for the Covid cases, `IndicatorDataset`).

    A period is named by its last day (`week`, for the Covid data's 7-day windows).
    """

    version: str
    vintage: int
    lag_days: int
    settings: Any

    # None for the Covid cases; what the indicator measures otherwise.
    @property
    def indicator(self) -> Indicator | None: ...
    @property
    def indicator_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def decimals(self) -> int: ...
    @property
    def default_scheme(self) -> str: ...
    @property
    def lookup(self) -> pd.DataFrame: ...
    @property
    def meta(self) -> pd.DataFrame: ...
    @property
    def regions(self) -> dict[str, Region]: ...
    @property
    def first_date(self) -> pd.Timestamp: ...
    @property
    def last_date(self) -> pd.Timestamp: ...
    @property
    def first_week(self) -> pd.Timestamp: ...
    @property
    def last_week(self) -> pd.Timestamp: ...
    @property
    def default_week(self) -> pd.Timestamp: ...
    @property
    def district_vintages(self) -> Vintages: ...

    def period_text(self, week: pd.Timestamp) -> str:
        """How the period ending `week` is said: `7 days to 21 February 2021`, `2022`."""

    def weeks(self, like: pd.Timestamp | None = None) -> list[pd.Timestamp]:
        """Every period's last day, newest first."""

    def week_range_text(self) -> str:
        """The periods there are, said for an error message."""

    def parse_week(self, text: str | None) -> pd.Timestamp:
        """The period named by `text` (the default one for None); BadParameter if unknown."""

    def natural_vintage(self, week: pd.Timestamp) -> int:
        """The district vintage that the period's own codes are on."""

    def vintage_for(self, week: pd.Timestamp, asked: str | None) -> int:
        """The vintage to show the period on: `asked`, or the natural one."""

    def vintages_in_use(self) -> list[int]:
        """The vintages that some period is on."""

    def at(self, vintage: int) -> Figures:
        """The same data on the districts of `vintage`."""

    def region(self, key: str) -> Region:
        """The region for a slug or ONS code; UnknownRegion if none."""

    def figures(self, week: pd.Timestamp) -> pd.DataFrame:
        """Every area's figures for the period ending `week`."""

    def region_figures(self, region: Region, week: pd.Timestamp) -> pd.DataFrame:
        """The region's areas, highest first."""

    def region_total(self, region: Region, week: pd.Timestamp, limits: bool = True) -> dict:
        """The region as a whole: counts summed, never a mean of rates (and the total's
        own limits, unless `limits` is False)."""

    def history(self, region: Region, week: pd.Timestamp, count: int = 12) -> dict:
        """Each area's figure over the periods up to `week`, for the popups' timelines."""
