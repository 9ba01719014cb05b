"""CSV files as they come: UTF-8 or not, separated by commas or not, compressed or not.

The encoding is UTF-8 (with or without a byte-order mark), UTF-16 with its byte-order
mark (Excel's "Unicode text"), or else Windows-1252, the Latin-1 superset that Excel on
Windows writes: a file that is none of these is refused, naming the line. The separator
is whichever of comma, semicolon, tab and bar splits the header line into the most
fields. Both are said in the notes when they are not the usual UTF-8 and commas.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .common import Table, clean_header, fail

_OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _raw_bytes(path: Path, *, first_line: bool = False) -> bytes:
    # Decompressed here rather than by pandas, to count lines in the same bytes.
    opener = _OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as handle:
            if first_line and handle.peek(2)[:2] not in _UTF16_BOMS:
                return handle.readline()
            return handle.read()
    except FileNotFoundError:
        raise fail(path, None, "no such file") from None
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise fail(path, None, f"could not be read ({error})") from None


def decode(path: Path, raw: bytes) -> tuple[str, str, str | None]:
    """The text, the codec that reads it, and a note when it is not UTF-8."""
    if raw[:2] in _UTF16_BOMS:
        try:
            return raw.decode("utf-16"), "utf-16", "read as UTF-16 text"
        except UnicodeDecodeError as error:
            line = raw[: error.start].decode("utf-16", errors="replace").count("\n") + 1
            raise fail(path, line, "is not UTF-16 text, though it begins as such") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig", None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("cp1252")
    except UnicodeDecodeError:
        raise fail(
            path, line, "is neither UTF-8 nor Windows-1252 (Latin-1) text: save it as UTF-8"
        ) from None
    return text, "cp1252", f"not UTF-8 (line {line}): read as Windows-1252 (Latin-1) text"


def delimiter(first_line: str) -> str:
    """The separator that splits the header line into the most fields (commas on a tie)."""
    fields = {
        sign: len(next(csv.reader([first_line], delimiter=sign), []))
        for sign in DELIMITERS
        if sign in first_line
    }
    return max(fields, key=lambda sign: fields[sign], default=",")


def _header(path: Path, text: str) -> tuple[list[str], str]:
    first = text.split("\n", 1)[0].rstrip("\r")
    if first.startswith("\ufeff"):
        first = first[1:]
    sign = delimiter(first)
    header = [name.strip() for name in next(csv.reader([first], delimiter=sign), [])]
    if not any(header):
        whole = "\n" not in text.rstrip("\r\n") and not text.endswith("\n")
        raise fail(path, 1, "the file is empty" if whole else "the header line is empty")
    return header, sign


def read_header(path: Path) -> list[str]:
    """The column names on line 1 (cleaned as tables' are), reading no further."""
    path = Path(path)
    text, _, _ = decode(path, _raw_bytes(path, first_line=True))
    header, _ = _header(path, text)
    return [name for name in clean_header(header) if name]


def read_csv(path: Path) -> Table:
    """Every cell as a string ('' when empty), indexed by the row's line number in the file.

    Columns with no name (the row numbers R and pandas write first) are left out.
    """
    path = Path(path)
    raw = _raw_bytes(path)
    text, codec, note = decode(path, raw)
    header, sign = _header(path, text)
    notes = [note] if note else []
    if sign != ",":
        notes.append(f"fields separated by {DELIMITERS[sign]}")
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            dtype=str,
            encoding=codec,
            keep_default_na=False,
            sep=sign,
        )
    except UnicodeDecodeError as error:  # not expected: decode() has read it already
        raise fail(path, None, f"could not be decoded as {codec} ({error})") from None
    except pd.errors.EmptyDataError:
        raise fail(path, 1, "the file is empty") from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if not found:
            raise fail(path, None, f"is not a readable CSV file ({error})") from None
        fields, line, saw = found.groups()
        separated = "" if sign == "," else f" (fields separated by {DELIMITERS[sign]})"
        raise fail(
            path, int(line), f"has {saw} fields where the header has {fields}{separated}"
        ) from None
    frame = frame.fillna("")  # a short row's missing cells, in pandas versions that leave NaN
    names = clean_header(header) if len(header) == frame.shape[1] else None
    frame.columns = names or clean_header([str(column) for column in frame.columns])
    frame = frame.loc[:, [bool(name) for name in frame.columns]]
    frame.index = _line_numbers(text, len(frame), sign)
    return Table(frame, notes, delimiter=sign)


def _line_numbers(text: str, rows: int, sign: str) -> np.ndarray:
    ends_open = bool(text) and not text.endswith("\n")
    if text.count("\n") + ends_open == rows + 1:
        return np.arange(2, rows + 2)  # one line per row: the usual case, and fast
    # Blank lines (pandas skips them) or quoted line breaks: let the csv module count.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=sign)
    lines, previous, header = [], 0, False
    for record in reader:
        if record:
            if header:
                lines.append(previous + 1)
            header = True
        previous = reader.line_num
    # Should the two readers ever disagree, row order still locates a line roughly.
    return np.array(lines) if len(lines) == rows else np.arange(2, rows + 2)
