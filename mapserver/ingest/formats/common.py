"""What every layout returns, and the reading and checking steps the layouts share."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import DataError
from ..periods import parse_period
from . import missing

COLUMNS = [
    "code",
    "name",
    "period",
    "start",
    "end",
    "count",
    "denominator",
    "value",
    "lower",
    "upper",
    "lower_998",
    "upper_998",
    "note",
    "line",
]
FIGURES = ("count", "denominator", "value", "lower", "upper", "lower_998", "upper_998")


@dataclass(frozen=True)
class SourceMeta:
    """What a file says about its figures: title, unit, rounding, publisher."""

    title: str
    measure: str | None = None
    unit: str | None = None
    multiplier: int | None = None
    decimals: int | None = None
    kind: str = "value"  # "count": the server computes rates; "value": figures as published
    source: str | None = None
    caveats: str | None = None
    format: str = "plain"
    source_url: str | None = None


@dataclass(frozen=True, eq=False)
class Table:
    """A file's table as read: every cell as a string ('' when empty), indexed by its line
    in a text file or its row in a spreadsheet, under cleaned column names."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    title: str | None = None  # a spreadsheet table's own title, from the rows above it
    percent: frozenset[str] = frozenset()  # columns with cells formatted as percentages
    delimiter: str = ","
    header_line: int = 1  # the header's line in a text file, or its row in a sheet

    @property
    def header(self) -> list[str]:
        return list(self.frame.columns)


@dataclass(frozen=True, eq=False)
class Observations:
    """One row per (code, period), the file's metadata, and what was dropped and why."""

    frame: pd.DataFrame
    meta: SourceMeta
    notes: list[str] = field(default_factory=list)
    # The file's figures for whole countries (England E92000001 ...), in the same columns:
    # what each area is compared with. None when the file gives none.
    national: pd.DataFrame | None = None


def fail(path: Path | str, line: int | None, problem: str) -> DataError:
    """A one-line DataError naming the file, the line and the problem."""
    where = Path(path).name if line is None else f"{Path(path).name}, line {line}"
    return DataError(" ".join(f"{where}: {problem}".split()))


# Notes markers after a column's name: "Area Type [Note 3]", "Frailty [Pe1]".
_MARKERS = re.compile(r"(\s*\[[^\[\]]*\])+\s*$")


@functools.lru_cache(maxsize=8192)
def clean_name(name: str) -> str:
    """A column name without surrounding spaces and without trailing [Note 3] markers."""
    name = " ".join(str(name).split())
    return _MARKERS.sub("", name).strip() or name


def clean_header(names: list[str]) -> list[str]:
    """Cleaned names, a repeated one told apart by its place: `Value`, `Value (2)`."""
    out: list[str] = []
    for name in names:
        cleaned = clean_name(name)
        if cleaned and cleaned in out:
            cleaned = f"{cleaned} ({out.count(cleaned) + 2})"
        out.append(cleaned)
    return out


@functools.lru_cache(maxsize=8192)
def squash(name: str) -> str:
    """Lower case, letters and digits only: `Lower.CI.95.0.limit` and `Lower CI 95.0 limit`
    (fingertipsR's dotted names, fingertips_py's spaced ones) are both `lowerci950limit`."""
    return re.sub(r"[^a-z0-9]", "", clean_name(name).lower())


class Problems:
    """Keeps the earliest problem found by vectorised checks, to raise once."""

    def __init__(self, path: Path, index: pd.Index):
        self.path = path
        self.index = index  # the line numbers of the rows checked
        self.first: tuple[int, str] | None = None

    def check(self, bad: pd.Series, describe: Callable[[int], str]) -> None:
        """Note the first row where `bad` holds, described by describe(its position)."""
        flags = bad.to_numpy(dtype=bool)
        if flags.any():
            position = int(np.argmax(flags))
            line = int(bad.index[position])
            if self.first is None or line < self.first[0]:
                self.first = (line, describe(position))

    def raise_first(self) -> None:
        """Raise the earliest problem noted, if any."""
        if self.first is not None:
            raise fail(self.path, *self.first)


def stripped(texts: pd.Series) -> pd.Series:
    """The strings without surrounding spaces (a plain loop: faster than .str.strip)."""
    return pd.Series([text.strip() for text in texts.tolist()], index=texts.index, dtype=str)


def numbers(texts: pd.Series | None, what: str, problems: Problems) -> pd.Series:
    """Floats from strings: NaN where missing (empty, `NA`, `[x]` ...); a problem where
    not a finite number."""
    if texts is None:
        return pd.Series(np.nan, index=problems.index)
    values, unreadable = missing.numbers(texts)
    problems.check(unreadable, lambda p: f"{what} {texts.iloc[p]!r} is not a number")
    return pd.Series(values, index=texts.index)


def periods(texts: pd.Series, problems: Problems, *, what: str = "period", day=False):
    """Period key, start and end for each text (parsing each distinct text once)."""
    positions, distinct = pd.factorize(texts)
    found, errors = [], {}
    for text in distinct:
        try:
            period = parse_period(text)
            if day and period.kind != "day":
                errors[text] = f"{what} {text!r} is not a date (YYYY-MM-DD)"
        except DataError as error:
            period, errors[text] = None, str(error).replace("period", what, 1)
        found.append(period)
    if errors:
        problems.check(texts.isin(list(errors)), lambda p: errors[texts.iloc[p]])
        return (pd.Series(pd.NA, index=texts.index),) * 3  # not used: the check raises
    keys = np.array([period.key for period in found], dtype=object)
    start = pd.DatetimeIndex([period.start for period in found])
    end = pd.DatetimeIndex([period.end for period in found])
    return (
        pd.Series(keys[positions], index=texts.index, dtype=str),
        pd.Series(start[positions], index=texts.index),
        pd.Series(end[positions], index=texts.index),
    )


def build(
    path: Path,
    table: pd.DataFrame,
    columns: Mapping[str, str | None],
    *,
    count_required: bool = False,
    whole_counts: bool = True,
    dates: bool = False,
) -> pd.DataFrame:
    """The observations frame from a table; `columns` maps each output to a source column."""
    problems = Problems(path, table.index)
    raw = {name: table[column] for name, column in columns.items() if column}
    blank = pd.Series("", index=table.index, dtype=str)
    code, name, note = (stripped(raw[k]) if k in raw else blank for k in ("code", "name", "note"))
    name, note = missing.blank(name), missing.blank(note)
    problems.check(code.eq(""), lambda p: "area code is empty")
    period_name = "date" if dates else "period"
    key, start, end = periods(raw.get("period", blank), problems, what=period_name, day=dates)
    figures = {figure: numbers(raw.get(figure), figure, problems) for figure in FIGURES}
    count, raw_count = figures["count"], raw.get("count", blank)
    if count_required:
        empty = raw_count.str.strip().eq("")
        problems.check(
            count.isna(),
            lambda p: (
                "count is empty" if empty.iloc[p] else f"count {raw_count.iloc[p]!r} is missing"
            ),
        )
    problems.check(count < 0, lambda p: f"count {raw_count.iloc[p]!r} is negative")
    if whole_counts:
        problems.check(
            count % 1 > 0, lambda p: f"count {raw_count.iloc[p]!r} is not a whole number"
        )
    raw_denominator = raw.get("denominator", blank)
    problems.check(
        figures["denominator"] < 0,
        lambda p: f"denominator {raw_denominator.iloc[p]!r} is negative",
    )
    problems.raise_first()
    frame = pd.DataFrame(
        {"code": code, "name": name, "period": key, "start": start, "end": end}
        | figures
        | {"note": note, "line": table.index.astype("int64")}
    )
    return frame.reset_index(drop=True)[COLUMNS]


def drop_repeats(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows repeating an earlier row's area, period and figures, dropped; and how many."""
    repeated = frame.duplicated(["code", "period", *FIGURES])
    return frame[~repeated].reset_index(drop=True), int(repeated.sum())


def check_no_repeated_rows(path: Path, table: pd.DataFrame) -> None:
    """Refuse a row that repeats an earlier one cell for cell, naming both lines.

    The same area listed twice with something told apart (another parent area, another
    geography) is the source's way of listing it; the same row twice is a mistake.
    """
    repeated = table.duplicated()
    if repeated.any():
        line = repeated.idxmax()
        row = table.loc[line]
        same = (table == row).all(axis=1)
        first = same.idxmax()
        raise fail(path, line, f"repeats line {first} exactly")


def check_unique(path: Path, frame: pd.DataFrame) -> None:
    """Refuse a second row for the same (code, period), naming both lines."""
    repeated = frame.duplicated(["code", "period"])
    if repeated.any():
        row = frame[repeated].iloc[0]
        first = frame[(frame["code"] == row["code"]) & (frame["period"] == row["period"])]
        where = f"{Path(path).name}, line {row['line']}"
        raise DataError(
            f"{where} repeats line {first['line'].iloc[0]}: {row['code']} {row['period']}"
        )


def counted(counts: Mapping[str, int]) -> str:
    """'Nation 22, Region 198' from a mapping of names to numbers."""
    return ", ".join(f"{name} {number:,}" for name, number in counts.items())


def plural(number: int, word: str) -> str:
    """'1 row', '1,826 rows'."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def find_column(header: list[str], *patterns: str) -> str | None:
    """The first column whose squashed name (lower case, letters and digits only: see
    squash) matches one of the patterns, tried in order."""
    squashed = [squash(column) for column in header]
    for pattern in patterns:
        for column, name in zip(header, squashed, strict=True):
            if re.fullmatch(pattern, name):
                return column
    return None


NATIONS = ("E92", "W92", "S92", "N92")


def is_nation(codes: pd.Series) -> pd.Series:
    """True for the codes of England, Wales, Scotland and Northern Ireland."""
    return codes.str.startswith(NATIONS)
