"""An editor's words as a published map shows them: the subtitle, the notes, and the line
that says when (and why) the map was updated or corrected. Plain text: the templates
escape it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..ingest.indicator import Indicator


@dataclass(frozen=True)
class PublishedWords:
    """What a published indicator's map says beside its figures (empty where unsaid)."""

    subtitle: str = ""
    notes: tuple[str, ...] = ()
    updated: str = ""

    def __bool__(self) -> bool:
        return bool(self.subtitle or self.notes or self.updated)


def long_date(day: str) -> str:
    """`2026-12-07` -> `7 December 2026`."""
    found = date.fromisoformat(day)
    return f"{found.day} {found:%B %Y}"


def updated_line(indicator: Indicator) -> str:
    """`Updated 7 December 2026: new figures for 2024.`, `Correction, 7 December 2026:
    …`, or `Updated 7 December 2026.`; empty for a map never republished."""
    if not indicator.updated:
        return ""
    when = long_date(indicator.updated)
    head = f"Correction, {when}" if indicator.correction else f"Updated {when}"
    note = (indicator.update_note or "").strip()
    if not note:
        return f"{head}."
    return f"{head}: {note}" + ("" if note.endswith((".", "?", "!")) else ".")


def note_paragraphs(text: str | None) -> tuple[str, ...]:
    """An editor's notes as paragraphs: split at blank lines, lines within one joined."""
    paragraphs = (" ".join(block.split()) for block in (text or "").split("\n\n"))
    return tuple(paragraph for paragraph in paragraphs if paragraph)


def published_words(indicator: Indicator) -> PublishedWords:
    """The subtitle, notes and update line of an indicator's map."""
    return PublishedWords(
        subtitle=(indicator.subtitle or "").strip(),
        notes=note_paragraphs(indicator.notes),
        updated=updated_line(indicator),
    )
