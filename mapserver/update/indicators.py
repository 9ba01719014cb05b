"""`mapserver add`: read an indicator file, check it, and keep it in the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from ..core.config import Settings
from ..core.errors import DataError
from ..figures.indicators import period_figures
from ..ingest import plausibility
from ..ingest.formats import Observations, read_observations
from ..ingest.indicator import SLUG, describe, periods
from ..ingest.loaders import read_lookup, read_population
from ..ingest.vintages import Vintages, builtin_vintages
from ..store.indicator_store import StoredIndicator, indicators_root, write


def reference(settings: Settings) -> tuple[Vintages, pd.Series]:
    """The district vintages and the ONS 2019 population the figures are put on."""
    lookup = read_lookup(settings.path("lookup"))
    return builtin_vintages(lookup), read_population(settings.path("population"))


def check_observations(
    observations: Observations, known: Vintages, population: pd.Series, today: date, name: str
) -> None:
    """Refuse unknown codes, periods after today and counts above the area's population."""
    frame = observations.frame.set_index("line", drop=False)
    plausibility.check_codes(frame["code"], frame["code"].map(known.first).notna(), name)
    late = frame[frame["start"] > pd.Timestamp(today)]
    if len(late):
        row = late.iloc[0]
        raise DataError(
            f"{name}, line {row['line']}: period {row['period']} begins after today "
            f"({today:%Y-%m-%d})"
        )
    limit = frame["denominator"].fillna(known.area_population(frame["code"], population))
    plausibility.check_counts(frame["count"], limit, "counted", name)


def add(
    settings: Settings,
    path: Path,
    id: str | None = None,
    today: date | None = None,
    columns: dict | None = None,
    window: int | None = None,
    suppress_below: int | None = None,
) -> tuple[StoredIndicator, list[str]]:
    """Read, check and keep an indicator file; returns it and what was set aside."""
    observations = read_observations(path, **(columns or {}))
    indicator = describe(observations, id, window, suppress_below)
    if not SLUG.match(indicator.id):
        raise DataError(f"indicator id {indicator.id!r}: use lower-case letters, digits, hyphens")
    if observations.frame.empty:
        raise DataError(f"{path}: no rows for local authorities")
    known, population = reference(settings)
    today = date.today() if today is None else today
    check_observations(observations, known, population, today, str(path))
    notes = list(observations.notes)
    latest = periods(observations.frame, indicator.window)[0]
    figures = period_figures(indicator, observations.frame, latest, known, population)
    notes += figures.notes
    stored = StoredIndicator(indicator, observations.frame, observations.national)
    write(indicators_root(settings), stored)
    return stored, notes
