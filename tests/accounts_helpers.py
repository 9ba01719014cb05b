"""What the accounts tests share: a clock they move by hand, and a database at head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mapserver import create_app
from mapserver.store.accounts import create_user
from mapserver.store.database import SQLITE_FILE, Database

from .conftest import tiny_config

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


def desk_app(store: Path) -> Iterator:
    """For a fixture: an app on the hand-made data, its desk's database in `store`; its
    connections closed afterwards."""
    made = create_app(tiny_config(store_dir=store, watch_every=0) | {"TESTING": True})
    yield made
    made.extensions["desk"].close()


def store_with_user(store: Path, email: str, password: str, role: str, name: str = "") -> None:
    """Give a store directory its default SQLite database, at head, with one user (for a
    real server started on that store)."""
    db = upgraded(f"sqlite:///{store / SQLITE_FILE}")
    create_user(db, email, password, role, name)
    db.dispose()
