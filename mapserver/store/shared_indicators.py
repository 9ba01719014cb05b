"""Indicator versions shared by several servers through one database (issue 26).

With MAPSERVER_DATABASE_URL set, the database is where published indicator versions
live. `push` copies a version the local store keeps into it and makes it current there,
in one transaction that also bumps a one-row generation. Each server process polls that
generation (one primary-key read) and, when it moved, `pull`s the versions its own store
lacks, with the same bytes under the same names, and makes its current.json agree; the
watcher then switches to them as it does after a local `mapserver add`. Requests are
still answered from the local store and each worker's memory, never from the database.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from ..core.config import Settings
from ..core.errors import ConfigError, DataError, MapserverError
from .database import Database
from .files import fsync_dir
from .indicator_store import (
    DATA,
    LOG,
    META,
    NATIONAL,
    STAGING,
    changing,
    indicators_root,
    make_current,
    prune,
    read_versions,
)
from .schema import CurrentIndicatorRow, IndicatorGenerationRow, IndicatorVersionRow

# What this store last agreed on with the database, by indicator: a pull leaves alone a
# local version that differs from a database version it has already agreed on (an add
# not pushed yet), and adopts any other.
SYNCED = ".shared.json"


class SharedStoreError(MapserverError):
    """The shared database could not be reached, or is not ready."""


def _shared_error(action: str, error: Exception) -> SharedStoreError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SharedStoreError(f"could not {action} the shared database: {first}")


def _log_text(root: Path, id: str) -> str:
    path = root / id / LOG
    return path.read_text() if path.is_file() else ""


def _version_files(root: Path, id: str, version: str) -> dict[str, bytes]:
    """The files of a kept version, by name, as they are on disk."""
    folder = root / id / version
    return {name: (folder / name).read_bytes() for name in (META, DATA, NATIONAL)
            if (folder / name).is_file()}  # fmt: skip


def _is_kept(root: Path, id: str, version: str) -> bool:
    """Whether that version of the indicator is on disk."""
    return (root / id / version / META).is_file()


def _keep_files(root: Path, id: str, version: str, files: dict[str, bytes], mtime_ns: int) -> None:
    """Write a version's files as given (staged, then renamed), dated `mtime_ns` so that
    versions sort as where they were made. Called under `changing(root)`."""
    folder = root / id
    folder.mkdir(exist_ok=True)
    staging = folder / f"{STAGING}{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        for name, content in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        os.utime(staging, ns=(mtime_ns, mtime_ns))
        target = folder / version
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
        fsync_dir(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def push(database: Database, root: Path, id: str, version: str) -> int:
    """Copy a version kept in the local store into the database and make it current there
    (one transaction); the new generation. SharedStoreError if the database fails."""
    if not _is_kept(root, id, version):
        raise DataError(f"no version {version} of indicator {id} is kept in {root}")
    files = _version_files(root, id, version)
    mtime = (root / id / version).stat().st_mtime_ns
    created = datetime.fromtimestamp(mtime // 1000 / 1e6, UTC)
    log = _log_text(root, id)
    generations = IndicatorGenerationRow.__table__
    try:
        with database.transaction() as session:
            # The generation row first: its row lock queues concurrent pushes one by one.
            generation = session.execute(
                update(generations)
                .where(generations.c.id == 1)
                .values(generation=generations.c.generation + 1)
                .returning(generations.c.generation)
            ).scalar_one()
            row = session.get(IndicatorVersionRow, (id, version))
            if row is None:
                session.add(
                    IndicatorVersionRow(
                        indicator_id=id,
                        version=version,
                        created_at=created,
                        meta=files[META].decode(),
                        observations=files[DATA],
                        national=files.get(NATIONAL),
                        log=log,
                    )
                )
                session.flush()  # the version before the pointer to it
            else:
                row.log = log  # the same content added again: its log says so
            current = session.get(CurrentIndicatorRow, id)
            if current is None:
                session.add(CurrentIndicatorRow(indicator_id=id, version=version))
            else:
                current.version = version
    except SQLAlchemyError as error:
        raise _shared_error(f"push {id} {version} to", error) from error
    with changing(root):
        _replace_json(root / SYNCED, {**_synced(root), id: version})
    return generation


def generation(database: Database) -> int:
    """The shared indicators' generation: it moves whenever a version is pushed."""
    try:
        with database.engine.connect() as connection:
            found = connection.execute(
                select(IndicatorGenerationRow.generation).where(IndicatorGenerationRow.id == 1)
            ).scalar_one()
    except SQLAlchemyError as error:
        raise _shared_error("read", error) from error
    return int(found)


def pull(database: Database, root: Path, keep: int | None = None) -> list[str]:
    """Write the versions the database has and the local store lacks into the local store
    (same bytes, same names) and make the local current.json agree with the database;
    the ids whose current version changed. Indicators the database does not have stay as
    they are, and so does a version kept here and not pushed yet (`mapserver add` writes,
    then pushes: a pull in between must not undo it). `keep`: prune each changed
    indicator's versions to that many."""
    # Under the store's lock throughout: the workers of one server pull one at a time, so
    # the second finds the files the first wrote and fetches nothing.
    with changing(root):
        try:
            with database.transaction() as session:
                shared = _shared_current(session)
                local, synced = read_versions(root), _synced(root)
                # Adopted: what another server published since this store last agreed.
                changed = {
                    id: v
                    for id, (v, _) in shared.items()
                    if local.get(id) != v and synced.get(id) != v
                }
                missing = [(id, v) for id, v in changed.items() if not _is_kept(root, id, v)]
                for row in _rows(session, missing):
                    _keep_files(root, row.indicator_id, row.version, _files(row), _ns(row))
        except SQLAlchemyError as error:
            raise _shared_error("pull from", error) from error
        agreed = {id: v for id, (v, _) in shared.items() if {**local, **changed}.get(id) == v}
        logs = {id: shared[id][1] for id in agreed if _log_text(root, id) != shared[id][1]}
        if changed or logs:
            make_current(root, changed, logs)
        if {**synced, **agreed} != synced:
            _replace_json(root / SYNCED, {**synced, **agreed})
        if keep is not None:
            for id in changed:
                prune(root, id, keep)
    return sorted(changed)


def _shared_current(session) -> dict[str, tuple[str, str]]:
    """Each shared indicator's current version and its log."""
    rows = session.execute(
        select(
            CurrentIndicatorRow.indicator_id,
            CurrentIndicatorRow.version,
            IndicatorVersionRow.log,
        ).join(
            IndicatorVersionRow,
            (IndicatorVersionRow.indicator_id == CurrentIndicatorRow.indicator_id)
            & (IndicatorVersionRow.version == CurrentIndicatorRow.version),
        )
    )
    return {id: (version, log) for id, version, log in rows}


def _synced(root: Path) -> dict[str, str]:
    """The version of each indicator this store last agreed on with the database."""
    try:
        return dict(json.loads((root / SYNCED).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return {}


def _replace_json(path: Path, content: dict) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temp.write_text(json.dumps(content, indent=1) + "\n")
    os.replace(temp, path)


def _rows(session, wanted: list[tuple[str, str]]) -> list[IndicatorVersionRow]:
    if not wanted:
        return []
    key = tuple_(IndicatorVersionRow.indicator_id, IndicatorVersionRow.version)
    return list(session.scalars(select(IndicatorVersionRow).where(key.in_(wanted))))


def _files(row: IndicatorVersionRow) -> dict[str, bytes]:
    files = {META: row.meta.encode(), DATA: row.observations}
    if row.national is not None:
        files[NATIONAL] = row.national
    return files


def _ns(row: IndicatorVersionRow) -> int:
    moment = row.created_at
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def share(settings: Settings, root: Path, id: str, version: str) -> int | None:
    """Push a version just kept, if the settings name a shared database (MAPSERVER_
    DATABASE_URL); the default SQLite file is one server's own and is never opened."""
    if not settings.database_url:
        return None
    database = Database.from_settings(settings)
    try:
        database.ensure_ready()
        return push(database, root, id, version)
    except (SQLAlchemyError, ConfigError, SharedStoreError) as error:
        raise SharedStoreError(
            f"version {version} of {id} is kept in this server's store but not shared with "
            f"the other servers (add it again once the database answers): {error}"
        ) from error
    finally:
        database.dispose()


class Follower:
    """One server process's link to the shared database: it polls the generation and
    pulls when it moved (None when no database is shared: nothing is ever opened)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = indicators_root(settings)
        self.seen: int | None = None  # the generation last pulled
        self._database: Database | None = None
        self._lock = threading.Lock()

    def follow(self) -> list[str] | None:
        """Pull if the generation moved since the last pull: the ids changed, or None if
        it had not moved. SharedStoreError if the database is down or not upgraded."""
        with self._lock:  # the watcher and a start-up pull never overlap
            database = self._open()
            found = generation(database)
            if found == self.seen:
                return None
            changed = pull(database, self.root, self.settings.versions_kept)
            self.seen = found
            return changed

    def _open(self) -> Database:
        if self._database is None:
            self._database = Database.from_settings(self.settings)
        try:
            self._database.ensure_ready()
        except (SQLAlchemyError, ConfigError) as error:
            raise _shared_error("open", error) from error
        return self._database
