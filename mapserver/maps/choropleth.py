"""The map's values: per-district figures, colours and legend (no Flask here).

The values resource is small because it changes every week: numbers only, in arrays
described by `fields`. The popup sentences are put together in the browser.
"""

from __future__ import annotations

import math

import pandas as pd

from ..core.errors import BadParameter
from ..figures import disclosure
from ..figures.bands import (
    COMPARED_SCHEMES,
    NO_DATA_COLOUR,
    SUPPRESSED_COLOUR,
    Bands,
    compared_bands,
    compared_title,
    make_bands,
)
from ..figures.covid import MADE_FROM_FIGURES
from ..ingest.indicator import COVID_ID
from ..ingest.vintages import BASE
from ..words.tables import format_week
from .labels import label_order

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2019. "
    "Source: ONS and UKHSA, Open Government Licence v3.0."
)
TITLE = "Covid-19 cases per 100,000"
FIELDS = (
    "name",
    "rate",
    "cases",
    "band",
    "previous_rate",
    "change_pct",
    "rank",
    "rank_of",
    "country",
    "days_known",
)


LIMITS = ("lower", "upper")
EXTRA = ("tied", "change_test")  # an indicator's only


def district_figures(lookup: pd.DataFrame, figures: pd.DataFrame, districts) -> pd.DataFrame:
    """One row per district with its series' figures; `covered` marks a merged district."""
    rows = lookup.loc[list(districts), ["district", "district_name", "series", "series_name"]]
    joined = rows.join(figures.drop(columns=["code", "name"]), on="series")
    joined["covered"] = joined["series"] != joined["district"]
    return joined.set_index("district", drop=False)


def _known(value) -> bool:
    return (
        value is not None
        and value is not pd.NA
        and not (isinstance(value, float) and math.isnan(value))
    )


def _round(value, decimals: int = 1) -> float | None:
    return round(float(value), decimals) if _known(value) else None


def _int(value) -> int | None:
    return int(value) if _known(value) else None


def area_row(row, band, countries: list[str], decimals: int = 1) -> list:
    """One district's numbers in FIELDS order; None where unknown."""
    complete = _known(row["complete"]) and bool(row["complete"])
    country = str(row["country"]) if _known(row["country"]) else ""
    if country not in countries:
        countries.append(country)
    return [
        str(row["district_name"]),
        _round(row["rate"], decimals) if complete else None,
        _int(row["cases"]) if complete else None,
        int(band) if _known(band) else None,
        _round(row["previous_rate"], decimals),
        _round(row["change_pct"]) if complete else None,
        _int(row["rank"]) if complete else None,
        _int(row["rank_of"]) if complete else None,
        countries.index(country),
        _int(row["days_known"]) or 0,
    ]


def map_values(
    table: pd.DataFrame,
    bands: Bands,
    week: pd.Timestamp,
    title: str,
    total: dict,
    dataset=None,
) -> dict:
    """The per-week resource the map fetches: legend, colours, figures, labels, notes, total.

    `dataset` (default: the Covid cases) gives the words: title, unit, period text.
    """
    decimals = 1 if dataset is None else dataset.decimals
    # The limits shown, and the comparison made, at 95% unless the scheme asks for 99.8%.
    level, suffix = COMPARED_SCHEMES.get(bands.scheme, COMPARED_SCHEMES["compared"])
    compared_column = f"compared{suffix}"
    band_of = _band_of(table, bands)
    countries: list[str] = []
    # plain dicts, not iterrows' Series: this runs for every uncached week and region
    rows = table.to_dict("index")
    areas = {code: area_row(row, band_of[code], countries, decimals) for code, row in rows.items()}
    # Figures carry their limits (the source's, or exact Poisson) and the comparison.
    limits = "lower" in table.columns
    if limits:
        for code, row in rows.items():
            known = _known(row["complete"]) and bool(row["complete"])
            areas[code] += [
                _round(row[name + suffix], decimals) if known else None for name in LIMITS
            ]
            shown = known and isinstance(row[compared_column], str)  # (None is read as NaN)
            areas[code].append(row[compared_column] if shown else None)
    notes = {
        code: f"Figures are for {row['series_name']}, reported together"
        for code, row in rows.items()
        if row["covered"]
    }
    threshold, withheld = _withheld(table, dataset)
    if threshold:
        for code in areas:
            areas[code].append(code in withheld)
    # Other indicators say which ranks are shared and whether a change is more than chance
    # (the Covid values keep their fields, so their published URLs answer as before).
    extra = [] if dataset is None or dataset.indicator_id == COVID_ID else list(EXTRA)
    for code, row in rows.items():
        known = _known(row["complete"]) and bool(row["complete"])
        if extra:
            areas[code].append(bool(row.get("tied")) if known else False)
            test = row.get("change_test")
            areas[code].append(test if known and isinstance(test, str) else None)
    values = {
        "title": TITLE if dataset is None else dataset.title,
        "region": title,
        "week": f"{week:%Y-%m-%d}",
        "week_text": format_week(week) if dataset is None else dataset.period_text(week),
        "scheme": bands.scheme,
        "colours": list(bands.colours),
        "no_data_colour": NO_DATA_COLOUR,
        "legend": legend_of(table, bands, dataset, band_of),
        "countries": countries,
        "fields": list(FIELDS)
        + ([*LIMITS, "compared"] if limits else [])
        + (["suppressed"] if threshold else [])
        + extra,
        "areas": areas,
        "notes": notes,
        "labels": label_order(table),
        "total": total,
        "attribution": ATTRIBUTION,
    }
    # Other indicators say what their figures are; the Covid values keep their words.
    if dataset is not None and dataset.indicator_id != COVID_ID:
        values |= indicator_words(dataset)
    if threshold:
        values["suppressed_colour"] = SUPPRESSED_COLOUR
        values["suppressed_reason"] = disclosure.reason(threshold)
    if limits:
        national = table.drop_duplicates("country").set_index("country")["national"].dropna()
        values["national"] = {str(k): _round(v, decimals) for k, v in national.items()}
        values["confidence"] = level
    if dataset is not None and shows_vintage(dataset):
        values["vintage"] = dataset.vintage  # a map stepping to another week checks it
    return values


def _band_of(table: pd.DataFrame, bands: Bands) -> pd.Series:
    """Each row's band: by its figure, or by its comparison for scheme=compared."""
    if bands.scheme in COMPARED_SCHEMES:
        return bands.classify(table["compared" + COMPARED_SCHEMES[bands.scheme][1]])
    return bands.classify(table["rate"])


def _withheld(table: pd.DataFrame, dataset) -> tuple[int | None, set[str]]:
    """An indicator's suppression threshold, and the rows suppressed below it."""
    indicator = None if dataset is None else dataset.indicator
    threshold = getattr(indicator, "suppress_below", None)
    if not threshold:
        return None, set()
    return threshold, set(table.index[table["suppressed"].eq(True)])


def legend_of(
    table: pd.DataFrame, bands: Bands, dataset=None, band_of: pd.Series | None = None
) -> list[dict]:
    """The bands, then "Suppressed" and "No data" where some row is (never one for the
    other: a small count withheld is not a missing figure). `band_of`: each row's band,
    if the caller has it already."""
    legend = bands.legend()
    threshold, withheld = _withheld(table, dataset)
    if withheld:
        label = f"Suppressed (under {threshold})"
        legend.append(
            {"label": label, "colour": SUPPRESSED_COLOUR, "suppressed": True, "no_data": True}
        )
    band_of = _band_of(table, bands) if band_of is None else band_of
    missing = band_of.isna() & ~table.index.isin(list(withheld))
    if missing.any():
        legend.append({"label": "No data", "colour": NO_DATA_COLOUR, "no_data": True})
    return legend


def shows_vintage(dataset) -> bool:
    """True when the data is on more than one vintage, or shown on a later one."""
    return dataset.vintage != BASE or len(dataset.vintages_in_use()) > 1


def value_heading(unit: str) -> str:
    """`Rate per 100,000 population` for a rate, `Value (%)` for another unit."""
    if unit.startswith("per "):
        return f"Rate {unit}"
    return f"Value ({unit})" if unit else "Value"


def indicator_attribution(dataset) -> str:
    """The boundaries' attribution and the indicator's source."""
    source = dataset.indicator.source or "the publisher named with the data"
    return (
        "Contains OS data © Crown copyright and database right 2019. "
        f"Boundaries: ONS. Figures: {source}."
    )


def indicator_words(dataset) -> dict:
    """The unit, rounding and wording an indicator's maps use instead of the Covid ones."""
    return {
        "attribution": indicator_attribution(dataset),
        "unit": dataset.unit,
        "legend_title": legend_title(dataset),
        "value_heading": value_heading(dataset.unit),
        "decimals": dataset.decimals,
        "count_noun": ["case", "cases"],
        "period_kind": "period",
    }


def check_scheme(figures: pd.DataFrame, scheme: str) -> None:
    """Refuse a comparison the figures have no intervals for (a source giving 95% only)."""
    if scheme not in COMPARED_SCHEMES:
        return
    level, suffix = COMPARED_SCHEMES[scheme]
    if f"lower{suffix}" not in figures or figures[f"lower{suffix}"].isna().all():
        raise BadParameter(
            f"scheme={scheme} needs {level}% confidence intervals, which these figures do "
            "not have; choose compared (95%), quantiles or natural-breaks"
        )


def _coloured(dataset, region, week: pd.Timestamp, scheme: str, k: int):
    """The region's district rows and the bands they are coloured by (a page makes them
    for its legend, and then its values: made once for both)."""
    figures, lookup = dataset.figures(week), dataset.lookup

    def make():
        table = district_figures(lookup, figures, region.districts)
        return _colour(table, scheme, k, dataset.decimals)

    return MADE_FROM_FIGURES.get((figures, lookup), (region, scheme, k, dataset.decimals), make)


def _colour(table: pd.DataFrame, scheme: str, k: int, decimals: int):
    if scheme in COMPARED_SCHEMES:
        check_scheme(table, scheme)
        return table, compared_bands(scheme)
    rates = table.drop_duplicates("series")["rate"]
    return table, make_bands(rates, scheme, k, decimals)


def _comparison_title(table: pd.DataFrame, scheme: str) -> str:
    countries = table.loc[table["national"].notna(), "country"].unique()
    return compared_title(countries[0] if len(countries) == 1 else "its country", scheme)


def region_values(dataset, region, week: pd.Timestamp, scheme: str, k: int) -> dict:
    """The values resource for a region and week: what every map of it is drawn from."""
    table, bands = _coloured(dataset, region, week, scheme, k)
    total = dataset.region_total(region, week)
    values = map_values(table, bands, week, region.title, total, dataset)
    if scheme in COMPARED_SCHEMES:
        values["legend_title"] = _comparison_title(table, scheme)
    return values


def region_legend(dataset, region, week: pd.Timestamp, scheme: str, k: int):
    """The legend's items and title alone (what a page draws before its values arrive),
    without building the rest of the values."""
    table, bands = _coloured(dataset, region, week, scheme, k)
    if scheme in COMPARED_SCHEMES:
        title = _comparison_title(table, scheme)
    else:
        title = legend_title(dataset)
    return legend_of(table, bands, dataset), title


def legend_title(dataset) -> str:
    """The legend's title for the figures themselves: `Cases per 100,000` for the Covid
    cases, an indicator's unit heading otherwise."""
    if dataset.indicator_id == COVID_ID:
        return "Cases per 100,000"
    return value_heading(dataset.unit)
