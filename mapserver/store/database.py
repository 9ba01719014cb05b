"""The accounts database: its URL from the settings, an engine and a session factory, and
its migrations (Alembic, packaged in store/migrations) run from code."""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..core.config import Settings
from ..core.errors import ConfigError
from .files import exclusive

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "mapserver.sqlite3"


def utc_now() -> datetime:
    """Now, in UTC (aware): the default clock."""
    return datetime.now(UTC)


def database_url(settings: Settings) -> str:
    """MAPSERVER_DATABASE_URL, or the SQLite file in the store directory."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{settings.store_root / SQLITE_FILE}"


def _sqlite_pragmas(connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers go on while one worker
    # writes; the busy timeout makes a second writer wait instead of failing at once.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _forget_pool(database: weakref.ref) -> None:
    found = database()
    if found is not None:
        found.engine.dispose(close=False)  # the parent's connections stay the parent's


class Database:
    """An engine and its session factory, for one database URL."""

    def __init__(self, url: str, clock: Callable[[], datetime] = utc_now):
        self.url = url
        self.clock = clock
        self.engine: Engine = create_engine(url, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False
        self._lock = threading.Lock()
        # gunicorn forks workers after the app is built: a child must not share the
        # parent's pooled connections (SQLAlchemy's advice for multiprocessing).
        os.register_at_fork(after_in_child=functools.partial(_forget_pool, weakref.ref(self)))

    @classmethod
    def from_settings(cls, settings: Settings, **options) -> Database:
        """The database the settings name."""
        return cls(database_url(settings), **options)

    @property
    def is_sqlite(self) -> bool:
        """True for a SQLite file (or memory) database."""
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, if this is one."""
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database not in (None, "", ":memory:") else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on an error."""
        with self.sessions.begin() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic's `upgrade head`)."""
        from alembic import command

        if self.sqlite_path is not None:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            # One process migrates at a time (gunicorn workers may all start at once).
            with exclusive(self.sqlite_path.with_name(self.sqlite_path.name + ".lock")):
                command.upgrade(self._alembic_config(), "head")
        else:
            command.upgrade(self._alembic_config(), "head")

    def upgrade_to(self, revision: str) -> None:
        """Upgrade to one revision, not the newest (migration tests start from each)."""
        from alembic import command

        command.upgrade(self._alembic_config(), revision)

    def revision(self) -> str | None:
        """The schema's current revision (None: an empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str:
        """The newest revision the packaged migrations know."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def ensure_ready(self) -> None:
        """Once per process: upgrade the default SQLite file, or check that the database
        MAPSERVER_DATABASE_URL names has been upgraded (`mapserver db upgrade`)."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if self.sqlite_path is not None:
                self.upgrade()
            elif self.revision() != self.head():
                raise ConfigError(
                    f"the accounts database is at revision {self.revision()}, not "
                    f"{self.head()}: run `mapserver db upgrade`"
                )
            self._ready = True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def _alembic_config(self):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = self.engine
        return config
