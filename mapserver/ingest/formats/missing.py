"""Cells that say a figure is missing, as the sources write them.

The Government Statistical Service's guidance on shorthand in tables puts each marker in
square brackets: `[x]` not available, `[c]` confidential (suppressed), `[z]` not
applicable, `[low]` a low figure, `[u]` low reliability, `[w]` none recorded; a figure may
carry markers after it (`12.3 [p]` provisional, `[r]` revised, `[e]` estimated). Older
tables and other tools write the symbols it replaced (`..`, `:`, `-`, `x`, `*`) or their
own (`NA` from R, `NaN`, `#N/A` from Excel). Every one of them reads as no figure: never
as zero, and never refused as "not a number".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Compared with the cell's text stripped and lower-cased; the empty cell is one too.
MARKERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "null",
        "#n/a",
        ".",
        "..",
        "...",
        ":",
        "-",
        "\u2013",  # en dash
        "\u2014",  # em dash
        "x",
        "*",
    }
)
# One or more GSS markers and nothing else: "[x]", "[c]", "[z]", "[low]", "[u][e]".
_ONLY_SHORTHAND = re.compile(r"(\s*\[[a-z]{1,5}\]\s*)+", re.IGNORECASE)
# A figure followed by markers that qualify it: "12.3 [p]", "405 [r][e]".
_QUALIFIED = re.compile(r"\s*(\S+?)\s*((?:\[[a-z]{1,5}\]\s*)+)", re.IGNORECASE)
SHOWN = "NA, N/A, .., :, -, x, *, #N/A, [x], [c], [z], [low] or an empty cell"


def is_missing(text: str) -> bool:
    """Whether a cell's text means that there is no figure."""
    stripped = text.strip()
    return stripped.lower() in MARKERS or bool(_ONLY_SHORTHAND.fullmatch(stripped))


def missing(texts: pd.Series) -> pd.Series:
    """True where a cell is a missing marker (or empty); each distinct text looked at once."""
    positions, distinct = pd.factorize(texts)
    flags = np.array([is_missing(str(text)) for text in distinct] + [True], dtype=bool)
    return pd.Series(flags[positions], index=texts.index, dtype=bool)  # -1 (NaN): missing


def blank(texts: pd.Series) -> pd.Series:
    """Text cells with the missing markers emptied: R writes `NA` for an empty category."""
    flags = missing(texts)
    return texts.where(~flags, "") if flags.any() else texts


def without_qualifiers(text: str) -> str:
    """`12.3 [p]` -> `12.3`; other text unchanged."""
    found = _QUALIFIED.fullmatch(text)
    return found[1] if found else text


def numbers(texts: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Floats from cells, NaN where a cell is missing; and where a cell is not a number."""
    values = pd.to_numeric(texts.to_numpy(dtype=object), errors="coerce").astype(float)
    unreadable = np.zeros(len(values), dtype=bool)
    suspect = np.flatnonzero(~np.isfinite(values))
    if len(suspect):
        # Only the cells that are not plain numbers are looked at, each distinct text once.
        positions, distinct = pd.factorize(texts.iloc[suspect])
        read = np.array([_read(str(text)) for text in distinct] + [np.nan])
        unread = np.array([_unreadable(str(text)) for text in distinct] + [False])
        values[suspect] = read[positions]
        unreadable[suspect] = unread[positions]
    return values, pd.Series(unreadable, index=texts.index)


def _read(text: str) -> float:
    """A qualified figure's number (`12.3 [p]`); NaN for a missing marker or other text."""
    cleaned = without_qualifiers(text)
    if cleaned == text:
        return np.nan
    try:
        value = float(cleaned)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def _unreadable(text: str) -> bool:
    return not is_missing(text) and np.isnan(_read(text))
