"""The desk's Check step in words: what was read, what was set aside and why, what to
know before publishing, or why the file was refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ingest.periods import Period
from ..update.desk import Refusal
from ..update.indicators import Checked
from .text import counted

# What one period is called, by its kind (periods.py); "period" for any other.
PERIOD_WORDS = {
    "year": "year",
    "financial-year": "financial year",
    "quarter": "quarter",
    "month": "month",
    "week": "week",
    "day": "day",
    "window": "day",
}
# The readers' notes that say rows were left out (formats/*.py, figures/indicators.py).
_SET_ASIDE = re.compile(r"\b(set aside|dropped|kept once|were not read)\b")


@dataclass(frozen=True)
class CheckReport:
    """The Check step's sentences: what was read, set aside and noted, or the refusal."""

    read: str = ""
    set_aside: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    refusal: str = ""

    def sentences(self) -> list[str]:
        """Every sentence, in the order shown."""
        return [s for s in (self.refusal, self.read, *self.set_aside, *self.warnings) if s]


def sentence(note: str) -> str:
    """A reader's note as a sentence: a capital first and a full stop last."""
    note = note.strip()
    if not note:
        return ""
    return note[0].upper() + note[1:] + ("" if note.endswith((".", "?", "!")) else ".")


def periods_text(periods: list[Period]) -> str:
    """`22 years, 2000 to 2021`, or `one year, 2019` (periods newest first)."""
    kinds = {period.kind for period in periods}
    word = PERIOD_WORDS.get(kinds.pop(), "period") if len(kinds) == 1 else "period"
    if len(periods) == 1:
        return f"one {word}, {periods[0].label}"
    return f"{counted(len(periods), word)}, {periods[-1].label} to {periods[0].label}"


def read_sentence(checked: Checked) -> str:
    """`Read 6,012 rows: 307 areas, 22 years, 2000 to 2021.`"""
    rows = counted(checked.rows, "row")
    return f"Read {rows}: {counted(checked.areas)}, {periods_text(checked.periods)}."


def check_report(result: Checked | Refusal) -> CheckReport:
    """What the Check step says of a checked upload, or of its refusal."""
    if isinstance(result, Refusal):
        message = result.message.strip()
        ending = "" if message.endswith(".") else "."
        return CheckReport(refusal=f"Not accepted; nothing was kept. {message}{ending}")
    notes = [note for note in result.notes if note.strip()]
    aside = [sentence(note) for note in notes if _SET_ASIDE.search(note)]
    warnings = [sentence(note) for note in notes if not _SET_ASIDE.search(note)]
    return CheckReport(read_sentence(result), tuple(aside), tuple(warnings))
