"""What every layout returns, and the reading and checking steps the layouts share."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.errors import DataError
from ..periods import parse_period

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
_OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}


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


def _raw_bytes(path: Path, *, first_line: bool = False) -> bytes:
    # Decompressed here rather than by pandas, to count lines in the same bytes.
    opener = _OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as handle:
            return handle.readline() if first_line else handle.read()
    except FileNotFoundError:
        raise fail(path, None, "no such file") from None
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise fail(path, None, f"could not be read ({error})") from None


def read_header(path: Path) -> list[str]:
    """The column names on line 1, reading no further."""
    path = Path(path)
    first = _raw_bytes(path, first_line=True)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(path, 1, "is not UTF-8 text") from None
    header = [column.strip() for column in next(csv.reader([text]), [])]
    if not any(header):
        whole = not first.endswith(b"\n")  # nothing after this line
        raise fail(path, 1, "the file is empty" if whole else "the header line is empty")
    return header


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as a string ('' when empty), indexed by the row's line number in the file."""
    raw = _raw_bytes(path)
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            dtype=str,
            encoding="utf-8-sig",
            keep_default_na=False,
        )
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise fail(path, line, "is not UTF-8 text") from None
    except pd.errors.EmptyDataError:
        raise fail(path, 1, "the file is empty") from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if not found:
            raise fail(path, None, f"is not a readable CSV file ({error})") from None
        fields, line, saw = found.groups()
        raise fail(path, int(line), f"has {saw} fields where the header has {fields}") from None
    frame = frame.fillna("")  # a short row's missing cells, in pandas versions that leave NaN
    frame.columns = [str(column).strip() for column in frame.columns]
    frame.index = _line_numbers(raw, len(frame))
    return frame


def _line_numbers(raw: bytes, rows: int) -> np.ndarray:
    ends_open = bool(raw) and not raw.endswith(b"\n")
    if raw.count(b"\n") + ends_open == rows + 1:
        return np.arange(2, rows + 2)  # one line per row: the usual case, and fast
    # Blank lines (pandas skips them) or quoted line breaks: let the csv module count.
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    lines, previous, header = [], 0, False
    for record in reader:
        if record:
            if header:
                lines.append(previous + 1)
            header = True
        previous = reader.line_num
    # Should the two readers ever disagree, row order still locates a line roughly.
    return np.array(lines) if len(lines) == rows else np.arange(2, rows + 2)


class Problems:
    """Keeps the earliest problem found by vectorised checks, to raise once."""

    def __init__(self, path: Path, index: pd.Index):
        self.path = path
        self.index = index  # the line numbers of the rows checked
        self.first: tuple[int, str] | None = None

    def check(self, bad: pd.Series, describe: Callable[[int], str]) -> None:
        """Note the first line where `bad` holds, described by describe(line)."""
        if bad.any():
            line = int(bad.idxmax())
            if self.first is None or line < self.first[0]:
                self.first = (line, describe(line))

    def raise_first(self) -> None:
        """Raise the earliest problem noted, if any."""
        if self.first is not None:
            raise fail(self.path, *self.first)


def stripped(texts: pd.Series) -> pd.Series:
    """The strings without surrounding spaces (a plain loop: faster than .str.strip)."""
    return pd.Series([text.strip() for text in texts.tolist()], index=texts.index, dtype=str)


def numbers(texts: pd.Series | None, what: str, problems: Problems) -> pd.Series:
    """Floats from strings: NaN where empty; a problem where not a finite number."""
    if texts is None:
        return pd.Series(np.nan, index=problems.index)
    values = pd.to_numeric(texts.to_numpy(dtype=object), errors="coerce").astype(float)
    suspect = ~np.isfinite(values)
    if suspect.any():
        # Empty (or blank) cells are missing figures; anything else unreadable is refused.
        bad = texts[suspect].str.strip().ne("")
        problems.check(bad, lambda i: f"{what} {texts[i]!r} is not a number")
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
        problems.check(texts.isin(list(errors)), lambda i: errors[texts[i]])
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
    problems.check(code.eq(""), lambda i: "area code is empty")
    period_name = "date" if dates else "period"
    key, start, end = periods(raw.get("period", blank), problems, what=period_name, day=dates)
    figures = {figure: numbers(raw.get(figure), figure, problems) for figure in FIGURES}
    count, raw_count = figures["count"], raw.get("count", blank)
    if count_required:
        problems.check(count.isna(), lambda i: "count is empty")
    problems.check(count < 0, lambda i: f"count {raw_count[i]!r} is negative")
    if whole_counts:
        problems.check(count % 1 > 0, lambda i: f"count {raw_count[i]!r} is not a whole number")
    raw_denominator = raw.get("denominator", blank)
    problems.check(
        figures["denominator"] < 0, lambda i: f"denominator {raw_denominator[i]!r} is negative"
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
    """The first column whose name (case and spacing ignored) matches one of the patterns."""
    for pattern in patterns:
        for column in header:
            if re.fullmatch(pattern, " ".join(column.lower().split())):
                return column
    return None


NATIONS = ("E92", "W92", "S92", "N92")


def is_nation(codes: pd.Series) -> pd.Series:
    """True for the codes of England, Wales, Scotland and Northern Ireland."""
    return codes.str.startswith(NATIONS)
