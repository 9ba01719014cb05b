"""The maps published from the desk: who published which indicator, when, and whether
it has been withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..core.errors import MapserverError
from .database import Database
from .schema import PublishedMapRow


class UnknownMap(MapserverError):
    """No published map has this id."""


@dataclass(frozen=True)
class PublishedMap:
    """One published map's row."""

    id: int
    indicator_id: str
    editor_id: int
    title: str
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None

    @property
    def live(self) -> bool:
        """True unless withdrawn."""
        return self.withdrawn_at is None


def _map(row: PublishedMapRow) -> PublishedMap:
    return PublishedMap(
        row.id,
        row.indicator_id,
        row.editor_id,
        row.title,
        row.created_at,
        row.updated_at,
        row.withdrawn_at,
    )


def add_map(db: Database, editor_id: int, indicator_id: str, title: str) -> PublishedMap:
    """Record a newly published map."""
    now = db.clock()
    row = PublishedMapRow(
        indicator_id=indicator_id, editor_id=editor_id, title=title, created_at=now, updated_at=now
    )
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return _map(row)


def get_map(db: Database, map_id: int) -> PublishedMap | None:
    """The map with this id, or None."""
    with db.transaction() as session:
        row = session.get(PublishedMapRow, map_id)
        return None if row is None else _map(row)


def maps_of(db: Database, editor_id: int, withdrawn: bool = True) -> list[PublishedMap]:
    """One editor's maps, the most recently updated first (`withdrawn=False`: live only)."""
    query = select(PublishedMapRow).where(PublishedMapRow.editor_id == editor_id)
    if not withdrawn:
        query = query.where(PublishedMapRow.withdrawn_at.is_(None))
    query = query.order_by(PublishedMapRow.updated_at.desc(), PublishedMapRow.id.desc())
    with db.transaction() as session:
        return [_map(row) for row in session.scalars(query)]


def _change(db: Database, map_id: int, **values) -> PublishedMap:
    with db.transaction() as session:
        row = session.get(PublishedMapRow, map_id)
        if row is None:
            raise UnknownMap(f"no published map {map_id}")
        for name, value in values.items():
            setattr(row, name, value)
        return _map(row)


def republish(db: Database, map_id: int, title: str | None = None) -> PublishedMap:
    """Mark a map updated now (live again if it was withdrawn), with a new title if given."""
    values = {"updated_at": db.clock(), "withdrawn_at": None}
    return _change(db, map_id, **values, **({"title": title} if title is not None else {}))


def withdraw(db: Database, map_id: int) -> PublishedMap:
    """Mark a map withdrawn now."""
    now = db.clock()
    return _change(db, map_id, withdrawn_at=now, updated_at=now)
