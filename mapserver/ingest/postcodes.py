"""Postcode to local authority: an optional CSV of postcodes or postcode districts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import ConfigError

# Column names accepted for the two columns, as ONS and others name them.
POSTCODE_COLUMNS = ("postcode", "pcds", "pcd", "pcd7", "pcd8", "district", "postcode_district")
CODE_COLUMNS = ("lad19cd", "lad20cd", "ladcd", "lad_code", "lad", "oslaua", "laua", "code")

# A full postcode (PE1 1XX) or its outward code, the postcode district (PE1).
OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
LOOKS_LIKE = re.compile(rf"^{OUTWARD}(?:[0-9][A-Z]{{2}})?$")


def normalise(text: str) -> str:
    """`pe1 1xx` -> `PE11XX`: upper case, no spaces."""
    return re.sub(r"\s+", "", text).upper()


def looks_like_postcode(text: str) -> bool:
    """True for a full postcode or a postcode district, with or without its space."""
    return bool(LOOKS_LIKE.match(normalise(text)))


def outward(text: str) -> str:
    """The postcode district of a full postcode (`PE11XX` -> `PE1`); a district as it is."""
    postcode = normalise(text)
    return postcode[:-3] if len(postcode) >= 5 and postcode[-3].isdigit() else postcode


@dataclass(frozen=True)
class PostcodeLookup:
    """Normalised postcodes and postcode districts to LAD codes."""

    codes: pd.Series

    def find(self, query: str) -> tuple[str, str] | None:
        """(the postcode or district matched, its LAD code), or None if the file lacks both."""
        postcode = normalise(query)
        for key in dict.fromkeys((postcode, outward(postcode))):
            if key in self.codes.index:
                return key, str(self.codes[key])
        return None


def _column(columns: list[str], accepted: tuple[str, ...], what: str, path: Path) -> str:
    lowered = {column.strip().lower(): column for column in columns}
    for name in accepted:
        if name in lowered:
            return lowered[name]
    raise ConfigError(
        f"postcode file {path}: no {what} column; name it one of {', '.join(accepted)}"
    )


def read_postcodes(path: Path) -> PostcodeLookup:
    """Read a CSV with a postcode (or district) column and a LAD code column."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError(f"postcode file not found: {path} (MAPSERVER_POSTCODES)") from None
    postcode = _column(list(table.columns), POSTCODE_COLUMNS, "postcode", path)
    code = _column(list(table.columns), CODE_COLUMNS, "LAD code", path)
    keys = table[postcode].map(normalise)
    values = table[code].str.strip().str.upper()
    keep = (keys != "") & (values != "")
    codes = pd.Series(values[keep].to_numpy(), index=keys[keep].to_numpy())
    # The first row for a postcode wins, as a lookup file should have one row per postcode.
    return PostcodeLookup(codes[~codes.index.duplicated()])
