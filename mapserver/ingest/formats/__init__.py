"""Recognise a data file's layout and read it into checked observations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from . import fingertips, ons_els, plain, ukhsa
from .common import COLUMNS, Observations, SourceMeta, fail
from .ons_els import multiplier as multiplier_of
from .spreadsheet import is_spreadsheet
from .tables import load_header, load_table

__all__ = [
    "COLUMNS",
    "FORMATS",
    "Observations",
    "SourceMeta",
    "detect_format",
    "read_observations",
]

# Most specific first: a plain file could also have an "areacode" and a "date".
_LAYOUTS = {
    fingertips.NAME: fingertips,
    ons_els.NAME: ons_els,
    ukhsa.NAME: ukhsa,
    plain.NAME: plain,
}
FORMATS = tuple(_LAYOUTS)


def _layout(header: list[str]) -> str:
    found = (name for name, layout in _LAYOUTS.items() if layout.matches(header))
    return next(found, plain.NAME)


def _recognised(header: list[str]) -> bool:
    """Whether some layout reads a table with this header with no options."""
    return any(layout.matches(header) for layout in _LAYOUTS.values())


def detect_format(path: Path | str, *, sheet: str | None = None) -> str:
    """The layout of a file from its header: one of FORMATS ('plain' when none other fits)."""
    return _layout(load_header(Path(path), sheet=sheet, recognised=_recognised))


def read_observations(
    path: Path | str,
    *,
    code: str | None = None,
    period: str | None = None,
    count: str | None = None,
    value: str | None = None,
    denominator: str | None = None,
    date: str | None = None,
    sheet: str | None = None,
    title: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    source_url: str | None = None,
) -> Observations:
    """Read a file in any known layout; naming columns forces the plain layout.

    `sheet` names a spreadsheet's sheet (by default the one with a table of area codes);
    `title`, `unit`, `source` and `source_url` say what the file does not, or better.
    """
    path = Path(path)
    named = {"code": code, "period": period, "count": count, "value": value}
    named |= {"denominator": denominator, "date": date}
    options = {option: column for option, column in named.items() if column is not None}
    if sheet is not None and not is_spreadsheet(path):
        raise fail(path, None, "--sheet is for spreadsheets (.xlsx, .xlsm, .xls, .ods)")
    wanted = tuple(column for option, column in options.items() if option != "period")
    table = load_table(path, sheet=sheet, wanted=wanted, recognised=_recognised)
    if options:
        read = plain.read(path, table, **options)
    else:
        read = _LAYOUTS[_layout(table.header)].read(path, table)
    meta = read.meta
    given = {"title": title, "unit": unit, "source": source, "source_url": source_url}
    given = {name: text.strip() for name, text in given.items() if text and text.strip()}
    if "unit" in given:
        given["multiplier"] = multiplier_of(given["unit"]) or meta.multiplier
    return dataclasses.replace(
        read, meta=dataclasses.replace(meta, **given), notes=[*table.notes, *read.notes]
    )
