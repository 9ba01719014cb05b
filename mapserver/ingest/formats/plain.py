"""A plain table: an area code, a period or date, and a count or a value per row; or one
column per period ("years across", wide.py). From a CSV or a spreadsheet's sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..periods import parse_period
from . import geographies, wide
from .common import (
    Observations,
    SourceMeta,
    Table,
    build,
    check_unique,
    fail,
    find_column,
    squash,
)
from .tables import load_table
from .text import DELIMITERS

NAME = "plain"
# Column-name patterns, squashed (common.squash), tried when no options name them.
GUESSES = {
    "code": [
        r"areacode",
        r"code",
        r"areacd",
        r"(lad|ltla|utla)\d\dcd",
        r"(la|lad|localauthority|localauthoritydistrict|lowertierlocalauthority)code(\d{4})?",
        r"(geography|ons|gss)code",
    ],
    "name": [
        r"areaname",
        r"name",
        r"areanm",
        r"(lad|ltla|utla)\d\dnm",
        r"(la|lad|localauthority|localauthoritydistrict|lowertierlocalauthority)name(\d{4})?",
        r"geographyname",
    ],
    "period": [r"period", r"timeperiod", r"date", r"year"],
    "count": [r"count"],
    "value": [r"value"],
    "denominator": [r"denominator", r"population"],
    "lower": [r"lower", r"lowerci", r"lci", r"lci95", r"lowerci950*limit"],
    "upper": [r"upper", r"upperci", r"uci", r"uci95", r"upperci950*limit"],
}
OPTIONS = ("code", "period", "date", "count", "value", "denominator")
CONSTANT_PERIOD = "(period)"  # the column made for `--period 2019` on a file without one


def guess(header: list[str]) -> dict[str, str | None]:
    """The columns a plain header seems to name, by name; None where not found."""
    return {name: find_column(header, *patterns) for name, patterns in GUESSES.items()}


def matches(header: list[str]) -> bool:
    """Whether a header has an obvious code, and either a period and exactly one of count
    and value, or one column per period."""
    found = guess(header)
    if not found["code"]:
        return False
    if found["period"]:
        return bool(found["count"]) != bool(found["value"])
    return bool(wide.period_columns(header)) and not (found["count"] or found["value"])


def _refuse(path: Path, table: Table, problem: str):
    separated = ""
    if table.delimiter != ",":
        separated = f" (fields separated by {DELIMITERS[table.delimiter]})"
    raise fail(
        path,
        table.header_line,
        f"{problem}; columns found: {', '.join(table.header)}{separated} "
        "(name them with --code, --period or --date, --count or --value, and --denominator)",
    )


def resolve(header: list[str], column: str) -> str | None:
    """The header's column an option names: exactly, or as cleaned and squashed."""
    if column in header:
        return column
    return find_column(header, re.escape(squash(column))) if squash(column) else None


def _columns(path: Path, table: Table, options: dict[str, str]) -> tuple[dict, pd.DataFrame]:
    """Which column holds what (options over guesses), and the frame to read them from."""
    frame, header = table.frame, table.header
    named = {}
    for option, column in options.items():
        found = resolve(header, column)
        if found is None and option == "period" and _is_period(column):
            frame = frame.assign(**{CONSTANT_PERIOD: column})
            found = CONSTANT_PERIOD
        if found is None:
            _refuse(path, table, f"no column {column!r} for --{option}")
        named[option] = found
    if "period" in named and "date" in named:
        _refuse(path, table, "give --period or --date, not both")
    columns = guess(header)
    # Options override the guesses; naming a count or a value sets the other aside.
    if "count" in named or "value" in named:
        columns["count"], columns["value"] = named.get("count"), named.get("value")
    columns |= {name: named[name] for name in ("code", "denominator") if name in named}
    columns["period"] = named.get("period") or named.get("date") or columns["period"]
    return columns, frame


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except Exception:
        return False
    return True


def read(path: Path, table: Table | None = None, **options: str) -> Observations:
    """Observations from the columns the options name, or that the header makes obvious."""
    table = table or load_table(path)
    header = table.header
    if not options and not matches(header):
        _refuse(path, table, "not a layout this server recognises")
    columns, frame = _columns(path, table, options)
    notes: list[str] = []
    across = []
    if not columns["period"] and not (columns["count"] or columns["value"]):
        across = wide.period_columns(header)
    if across:
        keep = [column for column in (columns["code"], columns["name"]) if column]
        frame = wide.melt(frame, keep, across)
        columns |= {"period": wide.PERIOD_COLUMN, "value": wide.VALUE_COLUMN, "count": None}
        columns |= {"denominator": None, "lower": None, "upper": None}
        notes.append(
            f"one column per period ({across[0]} to {across[-1]}): "
            "read as one row per area and period"
        )
    if not columns["code"]:
        _refuse(path, table, "no obvious column of area codes")
    if not columns["period"]:
        _refuse(
            path,
            table,
            "no column of periods: name one with --period COLUMN, or give the period of "
            "every row (--period 2019)",
        )
    if not (columns["count"] or columns["value"]):
        _refuse(path, table, "no obvious count or value column")
    # A date column must hold dates; a period column may hold any period.
    dates = "date" in options or columns["period"].lower() == "date"
    observations = build(path, frame, columns, dates=dates)
    observations, national = geographies.set_aside(observations, notes)
    check_unique(path, observations)
    kind = "count" if columns["count"] else "value"
    figure = columns["count"] or columns["value"]
    percent = (
        kind == "value"
        and bool(table.percent)
        and (set(across) <= table.percent if across else figure in table.percent)
    )
    meta = SourceMeta(
        title=_title(path, table, options, figure),
        kind=kind,
        decimals=_decimals(frame[figure]) if kind == "value" else None,
        unit="%" if percent else None,
        multiplier=100 if percent else None,
        format=NAME,
    )
    if percent:
        notes.append("figures formatted as percentages in the spreadsheet: read as percentages")
    return Observations(observations, meta, notes, national)


def _decimals(texts: pd.Series) -> int | None:
    """The most decimal places the values are written with (3 at most): the source's."""
    numbers = texts[texts.str.fullmatch(r"\s*-?\d*\.?\d+\s*")]
    if numbers.empty:
        return None
    places = numbers.str.extract(r"\.(\d+)", expand=False).str.len().fillna(0)
    return int(min(places.max(), 3))


def _title(path: Path, table: Table, options: dict[str, str], figure: str) -> str:
    """The table's own title; else the figure's column when named; else the file's name."""
    if table.title:
        return table.title
    if ("count" in options or "value" in options) and squash(figure) not in ("count", "value"):
        return figure
    # A plain file says nothing of itself: its name (without .csv, .csv.gz ...) is the title.
    return path.name.split(".")[0] or path.name
