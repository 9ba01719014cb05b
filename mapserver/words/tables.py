"""League tables: region figures as rounded records, CSV and text for people."""

from __future__ import annotations

import io
import math

import pandas as pd

from ..figures.comparison import COMPARED_COLUMNS, LIMIT_COLUMNS
from ..figures.rates import FIGURE_COLUMNS

# After the figures: 95% and 99.8% limits, the country's rate and the comparisons with it.
INTERVAL_COLUMNS = [*LIMIT_COLUMNS, "national", *COMPARED_COLUMNS]


def format_week(week: pd.Timestamp) -> str:
    """`7 days to 21 February 2021`."""
    return f"7 days to {week.day} {week:%B %Y}"


def format_date(day: pd.Timestamp) -> str:
    """`26 February 2021`."""
    return f"{day.day} {day:%B %Y}"


def league_table(figures: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The CSV columns, rates and percentages rounded to 1 dp, unknowns as <NA>."""
    table = figures.head(top) if top else figures
    out = table[FIGURE_COLUMNS + INTERVAL_COLUMNS].copy()
    for column in ("rate", "previous_rate", "change_pct", *LIMIT_COLUMNS, "national"):
        out[column] = out[column].astype("float64").round(1)
    for column in COMPARED_COLUMNS:  # known where the rate is
        out[column] = out[column].where(table["complete"].astype(bool), None)
    if "tied" in table:  # an indicator's: areas sharing their rank (1=)
        out["tied"] = table["tied"].astype(bool)
    return out.reset_index(drop=True)


def _json_value(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def records(
    figures: pd.DataFrame, region_slug: str, week: pd.Timestamp, top: int | None = None
) -> list[dict]:
    """JSON-ready records: the CSV fields plus region, week and flags."""
    table = league_table(figures, top)
    flags = figures.head(len(table))
    out = []
    for (_, row), (_, flag) in zip(table.iterrows(), flags.iterrows(), strict=True):
        record = {column: _json_value(row[column]) for column in FIGURE_COLUMNS}
        record["region"] = region_slug
        record["week"] = f"{week:%Y-%m-%d}"
        record["complete"] = bool(flag["complete"])
        record["days_known"] = _json_value(flag["days_known"])
        record |= {column: _json_value(row[column]) for column in INTERVAL_COLUMNS}
        out.append(record)
    return out


def to_csv(table: pd.DataFrame) -> str:
    """CSV text with a header row; unknown values are empty cells."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, na_rep="", lineterminator="\n")
    return buffer.getvalue()


def _number(value, digits: int = 0, signed: bool = False) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    return text


def to_text(table: pd.DataFrame, title: str, total: dict) -> str:
    """A fixed-width table for a terminal, with the week and the region total."""
    headers = ["Code", "Area", "Cases", "Rate", "Prev rate", "Change %", "Rank"]
    rows = []
    for row in table.itertuples(index=False):
        rank = "–" if row.rank is pd.NA else f"{row.rank}/{row.rank_of}"
        rows.append(
            [
                row.code,
                str(row.name),
                _number(row.cases),
                _number(row.rate, 1),
                _number(row.previous_rate, 1),
                _number(row.change_pct, 1, signed=True),
                rank,
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    align = ["<", "<", ">", ">", ">", ">", ">"]

    def line(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True))

    lines = [title, "", line(headers), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append("")
    if total["rate"] is None:
        lines.append(
            f"Region total: unknown ({total['missing']} of {total['areas']} areas lack a "
            "complete week)"
        )
    else:
        lines.append(
            f"Region total: {total['cases']:,} cases, {total['rate']:,.1f} per 100,000 "
            f"(population {total['population']:,}, {total['areas']} areas)"
        )
    lines.append("Rates are cases in the 7 days per 100,000 people (ONS mid-2019 estimates).")
    return "\n".join(lines) + "\n"


def display_rows(
    table: pd.DataFrame, decimals: int = 1, withheld: frozenset[str] = frozenset()
) -> list[dict]:
    """Rows of a league table as text for a page, with raw values to sort by; areas in
    `withheld` (small counts suppressed) say so."""
    rows = []
    for row in table.itertuples(index=False):
        known = row.rank is not pd.NA
        counted = known and row.cases is not pd.NA  # published values may come without counts
        rows.append(
            {
                "code": row.code,
                "name": str(row.name),
                "cases": _number(row.cases) if counted else "–",
                "cases_sort": "" if not counted else int(row.cases),
                "rate": _number(row.rate, decimals)
                if known
                else ("suppressed" if row.code in withheld else "no data"),
                "rate_sort": "" if not known else float(row.rate),
                "change": "–" if pd.isna(row.change_pct) else f"{row.change_pct:+.1f}%",
                "change_sort": "" if pd.isna(row.change_pct) else float(row.change_pct),
                "rank": f"{row.rank}{'=' * bool(getattr(row, 'tied', False))} of {row.rank_of}"
                if known
                else "–",
                "rank_sort": int(row.rank) if known else "",
            }
        )
    return rows


# A page's league table opens with its first rows and shows the rest on demand: else a
# phone reader scrolls past every district of a region (over 300 for England) to reach
# what follows, and the browser styles and lays out every row before the page first
# shows. A table only a few rows longer is shown whole.
LEAGUE_FIRST_ROWS = 10
LEAGUE_SHOWN_WHOLE = 15


def rows_shown_first(count: int) -> int | None:
    """How many of a league table's `count` rows a page shows at first; None for all."""
    return LEAGUE_FIRST_ROWS if count > LEAGUE_SHOWN_WHOLE else None


BAR_WIDTH, BAR_HEIGHT, BAR_PAD = 60, 10, 3


def interval_cells(figures: pd.DataFrame, decimals: int = 1, suffix: str = "") -> list[dict] | None:
    """Each row's interval as text (`12.2 to 32.4`), its lower limit to sort by, and a
    bar's x positions (lower, upper, rate, national) on one scale for the table, 0 to
    its highest upper limit; None when the figures have no limits at all.

    The 95% interval (columns lower, upper), or with `suffix` "_998" the 99.8% one.
    """
    lower, upper = f"lower{suffix}", f"upper{suffix}"
    if lower not in figures or upper not in figures:
        return None
    figures = figures.assign(lower=figures[lower], upper=figures[upper])
    known = figures["rate"].notna() & figures["lower"].notna() & figures["upper"].notna()
    if "complete" in figures:
        known &= figures["complete"].astype(bool)
    if not known.any():
        return None
    national = figures["national"] if "national" in figures else pd.Series(None, figures.index)
    top = max(float(figures.loc[known, "upper"].max()), float(national[known].fillna(0).max()))
    if not top > 0:
        return None

    def x(value: float) -> str:
        share = min(max(float(value), 0.0), top) / top
        return f"{BAR_PAD + share * (BAR_WIDTH - 2 * BAR_PAD):.1f}"

    out = []
    for (_, row), shown in zip(figures.iterrows(), known, strict=True):
        if not shown:
            out.append({"text": "–", "sort": "", "bar": None})
            continue
        nation = row.get("national")
        out.append(
            {
                "text": f"{row['lower']:,.{decimals}f} to {row['upper']:,.{decimals}f}",
                "sort": float(row["lower"]),
                "bar": {
                    "start": x(0),
                    "end": x(top),
                    "lower": x(row["lower"]),
                    "upper": x(row["upper"]),
                    "rate": x(row["rate"]),
                    "national": None if pd.isna(nation) else x(nation),
                },
            }
        )
    return out


def _rounded(value, decimals: int) -> float | None:
    value = _json_value(value)
    return None if value is None else round(float(value), decimals)


def _said(value) -> str | None:
    return value if isinstance(value, str) else None  # (pandas reads None as NaN)


def indicator_records(dataset, figures: pd.DataFrame, region_slug: str, week) -> list[dict]:
    """An indicator's areas as JSON-ready records, figures to the indicator's decimals."""
    decimals = dataset.decimals
    period = dataset.period(week)
    out = []
    for code, row in figures.iterrows():
        record = {"code": code, "name": row["name"]}
        for column in ("count", "denominator"):
            value = _json_value(row[column])
            whole = isinstance(value, float) and value.is_integer()
            record[column] = int(value) if whole else value
        record["value"] = _rounded(row["rate"], decimals)
        record |= {name: _rounded(row[name], decimals) for name in ("lower", "upper")}
        record["rank"] = _json_value(row["rank"])
        record["rank_of"] = _json_value(row["rank_of"])
        record["national"] = _rounded(row["national"], decimals)
        record["compared"] = _said(row["compared"])
        record |= {name: _rounded(row[name], decimals) for name in ("lower_998", "upper_998")}
        record["compared_998"] = _said(row["compared_998"])
        # A small count withheld (with every figure it could be worked back from).
        record["suppressed"] = bool(row.get("suppressed", False))
        record["tied"] = bool(row.get("tied", False))
        record["previous_value"] = _rounded(row.get("previous_rate"), decimals)
        record["change_pct"] = _rounded(row.get("change_pct"), 1)
        test = row.get("change_test")
        record["change_test"] = test if isinstance(test, str) else None
        record["region"] = region_slug
        record["period"] = period.key
        record["period_text"] = period.label
        record["vintage"] = dataset.vintage
        out.append(record)
    return out


def indicator_summary(dataset) -> dict:
    """What /api/indicators says of one indicator: id, title, unit and periods."""
    periods = getattr(dataset, "periods", None)
    if periods is None:  # the Covid cases: 7-day windows ending on any day
        listed = [
            {"key": f"{week:%Y-%m-%d}", "label": dataset.period_text(week)}
            for week in dataset.weeks()[:1]
        ]
        latest = listed[0]
        first, last = dataset.first_week, dataset.last_week
    else:
        listed = [{"key": p.key, "label": p.label} for p in periods]
        shown = dataset.period(dataset.default_week)  # daily counts: a few days back
        latest = {"key": shown.key, "label": shown.label}
        first, last = periods[-1].end, periods[0].end
    return {
        "id": dataset.indicator_id,
        "title": dataset.title,
        "unit": dataset.unit,
        "decimals": dataset.decimals,
        "latest": latest,
        "first_period_end": f"{first:%Y-%m-%d}",
        "last_period_end": f"{last:%Y-%m-%d}",
        "periods": listed,
    }


def indicator_text(records: list[dict], title: str, unit: str) -> str:
    """An indicator's league table for a terminal: rank, area, value, 95% limits, count."""
    headers = ["Rank", "Area", f"Value ({unit})" if unit else "Value", "95% CI", "Count"]

    def shown(value, places: str = "") -> str:
        return "–" if value is None else format(value, places)

    rows = [
        [
            shown(row["rank"]) + ("" if row["rank"] is None else f"/{row['rank_of']}"),
            row["name"],
            shown(row["value"], ","),
            "–" if row["lower"] is None else f"{row['lower']:,} to {row['upper']:,}",
            shown(row["count"], ","),
        ]
        for row in records
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells) -> str:
        return "  ".join(
            str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    lines = [title, "", line(headers), line(["-" * width for width in widths])]
    return "\n".join(lines + [line(row) for row in rows]) + "\n"
