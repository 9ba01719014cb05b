"""Load the data files once and answer questions about weeks, regions and figures."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.config import Settings
from ..core.digest import data_version
from ..core.errors import BadParameter, DataError, WeekOutOfRange
from ..ingest import plausibility, vintages
from ..ingest.boundaries import read_boundary_codes
from ..ingest.indicator import COVID_ID
from ..ingest.loaders import read_cases, read_lookup, read_population
from ..ingest.reconcile import Reconciliation, reconcile
from ..ingest.regions import Region, all_regions, resolve_region
from ..ingest.vintages import BASE
from . import rates
from .intervals import poisson_rate_limits

log = logging.getLogger(__name__)

WEEK_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Dataset:
    """Everything loaded from the data files, with the 7-day sums computed once."""

    lookup: pd.DataFrame
    sums: pd.DataFrame
    known: pd.DataFrame
    population: pd.Series
    meta: pd.DataFrame
    regions: dict[str, Region]
    reconciliation: Reconciliation
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    lag_days: int
    version: str
    # The settings it was loaded with: where the boundaries are, for maps drawn in Python.
    settings: Settings | None = field(default=None, repr=False, compare=False)
    # The districts' vintage (LAD 2019, 2020, ...) these figures are on, and what it
    # takes to put the same data on another vintage (None: this one only).
    vintage: int = BASE
    source: VintageSource | None = field(default=None, repr=False, compare=False)
    _figures: dict = field(default_factory=dict, repr=False)
    _views: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # The words every output puts around the figures (an IndicatorDataset has its own).
    indicator = None  # not an indicator of the store: the Covid cases themselves
    indicator_id = COVID_ID
    title = "Covid-19 cases per 100,000"
    unit = "per 100,000"
    decimals = 1
    default_scheme = "dashboard"

    def period_text(self, week: pd.Timestamp) -> str:
        """`7 days to 21 February 2021`."""
        return f"7 days to {week.day} {week:%B %Y}"

    def history(self, region: Region, week: pd.Timestamp, count: int = 12) -> dict:
        """Each district's rate for the `count` weeks ending with `week`, for sparklines,
        with its 95% limits (`lower`, `upper`; null where the rate is unknown)."""
        ends = [week - pd.Timedelta(days=7 * i) for i in range(count - 1, -1, -1)]
        ends = [end for end in ends if end >= self.first_week]
        series = self.lookup.loc[list(region.districts), "series"]
        sums = self.sums.reindex(index=ends, columns=series.unique())
        population = self.population.reindex(sums.columns).to_numpy()
        rates = sums / population * 100_000
        lower, upper = poisson_rate_limits(sums.to_numpy(), population, 100_000)
        limits = {
            "lower": pd.DataFrame(lower, index=sums.index, columns=sums.columns),
            "upper": pd.DataFrame(upper, index=sums.index, columns=sums.columns),
        }
        out = {"weeks": [f"{end:%Y-%m-%d}" for end in ends]}
        # The sparkline's band: each rate's exact Poisson 95% limits, rounded as the rate.
        for key, frame in {"rates": rates, **limits}.items():
            rounded = frame.round(1).astype(object).where(frame.notna(), None)
            out[key] = {code: list(rounded[series[code]]) for code in region.districts}
        return out

    @property
    def district_vintages(self) -> vintages.Vintages:
        """The district vintages this data can be put on."""
        return self.source.vintages

    def natural_vintage(self, week: pd.Timestamp) -> int:
        """The districts the week's codes are on: the newest vintage any of them needs."""
        return self.vintage if self.source is None else self.source.natural(week)

    def vintage_for(self, week: pd.Timestamp, asked: str | None) -> int:
        """The vintage to show a week on: the one asked for (later only), else its own."""
        return vintages.shown_vintage(self.natural_vintage(week), asked)

    def vintages_in_use(self) -> list[int]:
        """Every vintage some week of the data is on, oldest first."""
        return [self.vintage] if self.source is None else self.source.in_use

    def at(self, vintage: int) -> Dataset:
        """The same data on the districts of `vintage` (old codes summed into new areas)."""
        if vintage == self.vintage:
            return self
        if self.source is None:
            raise BadParameter(f"this data is only on the districts of {self.vintage}")
        found = self._views.get(vintage)
        if found is None:
            with self._lock:
                found = self._views.get(vintage)
                if found is None:
                    found = self._views[vintage] = self.source.dataset(self, vintage)
        return found

    @property
    def first_week(self) -> pd.Timestamp:
        """The earliest week end with a full 7 days of data."""
        return self.first_date + pd.Timedelta(days=rates.WINDOW - 1)

    @property
    def last_week(self) -> pd.Timestamp:
        """The latest week end allowed: the last date less the incomplete-days lag."""
        return self.last_date - pd.Timedelta(days=self.lag_days)

    @property
    def default_week(self) -> pd.Timestamp:
        """The week shown when none is asked for."""
        return self.last_week

    def weeks(self, like: pd.Timestamp | None = None) -> list[pd.Timestamp]:
        """Every week end in the data on the same weekday as `like` (default week), newest first."""
        anchor = self.default_week if like is None else like
        last = self.last_week - pd.Timedelta(days=(self.last_week - anchor).days % 7)
        count = (last - self.first_week).days // rates.WINDOW + 1
        return [last - pd.Timedelta(days=7 * i) for i in range(count)]

    def week_range_text(self) -> str:
        """`between 2020-02-05 and 2023-12-08`, for error messages."""
        return f"between {self.first_week:%Y-%m-%d} and {self.last_week:%Y-%m-%d}"

    def parse_week(self, text: str | None, name: str = "week") -> pd.Timestamp:
        """The week end for `text` (YYYY-MM-DD), or the default week when it is empty.

        `name`: the parameter that gave it, for the errors (a URL's `period=` names a
        Covid week too).
        """
        if text is None or text == "":
            return self.default_week
        if not WEEK_FORMAT.match(text):
            raise BadParameter(f"{name} must be a date written YYYY-MM-DD, not {text!r}")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadParameter(
                f"{name} {text!r} is not a real date; choose a week ending {self.week_range_text()}"
            ) from None
        # compared as dates: a year such as 0001 is outside the data, not beyond pandas
        if not self.first_week.date() <= day <= self.last_week.date():
            raise WeekOutOfRange(
                f"{name} {text} is outside the data: choose a week ending {self.week_range_text()}"
            )
        return pd.Timestamp(day)

    def region(self, key: str) -> Region:
        """The region for a slug or ONS code."""
        return resolve_region(key, self.regions)

    def figures(self, week: pd.Timestamp) -> pd.DataFrame:
        """Figures for every series for the week ending `week` (the latest 512 weeks kept)."""
        found = self._figures.get(week)
        if found is None:
            found = rates.week_figures(self.sums, self.known, self.population, self.meta, week)
            with self._lock:  # the server answers from several threads
                self._figures[week] = found
                while len(self._figures) > 512:
                    self._figures.pop(next(iter(self._figures)))
        return found

    def region_figures(self, region: Region, week: pd.Timestamp) -> pd.DataFrame:
        """The region's series, highest rate first."""
        figures = self.figures(week)
        return rates.sort_by_rate(figures.loc[region.series(self.lookup)])

    def region_total(self, region: Region, week: pd.Timestamp, limits: bool = True) -> dict:
        """Sum of cases over sum of population for the region's series (with its own
        limits unless `limits` is False)."""
        figures, lookup = self.figures(week), self.lookup

        def make():
            return rates.region_sums(figures, region.series(lookup))

        # (a page's sentence and its values both ask: summed once, a copy for each; the
        # sentence needs no limits, whose library a server's first page would import)
        sources = (figures, lookup)
        total, population = MADE_FROM_FIGURES.get(sources, ("total", region), make)
        if not limits:
            return dict(total)
        with_limits = MADE_FROM_FIGURES.get(
            sources,
            ("total with limits", region),
            lambda: rates.with_total_limits(total, population),
        )
        return dict(with_limits)


class MadeFromFigures:
    """What a page and then its values both make from a week's figures (a region's
    district rows and bands, its total), kept for the last few made.

    Keyed by the objects they were made from (held, and compared by identity): another
    week, data version or vintage has other objects, so never meets another's.
    """

    def __init__(self, size: int):
        self.size = size
        self._made: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sources: tuple, key: tuple, make):
        """make()'s value for these sources and key, made once while it is kept."""
        full = (*map(id, sources), *key)
        with self._lock:
            found = self._made.get(full)
            if found is not None and all(a is b for a, b in zip(found[0], sources, strict=True)):
                self._made.move_to_end(full)
                return found[1]
        made = make()
        with self._lock:
            self._made[full] = (sources, made)
            while len(self._made) > self.size:
                self._made.popitem(last=False)
        return made


MADE_FROM_FIGURES = MadeFromFigures(64)


@dataclass
class VintageSource:
    """The daily counts as the file codes them, and the vintages to sum them onto."""

    wide: pd.DataFrame  # dates x the file's codes; NaN where a day has no row
    population: pd.Series  # by LAD 2019 code
    vintages: vintages.Vintages
    day_vintage: pd.Series  # by date: the newest vintage among the codes with a row

    @classmethod
    def from_cases(cls, cases: pd.DataFrame, population: pd.Series, known: vintages.Vintages):
        """From the case rows (codes any vintage knows) and the LAD 2019 population."""
        wide = _wide(cases)
        first = pd.Series([known.first(code) for code in wide.columns], index=wide.columns)
        day_vintage = wide.notna().mul(first, axis=1).max(axis=1).clip(lower=BASE)
        return cls(wide, population, known, day_vintage.astype("int64"))

    def natural(self, week: pd.Timestamp) -> int:
        """The newest vintage among the codes with a row in the 7 days to `week`."""
        window = self.day_vintage.loc[week - pd.Timedelta(days=rates.WINDOW - 1) : week]
        return int(window.max()) if len(window) else BASE

    @functools.cached_property
    def in_use(self) -> list[int]:
        """The vintages that some week is on (asked for with every map: made once)."""
        weekly = self.day_vintage.rolling(rates.WINDOW, min_periods=1).max()
        return sorted(int(v) for v in weekly.unique())

    def dataset(self, base: Dataset, vintage: int) -> Dataset:
        """`base`'s data summed onto the districts of `vintage`."""
        to_district = self.vintages.mapping(vintage)
        lookup = self.vintages.districts(vintage)
        to_series = self.vintages.series_mapping(vintage)
        # Every 2019 district is a part of its later area, present in the file or not:
        # a sum without one of them would be silently low, so it is unknown.
        every = self.wide.columns.union(self.vintages.lookup.index)
        daily, conflicts = vintages.daily_forward(self.wide.reindex(columns=every), to_series)
        _log_conflicts(conflicts)
        own = self.population.index.intersection(to_series.index)
        population = vintages.sum_forward(self.population.loc[own], to_series)
        population.index.name = "series"
        regions = {
            slug: replace(region, districts=_mapped(region.districts, to_district))
            for slug, region in base.regions.items()
        }
        return replace(
            base,
            lookup=lookup,
            sums=rates.rolling_sums(daily),
            known=rates.days_known(daily),
            population=population.rename("population"),
            meta=series_meta(lookup, daily.columns),
            regions=regions,
            vintage=vintage,
            _figures={},
            _views={},
            _lock=threading.Lock(),
        )


def _wide(cases: pd.DataFrame) -> pd.DataFrame:
    """Dates (every day from the first to the last) x codes (sorted): the case rows' counts,
    NaN where a day has no row; what cases.pivot(...).reindex(every day) gives, a third
    of the time (read_cases has refused duplicate rows).
    """
    codes, names = pd.factorize(cases["code"], sort=True)
    dates = pd.date_range(cases["date"].min(), cases["date"].max(), freq="D", name="date")
    values = np.full((len(dates), len(names)), np.nan)
    values[dates.get_indexer(cases["date"]), codes] = cases["cases"].to_numpy(dtype="float64")
    return pd.DataFrame(values, index=dates, columns=pd.Index(names, name="code"))


def _mapped(districts: tuple[str, ...], to_district: pd.Series) -> tuple[str, ...]:
    """A region's districts on a later vintage: the areas they are now part of."""
    return tuple(dict.fromkeys(to_district.get(code, code) for code in districts))


def _log_conflicts(conflicts) -> None:
    for conflict in conflicts[:5]:
        log.warning(
            "rows for both %s and its part %s on %s: kept %s's own row",
            conflict.target,
            conflict.part,
            f"{conflict.date:%Y-%m-%d}",
            conflict.target,
        )


def series_meta(lookup: pd.DataFrame, series_codes: pd.Index) -> pd.DataFrame:
    """Name and country for each series code (the dashboard's merged names where merged)."""
    by_series = lookup.drop_duplicates("series").set_index("series")
    names = by_series["series_name"].reindex(series_codes)
    countries = lookup["country_name"].reindex(series_codes)
    return pd.DataFrame(
        {"name": names.fillna(pd.Series(series_codes, index=series_codes)), "country": countries},
        index=pd.Index(series_codes, name="series"),
    )


def load_dataset(
    settings: Settings, boundary_codes: pd.Index | None = None, today: date | None = None
) -> Dataset:
    """Read, check and prepare every data file named by the settings.

    `boundary_codes` spares a second read of the boundary file when the caller has it.
    `today`: also refuse implausible figures (dates after it, counts above population),
    as `mapserver update` does for new data.
    """
    # The same files, in the same order, as a stored data version (versions.py) is named by.
    paths = [settings.path(n) for n in ("cases", "population", "lookup", "boundaries")]
    paths.append(Path(settings.regions_file))
    lookup = read_lookup(settings.path("lookup"))
    cases = read_cases(settings.path("cases"))
    population = read_population(settings.path("population"))
    if boundary_codes is None:
        boundary_codes = read_boundary_codes(settings.path("boundaries"))["code"]
    if cases.empty:
        raise DataError(f"cases file {settings.path('cases')} has no rows")
    district_to_series = lookup["series"]
    known = vintages.builtin_vintages(lookup)
    if today is not None:
        _check_plausible(cases, population, known, today, settings.path("cases"))
    # Codes of later districts (North Northamptonshire, from 2021) are summed onto later
    # vintages (Dataset.at); on the 2019 districts they would need a split: left out.
    first = known.first_of(cases["code"])
    later = first.notna() & (first > BASE)
    source = VintageSource.from_cases(cases[first.notna()], population, known)
    cases = cases[~later]
    check = reconcile(
        pd.Index(cases["code"]), pd.Index(boundary_codes), district_to_series, population.index
    )
    for problem in check.problems():
        if settings.strict:
            raise DataError(f"data mismatch (strict mode): {problem}")
        log.warning("data mismatch: %s", problem)
    daily, conflicts = rates.daily_by_series(cases, district_to_series)
    for conflict in conflicts[:5]:
        log.warning(
            "rows for both %s and %s on %s: kept %s's own row",
            conflict.series,
            conflict.district,
            f"{conflict.date:%Y-%m-%d}",
            conflict.series,
        )
    regions = all_regions(lookup, settings.regions_file)
    return Dataset(
        lookup=lookup,
        sums=rates.rolling_sums(daily),
        known=rates.days_known(daily),
        population=rates.series_population(population, district_to_series),
        meta=series_meta(lookup, daily.columns),
        regions=regions,
        reconciliation=check,
        first_date=daily.index.min(),
        last_date=daily.index.max(),
        lag_days=settings.lag_days,
        version=data_version(paths),
        settings=settings,
        source=source,
    )


def _check_plausible(
    cases: pd.DataFrame,
    population: pd.Series,
    known: vintages.Vintages,
    today: date,
    path: Path,
) -> None:
    """Dates after today and daily counts above the population of the series they count."""
    by_line = cases.set_axis(cases.index + 2)  # the file's line numbers (header is line 1)
    plausibility.check_codes(
        by_line["code"], known.first_of(by_line["code"]).notna(), f"cases file {path}"
    )
    plausibility.check_dates(by_line["date"], today, f"cases file {path}")
    code_population = known.area_population(by_line["code"], population)
    plausibility.check_counts(
        by_line["cases"], code_population, "cases in a day", f"cases file {path}"
    )
