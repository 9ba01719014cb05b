"""The data versions one server process holds, and the watcher that switches them live.

Each process (each gunicorn worker, after the fork) watches the store's `current`
pointer in a thread. When it names a new version, the thread loads it (requests carry
on with the old one meanwhile) and swaps one reference: requests that started keep the
state they started with, later ones get the new one. The last few states stay in memory
so pages built from them still find their values; older versions are loaded from the
store on demand. The loading function is given by the caller, so this module knows
nothing of Flask. With a shared database (MAPSERVER_DATABASE_URL) each check first pulls
the indicator versions other servers published into the local store
(store/shared_indicators.py), so they switch like a local `mapserver add`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar

from ..core.config import Settings
from ..core.errors import MapserverError
from ..store.versions import VersionStore, current_settings

log = logging.getLogger(__name__)

State = TypeVar("State")


def _now() -> datetime:
    return datetime.now(UTC)


def _follower(settings: Settings):
    """A follower of the shared database if MAPSERVER_DATABASE_URL is set, else None."""
    if not settings.database_url:
        return None  # (and no SQLAlchemy: a server on its own store never loads it)
    from ..store.shared_indicators import Follower

    return Follower(settings)


class Registry(Generic[State]):
    """The current state, a few recent ones, and pinned ones loaded on demand."""

    def __init__(
        self,
        settings: Settings,
        load: Callable[[Settings], State],
        name_of,
        prepare: Callable[[State], None] | None = None,
        refresh: Callable[[State], State | None] | None = None,
        settle: Callable[[State], None] | None = None,
    ):
        self.settings = settings
        self.store = VersionStore(settings.store_root)
        self._load = load
        self._name_of = name_of  # state -> its data version
        # Run on a new current state before the switch, off the request path.
        self._prepare = prepare
        # A state with the store's current indicators, or None if they have not changed
        # (indicator_store.py: `mapserver add` switches them, as `update` switches data).
        self._refresh = refresh
        # Run on a state just switched to, in the watcher thread: what need not delay the
        # switch (a reader asking first does their part of it).
        self._settle = settle
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self._kept: OrderedDict[str, State] = OrderedDict()
        self._failed: str | None = None
        self._watcher_pid: int | None = None
        self._pinned: set[str] = set()
        # With a shared database (MAPSERVER_DATABASE_URL), the indicator versions other
        # servers published: pulled before the first load, so that a server starting on
        # an empty disk serves them from its first request, then whenever they change.
        self._follower = _follower(settings)
        self.follow_error: str | None = None
        self.follow()
        self.current: State = load(current_settings(settings))
        self.loaded_at = _now()
        self.checked_at = self.loaded_at
        self.last_error: str | None = None
        self.update_checked_at: datetime | None = None
        self.update_result: str | None = None

    @property
    def current_version(self) -> str:
        """The data version served by default."""
        return self._name_of(self.current)

    def kept(self) -> list[str]:
        """Versions in memory, then the others the store holds (newest first)."""
        in_memory = [self.current_version, *reversed(self._kept)]
        on_disk = [v.name for v in reversed(self.store.versions()) if v.name not in in_memory]
        return in_memory + on_disk

    def loaded(self) -> list[State]:
        """The states in memory, the current one first."""
        with self._lock:
            return [self.current, *reversed(self._kept.values())]

    # --- versions by name ---------------------------------------------------------------

    def get(self, name: str) -> State | None:
        """The state for a data version: in memory, or loaded from the store; None if unknown."""
        current = self.current
        if name == self._name_of(current):
            return current
        with self._lock:
            found = self._kept.get(name)
            if found is not None:
                self._kept.move_to_end(name)
                return found
        version = self.store.get(name)
        if version is None:
            return None
        with self._lock:
            loading = self._loading.setdefault(name, threading.Lock())
        with loading:  # one load per version, however many requests ask at once
            with self._lock:
                found = self._kept.get(name)
            if found is None:
                found = self._load(version.settings(self.settings))
                self._remember(found)
        return found

    def _remember(self, state: State) -> None:
        """Keep a state in memory, dropping the least recently used beyond the setting."""
        with self._lock:
            self._kept[self._name_of(state)] = state
            self._kept.move_to_end(self._name_of(state))
            # The current state counts as one of the versions in memory.
            while self._kept and len(self._kept) > max(0, self.settings.versions_in_memory - 1):
                self._kept.popitem(last=False)

    def pin(self, name: str, indicator: bool = False) -> None:
        """Record (once per process) that a pinned embed uses `name`, so it is never pruned
        (`indicator`: an indicator's version, which the caller found kept)."""
        if name in self._pinned or (not indicator and self.store.get(name) is None):
            return  # already pinned, or not stored yet (the next request tries again)
        try:
            self.store.pin(name)
        except OSError as error:  # a read-only store still serves
            log.warning("could not pin data version %s: %s", name, error)
        self._pinned.add(name)

    # --- switching ----------------------------------------------------------------------

    def follow(self) -> list[str]:
        """Pull the indicator versions published through the shared database, if any are
        new; the ids pulled. A database that is down is logged once, and the store keeps
        the last versions pulled: the next check tries again."""
        if self._follower is None:
            return []
        try:
            changed = self._follower.follow()
        # The database down or not upgraded (SharedStoreError), a store that cannot be
        # written: the server goes on with what it has.
        except (MapserverError, OSError) as error:
            if self.follow_error is None:  # once, not every second while it is down
                log.error("%s; serving the indicators last pulled", error)
            self.follow_error = str(error)
            return []
        if self.follow_error is not None:
            log.info("the shared database answers again")
            self.follow_error = None
        if changed:
            log.info("pulled the shared indicators %s", ", ".join(changed))
        return changed or []

    def check(self) -> bool:
        """Pull what other servers published, then switch to the version the pointer names
        and to the current indicators, if they are new (loaded before the switch); True if
        switched."""
        self.follow()
        switched = self._check_version()
        return self.check_indicators(prepare=True) or switched

    def check_indicators(self, prepare: bool = False) -> bool:
        """Switch to the store's current indicator versions, if they are new."""
        if self._refresh is None:
            return False
        current = self.current
        try:
            fresh = self._refresh(current)
        except Exception as error:  # a bad manifest must not stop the server
            self.last_error = f"the indicators could not be read: {error}"
            log.error("%s", self.last_error)
            return False
        if fresh is None:
            return False
        if prepare and self._prepare is not None:
            self._prepare(fresh)
        with self._lock:
            if self.current is not current:  # switched meanwhile: look again next time
                return False
            self.current = fresh
        self.loaded_at = _now()
        log.info("now serving the indicators of data version %s", self._name_of(fresh))
        if prepare:
            self._settled(fresh)
        return True

    def _settled(self, state: State) -> None:
        if self._settle is not None:
            try:
                self._settle(state)
            except Exception:  # the switch is done: a failure here costs only speed
                log.exception("settling data version %s failed", self._name_of(state))

    def _check_version(self) -> bool:
        """Load and switch to the version the pointer names, if it is new; True if switched."""
        self.checked_at = _now()
        try:
            name = self.store.current_name()
        except OSError as error:
            self.last_error = f"could not read {self.store.pointer}: {error}"
            return False
        if name is None or name == self.current_version or name == self._failed:
            return False
        try:
            state = self.get(name)
        except Exception as error:  # a bad version must not stop the server
            self._failed = name
            self.last_error = f"data version {name} could not be loaded: {error}"
            log.error("%s", self.last_error)
            return False
        if state is None:
            self._failed = name
            self.last_error = f"{self.store.pointer} names {name}, which is not in the store"
            return False
        if self._prepare is not None:
            self._prepare(state)
        with self._lock:
            previous, self.current = self.current, state
            self._kept.pop(name, None)
        self._remember(previous)
        self.loaded_at = _now()
        self.last_error = None
        log.info("now serving data version %s", name)
        self._settled(state)
        return True

    def ensure_watching(self) -> None:
        """Start this process's watcher thread (again after a fork: threads do not survive)."""
        if self.settings.watch_every <= 0 or self._watcher_pid == os.getpid():
            return
        with self._lock:
            if self._watcher_pid == os.getpid():
                return
            self._watcher_pid = os.getpid()
        reference = weakref.ref(self)
        threading.Thread(
            target=_watch,
            args=(reference, self.settings.watch_every),
            name="data-watch",
            daemon=True,
        ).start()
        if self.settings.update_url and self.settings.update_every > 0:
            threading.Thread(
                target=_poll_source, args=(reference, self.settings), name="data-poll", daemon=True
            ).start()


def _watch(reference: weakref.ref, every: float) -> None:
    """Check the pointer every `every` seconds while the registry lives."""
    while True:
        time.sleep(every)
        registry = reference()
        if registry is None:
            return
        try:
            registry.check()
        except Exception:  # keep watching whatever happens
            log.exception("data watch failed")
        del registry


def _poll_source(reference: weakref.ref, settings: Settings) -> None:
    """Run `mapserver update` from MAPSERVER_UPDATE_URL: in one process of the server only."""
    from .covid import update

    store = VersionStore(settings.store_root)
    store.root.mkdir(parents=True, exist_ok=True)
    # The lock is held for the life of the process: one poller per server.
    with open(store.root / ".poller", "w") as holder:
        try:
            fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # another worker polls
        while (registry := reference()) is not None:
            try:
                result = update(settings, {"cases": settings.update_url})
                registry.update_result = "; ".join(result.lines()[:2])
            except MapserverError as error:
                registry.update_result = f"refused: {error}"
                log.warning("update from %s refused: %s", settings.update_url, error)
            except Exception as error:
                registry.update_result = f"failed: {error}"
                log.exception("update from %s failed", settings.update_url)
            registry.update_checked_at = _now()
            del registry
            time.sleep(settings.update_every)
