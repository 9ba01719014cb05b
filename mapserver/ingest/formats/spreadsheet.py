"""Spreadsheets as published: .xlsx, .xlsm, .xls and .ods, read with python-calamine.

A GOV.UK "accessible" spreadsheet puts a title and a few rows of notes above each table,
and keeps one table per sheet among sheets of cover text, contents and notes. The table
is found by its header: the first row, of the first 30, with a column of area codes
(`Area Code`, `LAD19CD`, `Local Authority District code (2019)` ...). The sheet is the
one named, else the only sheet with such a table; with several, the only one whose
layout is recognised without options, or the only one with the columns the options
name; else the file is refused with the sheets listed. Cells become the text a CSV would
hold: whole numbers without `.0`, dates as YYYY-MM-DD, and a number shown as a
percentage (0.123 formatted `0.0%`) as that percentage (12.3).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .common import Table, clean_header, fail, find_column, squash

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_ROWS = 30  # a table's header is looked for in a sheet's first rows
# Squashed names (common.squash) of a column of area codes.
CODE_COLUMN = (
    r"(area|geography|geog|ons|gss|la|lad|ltla|utla|localauthority|localauthoritydistrict"
    r"|lowertierlocalauthority|uppertierlocalauthority|lad\d\d|ltla\d\d|utla\d\d|lad\d{4})?"
    r"(code|cd)(\d\d|\d{4})?"
)
_TABLE_NUMBER = re.compile(r"^table\s+\w+\s*[.:]\s*", re.IGNORECASE)


def is_spreadsheet(path: Path) -> bool:
    """Whether a file is a spreadsheet, by its name."""
    return Path(path).suffix.lower() in SUFFIXES


def cell_text(value, percent: bool = False) -> str:
    """A cell's value as the text a CSV would hold."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        number = float(value)
        if percent:
            number = round(number * 100, 10)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def header_row(rows: list[list]) -> int | None:
    """The index of the first row (of the first HEADER_ROWS) naming an area code column."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        names = [cell_text(cell).strip() for cell in row]
        if any(re.fullmatch(CODE_COLUMN, squash(name)) for name in names if name):
            return index
    return None


def _title(rows: list[list]) -> str | None:
    """The table's title: the first text above its header, without `Table 2.` or notes."""
    for row in rows:
        for cell in row:
            text = " ".join(cell_text(cell).split())
            if text:
                text = re.sub(r"(\s*\[[^\[\]]*\])+\s*$", "", _TABLE_NUMBER.sub("", text))
                return text or None
    return None


class _Workbook:
    """The sheets of one file, each read once."""

    def __init__(self, path: Path):
        try:
            from python_calamine import CalamineWorkbook  # only when a spreadsheet is read
        except ImportError:  # pragma: no cover - a dependency of the package
            raise fail(path, None, "spreadsheets need python-calamine installed") from None
        self.path = path
        try:
            self.book = CalamineWorkbook.from_path(str(path))
        except FileNotFoundError:
            raise fail(path, None, "no such file") from None
        except Exception as error:  # calamine's own errors: not a spreadsheet, damaged ...
            reason = " ".join(str(error).split()) or type(error).__name__
            raise fail(path, None, f"could not be read as a spreadsheet ({reason})") from None
        self.names = list(self.book.sheet_names)
        self._rows: dict[str, list[list]] = {}

    def rows(self, name: str, first: int | None = None) -> list[list]:
        if name not in self._rows:
            # calamine reads a whole sheet at once: read each once, whatever is asked.
            sheet = self.book.get_sheet_by_name(name)
            self._rows[name] = sheet.to_python(skip_empty_area=False)
        return self._rows[name] if first is None else self._rows[name][:first]


def read_spreadsheet(
    path: Path,
    sheet: str | None = None,
    wanted: tuple[str, ...] = (),
    recognised: Callable[[list[str]], bool] | None = None,
) -> Table:
    """The table of the sheet named, or of the one sheet that holds one (see above)."""
    path = Path(path)
    book = _Workbook(path)
    notes: list[str] = []
    if sheet is not None:
        if sheet not in book.names:
            raise fail(path, None, f"has no sheet {sheet!r}; its sheets: {', '.join(book.names)}")
        chosen = sheet
    else:
        chosen = _choose(book, wanted, recognised)
        if len(book.names) > 1:
            notes.append(f"read sheet {chosen!r} (sheets: {', '.join(book.names)})")
    return _table(book, chosen, notes)


def _headers(book: _Workbook) -> dict[str, list[str]]:
    """Each sheet with a table of area codes, and its table's header."""
    found = {}
    for name in book.names:
        rows = book.rows(name, HEADER_ROWS + 1)
        index = header_row(rows)
        if index is not None and index + 1 < len(rows):
            found[name] = clean_header([cell_text(cell) for cell in rows[index]])
    return found


def _choose(book: _Workbook, wanted, recognised) -> str:
    headers = _headers(book)
    every = ", ".join(book.names)
    if not headers:
        raise fail(
            book.path,
            None,
            f"no sheet has a table with an area code column in its first {HEADER_ROWS} rows "
            f"(sheets: {every})",
        )
    candidates = list(headers)
    if wanted:
        having = [name for name in candidates if all(_has(headers[name], c) for c in wanted)]
        candidates = having or candidates
    if len(candidates) > 1 and recognised is not None:
        candidates = [name for name in candidates if recognised(headers[name])] or candidates
    if len(candidates) > 1:
        raise fail(
            book.path,
            None,
            f"{len(candidates)} sheets have a table of area codes "
            f"({', '.join(candidates)}): name one with --sheet",
        )
    return candidates[0]


def _has(header: list[str], column: str) -> bool:
    return column in header or find_column(header, re.escape(squash(column))) is not None


def _table(book: _Workbook, name: str, notes: list[str]) -> Table:
    rows = book.rows(name)
    index = header_row(rows)
    if index is None:
        raise fail(
            book.path,
            None,
            f"sheet {name!r} has no table with an area code column in its first {HEADER_ROWS} rows",
        )
    from . import number_formats  # zipfile and XML: only when a spreadsheet is read

    width = max((len(row) for row in rows), default=0)
    percent_cells = number_formats.percent_cells(book.path, name)
    header = clean_header([cell_text(cell) for cell in rows[index]])
    header += [""] * (width - len(header))
    if index:
        notes.append(f"sheet {name!r}: the table's header is on row {index + 1}")
    body, lines, ended = [], [], None
    for number, row in enumerate(rows[index + 1 :], start=index + 1):
        texts = [
            cell_text(cell, (number, column) in percent_cells) for column, cell in enumerate(row)
        ]
        if not any(text.strip() for text in texts):
            if body:
                ended = number  # the table ends at its first empty row
                break
            continue
        body.append(texts + [""] * (width - len(texts)))
        lines.append(number + 1)  # rows as the spreadsheet numbers them, from 1
    if ended is not None and any(any(cell_text(c).strip() for c in row) for row in rows[ended:]):
        notes.append(f"sheet {name!r}: the table ends at row {ended}; the rows below were not read")
    frame = pd.DataFrame(body, columns=range(width), index=pd.Index(lines), dtype=str)
    keep = [column for column, title in enumerate(header) if title]
    frame = frame[keep]
    frame.columns = [header[column] for column in keep]
    percent = frozenset(
        header[column]
        for row, column in percent_cells
        if row > index and column < width and header[column]
    )
    title = _title(rows[:index])
    return Table(frame, notes, title=title, percent=percent, header_line=index + 1)
