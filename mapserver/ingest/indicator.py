"""What an indicator file describes: the indicator (title, unit, how its figure is got)
and the periods it has figures for."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from .formats import Observations
from .periods import Period, parse_period, rolling_window_label

# The id of the Covid cases indicator: the default, served with no `indicator=`.
COVID_ID = "covid-cases"
DASHBOARD_WINDOW = 7
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# Unit text for a multiplier, when the source gives none.
UNITS = {100_000: "per 100,000", 1_000: "per 1,000", 1_000_000: "per 1,000,000", 100: "%"}


@dataclass(frozen=True)
class Indicator:
    """What an indicator measures and how its figure is obtained."""

    id: str
    title: str
    unit: str
    multiplier: int | None
    decimals: int
    # "count": rate = count / denominator x multiplier (a row without a count: its value as
    # published); "value": every figure as published
    kind: str
    measure: str | None = None
    higher_is_worse: bool = True
    scheme: str = "quantiles"
    source: str | None = None
    caveats: str | None = None
    format: str = "plain"
    # Daily counts are mapped as sums over this many days ending on each day (the Covid
    # dashboard's 7); None: the periods as the source gives them.
    window: int | None = None
    # Counts below this are suppressed in every output (disclosure.py); None: none are.
    suppress_below: int | None = None
    # Where the figures are published (`mapserver add --source-url`). Indicators kept
    # before it was added have no such key, and read as None.
    source_url: str | None = None
    # What the desk adds (issue 26): an editor's subtitle and notes, plain text; on a
    # republished version, the day it was updated, the editor's note and whether it is a
    # correction; the display chosen (region, period, highlight, labels). Indicators kept
    # before them have no such keys, and read as these defaults.
    subtitle: str | None = None
    notes: str | None = None
    updated: str | None = None  # YYYY-MM-DD
    update_note: str | None = None
    correction: bool = False
    display: dict | None = None

    def to_dict(self) -> dict:
        """JSON-ready fields (the desk's only where set, so that an indicator without them
        is written, and named by its content, as before)."""
        fields = asdict(self)
        for name, default in DESK_DEFAULTS.items():
            if fields[name] == default:
                del fields[name]
        return fields


DESK_DEFAULTS = {
    "subtitle": None,
    "notes": None,
    "updated": None,
    "update_note": None,
    "correction": False,
    "display": None,
}


def slug_of(title: str) -> str:
    """`Preventable cardiovascular mortality (England)` -> `preventable-cardiovascular-...`."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "indicator"


def describe(
    observations: Observations,
    id: str | None = None,
    window: int | None = None,
    suppress_below: int | None = None,
) -> Indicator:
    """The indicator a file describes (title, unit, decimals from its metadata).

    `window`: sum daily counts over that many days (default: 7 for the UKHSA dashboard's
    daily counts, as the dashboard did; none otherwise). `suppress_below`: withhold
    counts below it, and the figures that would reveal them.
    """
    meta = observations.meta
    if window is None and meta.format == "ukhsa-dashboard":
        window = DASHBOARD_WINDOW
    multiplier = meta.multiplier
    if meta.kind == "count" and multiplier is None:
        multiplier = 100_000  # counts become rates per 100,000 unless the source says
    unit = meta.unit or UNITS.get(multiplier or 0, "")
    return Indicator(
        id=id or slug_of(meta.title),
        title=meta.title,
        unit=unit,
        multiplier=multiplier,
        decimals=1 if meta.decimals is None else int(meta.decimals),
        kind=meta.kind,
        measure=meta.measure,
        source=meta.source,
        caveats=meta.caveats,
        format=meta.format,
        window=window,
        suppress_below=suppress_below,
        source_url=meta.source_url,
    )


def periods(frame: pd.DataFrame, window: int | None = None) -> list[Period]:
    """The periods of an observations frame, newest first (rolling windows of days)."""
    if window:
        return window_periods(frame, window)
    keys = frame["period"].unique()
    return sorted((parse_period(key) for key in keys), key=lambda p: (p.end, p.start))[::-1]


def window_periods(frame: pd.DataFrame, window: int) -> list[Period]:
    """Every `window`-day span of the frame's days, by its last day, newest first."""
    first, last = frame["start"].min(), frame["end"].max()
    ends = pd.date_range(first + pd.Timedelta(days=window - 1), last, freq="D")[::-1]
    span = pd.Timedelta(days=window - 1)
    return [
        Period(f"{end:%Y-%m-%d}", end - span, end, rolling_window_label(end, window), "window")
        for end in ends
    ]
