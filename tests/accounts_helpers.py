"""What the accounts tests share: a clock they move by hand, and a database at head."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mapserver.store.database import Database

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def upgraded(url: str, clock: Clock | None = None) -> Database:
    """The database at `url`, upgraded to the newest revision."""
    db = Database(url, clock=clock or Clock())
    db.upgrade()
    return db
