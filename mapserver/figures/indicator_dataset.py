"""An indicator seen the way the maps see the Covid data: regions, periods and figures.

Maps, tables, images and the API ask a data set for a region's figures in a period and
for the words around them (title, unit, period text). `Dataset` answers for the Covid
cases; `IndicatorDataset` answers the same questions for any other indicator. A period
travels in URLs as its last day (`2024-12-31` for 2022 to 2024), as Covid weeks do.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..core.errors import BadParameter, WeekOutOfRange
from ..ingest import vintages as vintages_module
from ..ingest.indicator import Indicator, periods
from ..ingest.periods import Period, parse_period
from ..ingest.regions import Region, resolve_region
from ..ingest.vintages import Vintages
from ..store.indicator_store import StoredIndicator
from . import comparison, disclosure
from .change import change_tests
from .indicator_listing import IndicatorWords
from .indicators import period_figures, ranked


@dataclass
class IndicatorDataset(IndicatorWords):
    """One indicator's figures by period, on the districts of one vintage."""

    stored: StoredIndicator
    known: Vintages
    population: pd.Series
    regions_2019: dict[str, Region]  # regions on the 2019 districts, mapped to the vintage
    vintage: int
    version: str
    settings: object = None
    # The latest days of daily counts are incomplete: the default window ends this far back.
    lag_days: int = 0
    _figures: dict = field(default_factory=dict, repr=False)
    _views: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def indicator(self) -> Indicator:
        """What the indicator measures."""
        return self.stored.indicator

    # --- words ---
    @property
    def default_scheme(self) -> str:
        """The colour scheme when none is asked for."""
        return self.indicator.scheme

    # --- periods ---
    @functools.cached_property
    def periods(self) -> list[Period]:
        """Every period, newest first."""
        return periods(self.stored.frame, self.indicator.window)

    @property
    def first_week(self) -> pd.Timestamp:
        """The last day of the first period."""
        return self.periods[-1].end

    @property
    def last_date(self) -> pd.Timestamp:
        """The last day the data covers."""
        return self.periods[0].end

    def weeks(self, like: pd.Timestamp | None = None) -> list[pd.Timestamp]:
        """The last day of every period, newest first."""
        return [period.end for period in self.periods]

    def week_range_text(self) -> str:
        """`between 2003 and 2024`, for error messages."""
        return f"between {self.periods[-1].label} and {self.periods[0].label}"

    def parse_week(self, text: str | None, name: str = "period") -> pd.Timestamp:
        """The period named by `text` (its key, label or last day), as its last day.

        `name`: the parameter that gave it, for the errors (`week=` names a period's end).
        """
        if text is None or text == "":
            return self.default_week
        try:
            wanted = parse_period(text)
        except Exception:
            raise BadParameter(
                f"{name} {text!r} does not parse; e.g. {self.periods[0].key}"
            ) from None
        for period in self.periods:
            if wanted.key == period.key or (wanted.kind == "day" and wanted.end == period.end):
                return period.end
        raise WeekOutOfRange(
            f"{name} {text} is not in the data: choose one {self.week_range_text()}"
        )

    # --- vintages ---
    @property
    def district_vintages(self) -> Vintages:
        """The district vintages this indicator can be put on."""
        return self.known

    def natural_vintage(self, week: pd.Timestamp) -> int:
        """The districts the period's codes are on."""
        return int(self._naturals[self.period(week).end])

    @functools.cached_property
    def _naturals(self) -> pd.Series:
        """Each period's vintage (the newest its codes need), by the period's last day."""
        frame = self.stored.frame
        first = frame["code"].map(self.known.first)
        if self.indicator.window:  # the newest code of any day in each window
            daily = first.groupby(frame["end"]).max()
            every = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
            daily = daily.reindex(every).fillna(vintages_module.BASE)
            return daily.rolling(self.indicator.window, min_periods=1).max().astype(int)
        ends = frame["period"].map({p.key: p.end for p in self.periods})
        return first.groupby(ends).max().astype(int)

    def vintage_for(self, week: pd.Timestamp, asked: str | None) -> int:
        """The vintage asked for (later only), else the period's own."""
        return vintages_module.shown_vintage(self.natural_vintage(week), asked)

    def vintages_in_use(self) -> list[int]:
        """Every vintage some period is on."""
        ends = [period.end for period in self.periods]
        return sorted({int(v) for v in self._naturals.reindex(ends).dropna()})

    def at(self, vintage: int) -> IndicatorDataset:
        """The indicator on the districts of `vintage`."""
        if vintage == self.vintage:
            return self
        with self._lock:
            found = self._views.get(vintage)
            if found is None:
                found = self._views[vintage] = replace(
                    self, vintage=vintage, _figures={}, _views={}, _lock=threading.Lock()
                )
        return found

    # --- places ---
    @property
    def lookup(self) -> pd.DataFrame:
        """The districts of this vintage (district, names, region, country, series)."""
        return self.known.districts(self.vintage)

    @functools.cached_property
    def regions(self) -> dict[str, Region]:
        """Countries, English regions and custom regions on this vintage's districts."""
        mapping = self.known.mapping(self.vintage)
        return {
            slug: replace(
                region,
                districts=tuple(dict.fromkeys(mapping.get(c, c) for c in region.districts)),
            )
            for slug, region in self.regions_2019.items()
        }

    def region(self, key: str) -> Region:
        """The region for a slug or ONS code."""
        return resolve_region(key, self.regions)

    @property
    def meta(self) -> pd.DataFrame:
        """Name and country of each series."""
        lookup = self.lookup.drop_duplicates("series").set_index("series")
        return pd.DataFrame({"name": lookup["series_name"], "country": lookup["country_name"]})

    # --- figures ---
    def figures(self, week: pd.Timestamp) -> pd.DataFrame:
        """Every area's figures for the period ending on `week`, in the Covid columns too."""
        found = self._figures.get(week)
        if found is None:
            found = self._build_figures(week)
            with self._lock:
                self._figures[week] = found
        return found

    def _build_figures(self, week: pd.Timestamp) -> pd.DataFrame:
        period = self.period(week)
        full = period_figures(
            self.indicator, self.stored.frame, period, self.known, self.population, self.vintage
        ).table
        national = self.national_values(period, full)  # from the full counts
        table = self._suppressed(full)
        previous = self._previous(period)
        out = table.assign(
            cases=table["count"].astype("Float64").round().astype("Int64"),
            population=table["denominator"],
            previous_rate=np.nan if previous is None else previous["rate"].reindex(table.index),
            previous_cases=pd.NA,
            days_known=pd.NA,
        )
        out = comparison.with_comparison(out, national)
        # A country's figure summed here from counts that include a suppressed area would
        # reveal it by subtraction: it is used for the comparisons but not shown.
        given = self.file_national(period)
        hidden = out["suppressed"] & ~out["country"].isin(list(given))
        out.loc[out["country"].isin(set(out.loc[hidden, "country"])), "national"] = np.nan
        out["change"] = pd.NA
        # The change of the figure itself (published values come without counts).
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (out["rate"] - out["previous_rate"]) / out["previous_rate"] * 100
        out["change_pct"] = change.where(out["previous_rate"] > 0)
        # Whether the change is more than chance (withheld where a count is suppressed).
        out["change_test"] = change_tests(out, previous)
        out["rank"] = out["rank"].astype("Int64")
        out["rank_of"] = out["rank_of"].astype("Int64")
        out.index.name = "series"
        return out

    def _suppressed(self, table: pd.DataFrame) -> pd.DataFrame:
        """The figures with small counts withheld and the rest ranked without them."""
        threshold = self.indicator.suppress_below
        table = disclosure.suppress(table, threshold)
        return ranked(table, self.indicator) if threshold else table

    def file_national(self, period: Period) -> dict[str, float]:
        """Each country's figure for the period as the file gives it (none for windows)."""
        out: dict[str, float] = {}
        given = self.stored.national
        if given is not None and period.kind != "window":
            rows = given[given["period"] == period.key]
            for row in rows.itertuples():
                name = NATIONS.get(row.code)
                if self.indicator.kind == "count" and row.denominator > 0:
                    out[name] = row.count / row.denominator * self.indicator.multiplier
                elif not pd.isna(row.value):
                    out[name] = float(row.value)
        return {name: value for name, value in out.items() if name}

    def file_counts(self, week: pd.Timestamp) -> dict[str, int]:
        """Each country's count for the period as the file's own total row gives it."""
        given = self.stored.national
        period = self.period(week)
        if given is None or period.kind == "window" or self.indicator.kind != "count":
            return {}
        rows = given[given["period"] == period.key]
        return {
            NATIONS[row.code]: int(round(row.count))
            for row in rows.itertuples()
            if row.code in NATIONS and not pd.isna(row.count)
        }

    def national_values(self, period: Period, table: pd.DataFrame) -> dict[str, float]:
        """Each country's figure for the period: the file's own, else (for counts) the
        sum of its areas' counts over the sum of their denominators, if all are known."""
        out = self.file_national(period)
        if self.indicator.kind == "count":
            summed = comparison.national_from_counts(
                table, "count", "denominator", self.indicator.multiplier
            )
            out = summed | out  # the file's own figure first
        return out

    def _previous(self, period: Period) -> pd.DataFrame | None:
        """The figures of the period before, on this vintage, where it can be put on it."""
        older = [p for p in self.periods if p.end < period.end]
        if not older:
            return None
        try:
            before = period_figures(
                self.indicator,
                self.stored.frame,
                older[0],
                self.known,
                self.population,
                self.vintage,
            )
        except BadParameter:  # the period before is on later districts: no comparison
            return None
        return self._suppressed(before.table)

    def region_figures(self, region: Region, week: pd.Timestamp) -> pd.DataFrame:
        """The region's areas, highest figure first (lowest first when lower is worse)."""
        figures = self.figures(week).loc[region.series(self.lookup)]
        ascending = not self.indicator.higher_is_worse
        return figures.sort_values(
            ["rate", "name"], ascending=[ascending, True], na_position="last"
        )

    def regions_with_figures(self, week: pd.Timestamp) -> list[Region]:
        """The regions with a figure (or a suppressed one) for some area in the period:
        the maps worth offering (an England-only indicator has none for Wales)."""
        figures = self.figures(week)
        shown = figures["complete"].astype(bool) | figures["suppressed"].astype(bool)
        having = set(figures.index[shown])
        lookup = self.lookup
        return [r for r in self.regions.values() if having.intersection(r.series(lookup))]

    def region_total(self, region: Region, week: pd.Timestamp, limits: bool = True) -> dict:
        """Counts summed over denominators; no total for published values (never a mean);
        with the total's own limits unless `limits` is False."""
        rows = self.figures(week).reindex(pd.Index(region.series(self.lookup)).unique())
        # A total over a suppressed area is not shown: subtraction would reveal it.
        withheld = rows["suppressed"].astype(bool)
        missing = int((~rows["complete"].astype(bool) & ~withheld).sum())
        counts, denominators = rows["count"], rows["denominator"]
        summable = (
            self.indicator.kind == "count"
            and missing == 0
            and not withheld.any()
            and counts.notna().all()
        )
        rate = None
        if summable and denominators.sum() > 0:
            rate = float(counts.sum() / denominators.sum() * self.indicator.multiplier)
        return {
            "areas": len(rows),
            "missing": missing,
            "suppressed": int(withheld.sum()),
            "population": int(denominators.sum()) if denominators.notna().all() else None,
            "cases": int(counts.sum()) if summable else None,
            "rate": rate,
            "previous_cases": None,
            "previous_rate": None,
            **(
                comparison.total_limits(
                    counts.sum() if rate is not None else None,
                    denominators.sum(),
                    self.indicator.multiplier or 1,
                )
                if limits
                else {}
            ),
        }

    def history(self, region: Region, week: pd.Timestamp, count: int = 12) -> dict:
        """Each district's figure over the periods up to `week` on this vintage, with its
        95% limits (`lower`, `upper`: the source's, or computed; null where unknown)."""
        ends = [p.end for p in self.periods if p.end <= week][:count][::-1]
        columns = {"rates": "rate", "lower": "lower", "upper": "upper"}
        out = {key: {code: [] for code in region.districts} for key in columns}
        lookup = self.lookup
        kept = []
        for end in ends:
            try:
                table = self.figures(end)
            except BadParameter:
                continue
            kept.append(end)
            for code in region.districts:
                series = lookup.loc[code, "series"]
                for key, column in columns.items():
                    value = table[column].get(series)
                    shown = None if pd.isna(value) else round(float(value), self.decimals)
                    out[key][code].append(shown)
        return {"weeks": [f"{end:%Y-%m-%d}" for end in kept], **out}


def beside(covid, stored: StoredIndicator, version: str, settings) -> IndicatorDataset:
    """A kept indicator with the Covid data set's districts, population and regions, on
    its latest period's districts."""
    found = IndicatorDataset(
        stored,
        covid.district_vintages,
        covid.source.population,
        covid.regions,
        vintages_module.BASE,
        version,
        settings,
        lag_days=settings.lag_days,
    )
    return found.at(found.natural_vintage(found.default_week))


def indicator_of(dataset, indicator: str | None):
    """The Covid cases' `dataset` (for None), or another indicator kept with `mapserver
    add` in the same store, on its latest period's districts."""
    from ..core.config import load_settings
    from ..ingest.indicator import COVID_ID
    from ..store.indicator_store import KeptIndicators, indicators_root

    if not indicator or indicator == COVID_ID:
        return dataset
    settings = dataset.settings or load_settings()
    kept = KeptIndicators(indicators_root(settings))
    return beside(dataset, kept.get(indicator), kept.version(indicator), settings)


NATIONS = {
    "E92000001": "England",
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}
