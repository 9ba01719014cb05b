"""The audit log: who did what at the desk, to which indicator and version, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .database import Database
from .schema import AuditRow

# What the desk records; others may be added without a migration (the column is text).
ACTIONS = ("published", "republished", "withdrew", "user-created", "user-stopped", "signed-in")


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log (id and at are None until it is recorded)."""

    action: str
    user_id: int | None = None
    indicator_id: str | None = None
    version: str | None = None
    note: str = ""
    at: datetime | None = None
    id: int | None = None


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.action, row.user_id, row.indicator_id, row.version, row.note, row.at, row.id
    )


def record(db: Database, entry: AuditEntry) -> AuditEntry:
    """Write an entry, stamped now (or at its own `at`); the entry as kept."""
    row = AuditRow(
        at=entry.at or db.clock(),
        user_id=entry.user_id,
        action=entry.action,
        indicator_id=entry.indicator_id,
        version=entry.version,
        note=entry.note,
    )
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return _entry(row)


def audit_entries(
    db: Database, indicator_id: str | None = None, user_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The newest entries first, of one indicator or one user if asked."""
    query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    if indicator_id is not None:
        query = query.where(AuditRow.indicator_id == indicator_id)
    if user_id is not None:
        query = query.where(AuditRow.user_id == user_id)
    with db.transaction() as session:
        return [_entry(row) for row in session.scalars(query)]
