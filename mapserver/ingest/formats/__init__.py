"""Recognise a data file's layout and read it into checked observations."""

from __future__ import annotations

from pathlib import Path

from . import fingertips, ons_els, plain, ukhsa
from .common import COLUMNS, Observations, SourceMeta, read_header

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


def detect_format(path: Path | str) -> str:
    """The layout of a file from its header: one of FORMATS ('plain' when none other fits)."""
    header = read_header(Path(path))
    found = (name for name, layout in _LAYOUTS.items() if layout.matches(header))
    return next(found, plain.NAME)


def read_observations(
    path: Path | str,
    *,
    code: str | None = None,
    period: str | None = None,
    count: str | None = None,
    value: str | None = None,
    denominator: str | None = None,
    date: str | None = None,
) -> Observations:
    """Read a file in any known layout; naming columns forces the plain layout."""
    path = Path(path)
    named = {"code": code, "period": period, "count": count, "value": value}
    named |= {"denominator": denominator, "date": date}
    options = {option: column for option, column in named.items() if column is not None}
    if options:
        return plain.read(path, **options)
    return _LAYOUTS[detect_format(path)].read(path)
