"""The map's values: per-district figures, colours, popup text and legend (no Flask here)."""

from __future__ import annotations

import math

import pandas as pd

from .bands import NO_DATA_COLOUR, Bands
from .tables import format_week

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2019. "
    "Source: ONS and UKHSA, Open Government Licence v3.0."
)
TITLE = "Covid-19 cases per 100,000"


def ordinal(n: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 23 -> 23rd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def district_figures(lookup: pd.DataFrame, figures: pd.DataFrame, districts) -> pd.DataFrame:
    """One row per district with its series' figures; `covered_by` names a merged series."""
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


def change_text(row) -> tuple[str, str]:
    """(direction, sentence) comparing the week with the 7 days before."""
    if not _known(row["cases"]) or not _known(row["previous_cases"]):
        return "unknown", "No comparison with the previous 7 days"
    before = f"{row['previous_rate']:,.1f}"
    if not _known(row["change_pct"]):
        word = "Up" if row["change"] > 0 else "No change"
        return ("up" if row["change"] > 0 else "same"), f"{word} from {before} the week before"
    pct = round(float(row["change_pct"]), 1)
    if pct > 0:
        return "up", f"▲ {pct:.1f}% from {before} the week before"
    if pct < 0:
        return "down", f"▼ {abs(pct):.1f}% from {before} the week before"
    return "same", f"No change from {before} the week before"


def area_values(row, week: pd.Timestamp, band, bands: Bands) -> dict:
    """Everything the map shows for one district, as JSON-ready plain values and text."""
    complete = bool(row["complete"]) if _known(row["complete"]) else False
    value = {
        "name": str(row["district_name"]),
        "series": str(row["series"]),
        "rate": round(float(row["rate"]), 1) if complete else None,
        "cases": int(row["cases"]) if complete else None,
        "rank": int(row["rank"]) if complete else None,
        "rank_of": int(row["rank_of"]) if complete else None,
        "colour": bands.colours[int(band)] if _known(band) else NO_DATA_COLOUR,
        "band": int(band) if _known(band) else None,
    }
    if complete:
        cases = int(row["cases"])
        value["cases_text"] = (
            f"{cases:,} {'case' if cases == 1 else 'cases'} in the {format_week(week)}"
        )
        value["rate_text"] = f"{row['rate']:,.1f}"
        value["rank_text"] = (
            f"{ordinal(int(row['rank']))} of {int(row['rank_of'])} in {row['country']}"
        )
        value["direction"], value["change_text"] = change_text(row)
    else:
        days = int(row["days_known"]) if _known(row.get("days_known")) else 0
        value["missing_text"] = (
            f"No complete figures for the {format_week(week)}: {days} of 7 days reported"
        )
    if row["covered"]:
        value["note"] = f"Figures are for {row['series_name']}, reported together"
    return value


def map_values(
    table: pd.DataFrame, bands: Bands, week: pd.Timestamp, title: str, total: dict
) -> dict:
    """The per-week resource the map page fetches: colours, legend, popups and totals."""
    series_rates = table.drop_duplicates("series")["rate"]
    band_of = bands.classify(table["rate"])
    areas = {code: area_values(row, week, band_of[code], bands) for code, row in table.iterrows()}
    legend = bands.legend()
    if any(area["band"] is None for area in areas.values()):
        legend.append({"label": "No data", "colour": NO_DATA_COLOUR, "no_data": True})
    return {
        "title": TITLE,
        "region": title,
        "week": f"{week:%Y-%m-%d}",
        "week_text": format_week(week),
        "scheme": bands.scheme,
        "legend": legend,
        "areas": areas,
        "total": total,
        "ranked": int(series_rates.notna().sum()),
        "attribution": ATTRIBUTION,
    }
