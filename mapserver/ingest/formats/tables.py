"""A file's table, whatever it is kept in: a CSV (text.py) or a spreadsheet (spreadsheet.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .common import Table
from .spreadsheet import is_spreadsheet, read_spreadsheet
from .text import read_csv, read_header


def load_table(
    path: Path | str,
    *,
    sheet: str | None = None,
    wanted: tuple[str, ...] = (),
    recognised: Callable[[list[str]], bool] | None = None,
) -> Table:
    """The table of a CSV or of a spreadsheet's sheet (`sheet`, else the one with a table
    of area codes: see spreadsheet.py; `wanted` columns and `recognised` layouts help
    choose)."""
    path = Path(path)
    if is_spreadsheet(path):
        return read_spreadsheet(path, sheet, wanted, recognised)
    return read_csv(path)


def load_header(path: Path | str, *, sheet: str | None = None, recognised=None) -> list[str]:
    """A table's column names: a CSV's first line only; a spreadsheet's chosen sheet."""
    path = Path(path)
    if is_spreadsheet(path):
        return load_table(path, sheet=sheet, recognised=recognised).header
    return read_header(path)
