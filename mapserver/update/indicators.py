"""`mapserver add` and the desk: read an indicator file and check it (`check`, which
writes nothing), then keep it in the store (`keep`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from ..core.config import Settings
from ..core.errors import DataError
from ..figures.indicators import period_figures
from ..ingest import outliers, plausibility
from ..ingest.formats import Observations, read_observations
from ..ingest.indicator import SLUG, Indicator, describe, periods
from ..ingest.loaders import read_lookup, read_population
from ..ingest.periods import Period
from ..ingest.vintages import Vintages, builtin_vintages
from ..store.indicator_store import StoredIndicator, indicators_root, kept_log, write


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


def check_values(observations: Observations, indicator: Indicator, name: str) -> None:
    """Refuse a value outside its own confidence limits, or outside its unit's range."""
    frames = [observations.frame]
    if observations.national is not None:
        frames.append(observations.national)
    words = " ".join(filter(None, (indicator.title, indicator.measure, indicator.unit)))
    plausibility.check_values(
        [frame.set_index("line", drop=False) for frame in frames],
        indicator.multiplier,
        indicator.unit,
        words,
        name,
    )


def find_outliers(
    observations: Observations, indicator: Indicator, known: Vintages, population: pd.Series
) -> list[outliers.Outlier]:
    """Extreme outliers among the figures as published, or as worked out from counts."""
    frame = observations.frame
    figures = frame["value"]
    if indicator.multiplier:
        denominator = frame["denominator"].fillna(known.area_population(frame["code"], population))
        with_counts = frame["count"] / denominator.where(denominator > 0)
        figures = figures.fillna(with_counts * indicator.multiplier)
    return outliers.find(frame, figures, frame["count"])


def check_outliers(
    found: list[outliers.Outlier], accepted: list[tuple[str, str | None]], name: str
) -> tuple[list[outliers.Outlier], list[str]]:
    """Refuse the first outlier not accepted; the accepted ones, and notes on any
    --accept-outlier that names none."""
    for outlier in found:
        if not outliers.is_accepted(outlier, accepted):
            raise DataError(
                f"{name}, line {outlier.line}: {outlier.describe()}: an extreme outlier "
                f"(if it is right, add the file with --accept-outlier {outlier.key()})"
            )
    unused = [
        f"--accept-outlier {code}{f':{period}' if period else ''}: no such outlier"
        for code, period in accepted
        if not any(outliers.is_accepted(outlier, [(code, period)]) for outlier in found)
    ]
    return found, unused


@dataclass(frozen=True, eq=False)
class Checked:
    """A file read and checked, nothing written: its observations, the indicator it
    describes, and what was read, set aside and noted."""

    observations: Observations
    indicator: Indicator
    name: str  # the file's name, as the log and the messages give it
    notes: tuple[str, ...]  # everything said of the file, in the order `add` prints it
    accepted: tuple[outliers.Outlier, ...] = ()  # outliers kept as given
    latest: Period | None = None

    @property
    def rows(self) -> int:
        """Rows kept for local authorities."""
        return len(self.observations.frame)

    @property
    def areas(self) -> int:
        """Distinct area codes kept."""
        return int(self.observations.frame["code"].nunique())

    @property
    def periods(self) -> list[Period]:
        """The periods with figures, newest first."""
        return periods(self.observations.frame, self.indicator.window)


def check(
    settings: Settings,
    path: Path,
    id: str | None = None,
    today: date | None = None,
    columns: dict | None = None,
    window: int | None = None,
    suppress_below: int | None = None,
    accept_outliers: list[str] | tuple[str, ...] = (),
    name: str | None = None,
) -> Checked:
    """Read and check an indicator file, writing nothing; DataError (one line) if refused.

    `accept_outliers`: `CODE` or `CODE:PERIOD` of figures the outlier rule would refuse,
    kept as given and written in the indicator's log. `name`: what messages call the
    file (default: its path).
    """
    name = str(path) if name is None else name
    accepted = outliers.parse_accepted(accept_outliers)
    observations = read_observations(path, **(columns or {}))
    indicator = describe(observations, id, window, suppress_below)
    if not SLUG.match(indicator.id):
        raise DataError(f"indicator id {indicator.id!r}: use lower-case letters, digits, hyphens")
    if observations.frame.empty:
        raise DataError(f"{name}: no rows for local authorities")
    known, population = reference(settings)
    today = date.today() if today is None else today
    check_observations(observations, known, population, today, name)
    check_values(observations, indicator, name)
    found = find_outliers(observations, indicator, known, population)
    kept_outliers, unused = check_outliers(found, accepted, name)
    notes = list(observations.notes)
    latest = periods(observations.frame, indicator.window)[0]
    figures = period_figures(indicator, observations.frame, latest, known, population)
    notes += figures.notes
    notes += [f"accepted outlier (line {o.line}): {o.describe()}" for o in kept_outliers]
    notes += unused
    return Checked(
        observations, indicator, Path(name).name, tuple(notes), tuple(kept_outliers), latest
    )


def keep(
    settings: Settings, checked: Checked, indicator: Indicator | None = None
) -> tuple[StoredIndicator, str]:
    """Keep a checked file as the indicator's new current version: it, and its version.

    `indicator`: what it measures, if not as the file described it (the desk's
    description, an update's date and note).
    """
    indicator = checked.indicator if indicator is None else indicator
    observations = checked.observations
    if indicator != checked.indicator:
        check_values(observations, indicator, checked.name)  # a new unit has its own range
    root = indicators_root(settings)
    log = [*kept_log(root, indicator.id), *log_lines(checked.name, observations, checked.notes)]
    stored = StoredIndicator(indicator, observations.frame, observations.national, tuple(log))
    # A new version, made current for every worker at once; old ones pruned as the
    # Covid data's are (MAPSERVER_VERSIONS_KEPT, never a current or pinned one).
    return stored, write(root, stored, keep=settings.versions_kept)


def add(
    settings: Settings,
    path: Path,
    id: str | None = None,
    today: date | None = None,
    columns: dict | None = None,
    window: int | None = None,
    suppress_below: int | None = None,
    accept_outliers: list[str] | tuple[str, ...] = (),
) -> tuple[StoredIndicator, list[str]]:
    """Read, check and keep an indicator file; returns it and what was set aside.

    `accept_outliers`: `CODE` or `CODE:PERIOD` of figures the outlier rule would refuse,
    kept as given and written in the indicator's log.
    """
    checked = check(settings, path, id, today, columns, window, suppress_below, accept_outliers)
    stored, _ = keep(settings, checked)
    return stored, list(checked.notes)


def log_lines(path: Path | str, observations: Observations, notes: Sequence[str]) -> list[str]:
    """What the indicator's log says of this addition: when, from what, and the notes."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    frame = observations.frame
    head = (
        f"{stamp} added from {Path(path).name}: {len(frame):,} row(s), "
        f"{frame['period'].nunique():,} period(s), {frame['code'].nunique():,} area code(s)"
    )
    return [head, *(f"{stamp}   {note}" for note in notes)]
