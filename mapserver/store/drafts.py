"""The desk's drafts: an upload (a file's bytes, or a pasted table) with the description
an editor is writing for it, kept until it is published or dropped. One editor's each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from .database import Database
from .schema import DraftRow

KEPT_FOR = timedelta(days=14)  # an abandoned draft is removed when the next one is made


@dataclass(frozen=True)
class Draft:
    """One draft as kept: whose, when, the upload, its description (a dict, or None
    before the first save), the indicator id it is checked under (None: the file's),
    and whether it is new data for a map already published."""

    id: int
    owner_id: int
    created_at: datetime
    filename: str
    pasted: bool
    content: bytes
    description: dict | None
    indicator_id: str | None
    republish: bool = False


def _draft(row: DraftRow) -> Draft:
    described = None if row.description is None else json.loads(row.description)
    return Draft(
        row.id,
        row.owner_id,
        row.created_at,
        row.filename,
        row.pasted,
        row.content,
        described,
        row.indicator_id,
        row.republish,
    )


def add_draft(
    db: Database,
    owner_id: int,
    filename: str,
    content: bytes,
    pasted: bool = False,
    indicator_id: str | None = None,
    republish: bool = False,
) -> Draft:
    """Keep a new draft (and remove this editor's drafts older than KEPT_FOR)."""
    now = db.clock()
    row = DraftRow(
        owner_id=owner_id,
        created_at=now,
        filename=filename,
        pasted=pasted,
        content=content,
        indicator_id=indicator_id,
        republish=republish,
    )
    with db.transaction() as session:
        stale = (DraftRow.owner_id == owner_id) & (DraftRow.created_at < now - KEPT_FOR)
        session.execute(delete(DraftRow).where(stale))
        session.add(row)
        session.flush()
        return _draft(row)


def get_draft(db: Database, draft_id: int, owner_id: int) -> Draft | None:
    """The draft with this id if it is this editor's; None otherwise (another editor's
    draft is as unknown as a missing one)."""
    with db.transaction() as session:
        row = session.get(DraftRow, draft_id)
        return None if row is None or row.owner_id != owner_id else _draft(row)


def save_description(db: Database, draft_id: int, owner_id: int, description: dict) -> bool:
    """Keep a draft's description (JSON); False if there is no such draft of this editor."""
    with db.transaction() as session:
        row = session.get(DraftRow, draft_id)
        if row is None or row.owner_id != owner_id:
            return False
        row.description = json.dumps(description, ensure_ascii=False, sort_keys=True)
        return True


def drop_draft(db: Database, draft_id: int, owner_id: int) -> None:
    """Remove a draft (once published, or abandoned)."""
    with db.transaction() as session:
        session.execute(
            delete(DraftRow).where((DraftRow.id == draft_id) & (DraftRow.owner_id == owner_id))
        )


def draft_count(db: Database) -> int:
    """How many drafts are kept (every editor's)."""
    with db.transaction() as session:
        return session.query(DraftRow).count()
