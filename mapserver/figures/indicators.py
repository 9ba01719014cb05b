"""Indicators beside the Covid cases: what each measures, and its figures for a period.

An indicator is a checked observations frame (formats/) plus what it measures. Its
figures for one period are put on the districts that the period's codes need (the
newest vintage among them): counts and denominators of old districts are summed into
the new area, rates never are; where a new area and its old parts both have rows the
area's own row is used. Merged series (Hackney with the City of London, Cornwall with
the Isles of Scilly) are one area, whichever code the source gives them under.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import BadParameter
from ..ingest import vintages as vintages_module
from ..ingest.indicator import Indicator, periods
from ..ingest.periods import Period, parse_period
from ..ingest.vintages import Vintages
from . import comparison

FIGURE_COLUMNS = ["code", "name", "count", "denominator", "rate", "lower", "upper", "rank"]


def window_rows(frame: pd.DataFrame, period: Period, window: int) -> pd.DataFrame:
    """Each code's counts summed over the window's days: unknown unless every day is known."""
    days = frame[(frame["start"] >= period.start) & (frame["end"] <= period.end)]
    grouped = days.groupby("code", sort=True)
    summed = grouped[["count", "denominator"]].sum(min_count=1)
    known_days = grouped["count"].count()
    summed.loc[known_days < window, "count"] = np.nan  # a missing day is not a zero
    summed["denominator"] = grouped["denominator"].first()
    out = summed.reset_index()
    for column in ("value", *comparison.LIMIT_COLUMNS):
        out[column] = np.nan
    out["period"] = period.key
    return out


def parse_period_of(frame: pd.DataFrame, text: str | None) -> Period:
    """The period named by `text` (any spelling the sources use), or the latest."""
    known = periods(frame)
    if not text:
        return known[0]
    try:
        wanted = parse_period(text)
    except Exception:
        wanted = None
    for period in known:
        if wanted is not None and period.key == wanted.key:
            return period
    choices = ", ".join(p.key for p in known[:5]) + (" ..." if len(known) > 5 else "")
    raise BadParameter(f"period {text!r} is not in this indicator; choose from {choices}")


@dataclass(frozen=True)
class PeriodFigures:
    """One period's figures on one vintage, and what was set aside to get them."""

    period: Period
    vintage: int
    table: pd.DataFrame  # indexed by series code: FIGURE_COLUMNS plus country, complete
    notes: tuple[str, ...] = ()


def period_figures(
    indicator: Indicator,
    frame: pd.DataFrame,
    period: Period,
    known: Vintages,
    population: pd.Series,
    vintage: int | None = None,
) -> PeriodFigures:
    """Figures for every area of the period's vintage (or a later one asked for)."""
    if period.kind == "window":
        rows = window_rows(frame, period, indicator.window)
    else:
        rows = frame[frame["period"] == period.key]
    if indicator.kind == "count":
        rows = _own_denominators(rows, known, population)
    natural = known.natural(rows["code"])
    if vintage is None:
        vintage = natural
    vintages_module.check_forward(natural, vintage)
    lookup = known.districts(vintage)
    to_series = known.series_mapping(vintage)
    series = rows["code"].map(to_series)
    # A row under the series' own code (or an alias of it) stands for the whole area.
    own = (rows["code"] == series) | rows["code"].isin(list(known.aliases))
    has_own = set(series[own & _has_figure(rows, indicator)])
    parts = rows[~own & series.isin(has_own) & _has_figure(rows, indicator)]
    notes = []
    if len(parts):
        notes.append(
            f"rows for {len(parts)} old district(s) set aside: their new area has its own "
            f"row ({', '.join(sorted(set(parts['code']))[:5])})"
        )
    used = rows[own | ~series.isin(has_own)].assign(series=series)
    table = _summed(indicator, used, own[used.index])
    if indicator.kind == "count":
        incomplete = _partly_covered(used[~own[used.index]], known, to_series)
        if incomplete:
            notes.append(
                f"no figure for {len(incomplete)} area(s) whose old districts are not all "
                f"in the file: {', '.join(sorted(incomplete)[:5])}"
            )
            table.loc[table.index.isin(incomplete), ["count", "denominator"]] = np.nan
    if indicator.kind == "count":
        denominators = table["denominator"]
        if denominators.isna().all():
            present = population.index.intersection(to_series.index)
            denominators = vintages_module.sum_forward(population.loc[present], to_series)
            table = table.reindex(table.index.union(denominators.index))
            table["denominator"] = denominators
        computed = table["count"] / table["denominator"] * indicator.multiplier
        # A row without a count keeps its value as published, and its limits.
        table["rate"] = computed.where(table["count"].notna(), table.get("rate"))
        table = with_limits(table, indicator.multiplier)
    codes = pd.Index(lookup["series"].unique(), name="series")
    table = table.reindex(codes)
    names = lookup.drop_duplicates("series").set_index("series")["series_name"]
    table["code"] = codes
    table["name"] = names.reindex(codes).to_numpy()
    table["country"] = lookup.set_index("district")["country_name"].reindex(codes).to_numpy()
    return PeriodFigures(period, vintage, ranked(table, indicator), tuple(notes))


def ranked(table: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The table with `complete` (a figure is shown) and ranks within each country.

    Ranks compare the figures as shown (to the indicator's decimals): areas shown with
    the same figure share the rank (1=), and `tied` marks them."""
    table = table.assign(complete=table["rate"].notna())
    known = table[table["complete"]]
    ascending = not indicator.higher_is_worse
    shown = known["rate"].round(indicator.decimals)
    table["rank"] = shown.groupby(known["country"]).rank(method="min", ascending=ascending)
    sharing = table.groupby(["country", "rank"])["rank"].transform("size")
    table["tied"] = sharing.gt(1).where(table["complete"], False).astype(bool)
    table["rank_of"] = table["country"].map(known.groupby("country").size())
    table["rank_of"] = table["rank_of"].where(table["complete"])
    return table


def _has_figure(rows: pd.DataFrame, indicator: Indicator) -> pd.Series:
    if indicator.kind == "count":
        return rows["count"].notna() | rows["value"].notna()
    return rows["value"].notna()


def _own_denominators(rows: pd.DataFrame, known: Vintages, population) -> pd.DataFrame:
    """Rows with a count but no denominator (and no value of their own) take their area's
    population, when other rows have denominators: each row's figure is its own."""
    lacking = rows["count"].notna() & rows["denominator"].isna() & rows["value"].isna()
    if not lacking.any() or rows["denominator"].isna().all():
        return rows  # (none given at all: period_figures uses the population for every area)
    filled = known.area_population(rows.loc[lacking, "code"], population)
    return rows.assign(denominator=rows["denominator"].fillna(filled))


def with_limits(table: pd.DataFrame, multiplier: int) -> pd.DataFrame:
    """95% and 99.8% limits where the source gives none (and for areas summed here):
    Wilson for a percentage, exact Poisson for a rate."""
    return comparison.with_count_limits(table, "count", "denominator", multiplier)


def _partly_covered(parts: pd.DataFrame, known: Vintages, to_series: pd.Series) -> set[str]:
    """Series summed from old districts that do not cover the whole area: a sum with a
    district missing would be silently low."""
    base = to_series.reindex(known.lookup.index)
    out = set()
    for series, rows in parts.groupby("series"):
        covered = frozenset().union(*(known.covers(code) for code in rows["code"]))
        if covered != frozenset(base.index[base == series]):
            out.add(series)
    return out


def _summed(indicator: Indicator, used: pd.DataFrame, own: pd.Series) -> pd.DataFrame:
    """One row per series: its own row, or (counts only) its parts summed."""
    columns = ["count", "denominator", "value", *comparison.LIMIT_COLUMNS]
    own_rows = used[own].groupby("series")[columns].first()
    part_rows = used[~own]
    if indicator.kind == "count" and len(part_rows):
        # Every part must be known: a sum with a part missing would be silently low.
        grouped = part_rows.groupby("series")
        summed = grouped[["count", "denominator"]].sum(min_count=1)
        summed[grouped["count"].apply(lambda s: s.isna().any())] = np.nan
        summed = summed[~summed.index.isin(own_rows.index)]
        own_rows = pd.concat([own_rows, summed])
    table = own_rows.rename(columns={"value": "rate"})
    if indicator.kind == "count":
        # Rates are worked out from counts; a row without one keeps its published value.
        table["rate"] = table["rate"].where(table["count"].isna())
    return table
