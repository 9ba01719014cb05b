"""What one server process has once, whatever data versions it holds: the response cache,
the front-end bundles, the bounds on builds at once, the drawing process and the
indicators it keeps loaded."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..core.config import Settings
from .bundles import Bundle, build_bundles
from .cache import Entry, ResponseCache
from .renderer import Renderer
from .throttle import BuildSlots, WaitingRoom


@dataclass(frozen=True)
class Worker:
    """The process's resources, shared by every data version it loads."""

    # One cache per app (so per worker), shared by every data version it holds (keys
    # name the version): its memory is bounded however many versions are loaded.
    cache: ResponseCache
    bundles: dict[str, Bundle]
    # Bounds on uncached builds at once in this worker: pages and values, and images.
    builds: BuildSlots
    image_builds: BuildSlots
    renderer: Renderer
    # The indicators' states this process keeps loaded, the last used first to go
    # (MAPSERVER_INDICATORS_IN_MEMORY, however many data versions it holds).
    indicator_states: Recent


class Recent:
    """A bounded map that forgets the entry used least recently."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key):
        """The entry under `key` (now the most recent), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        """Keep `value` under `key`, forgetting the least recent beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def order(self) -> list:
        """The keys kept, least recent first."""
        with self._lock:
            return list(self._items)


def root_cache(cache) -> ResponseCache:
    """The response cache under any scopes."""
    while isinstance(cache, ScopedCache):
        cache = cache.inner
    return cache


class ScopedCache:
    """A response cache's entries under a prefix: a view's keys never meet its base's."""

    def __init__(self, cache: ResponseCache, scope: tuple):
        self.inner = cache
        self.scope = scope

    def __len__(self) -> int:
        return len(self.inner)

    def get(self, key: tuple, build) -> Entry:
        """The inner cache's entry for (scope, key)."""
        return self.inner.get(self.scope + key, build)

    def for_request(self, raw: tuple) -> Entry | None:
        """As ResponseCache.for_request (requests are keyed by their whole URL)."""
        return self.inner.for_request(raw)

    def remember_request(self, raw: tuple, entry: Entry) -> None:
        """As ResponseCache.remember_request."""
        self.inner.remember_request(raw, entry)


# One set of build bounds and one drawing process per worker, shared by every data
# version the worker holds (live.py loads several): a version loaded later must not
# start another drawing process or get bounds of its own.
_BOUNDS: dict[tuple, dict] = {}


def worker_for(settings: Settings, cache: ResponseCache | None = None) -> Worker:
    """The process's resources: the build bounds and drawing process for these settings
    (made once per process), the bundles, and `cache` (a new one if None)."""
    key = (settings.max_builds, settings.max_image_builds, settings.build_queue)
    key += (settings.build_wait, settings.indicators_in_memory)
    bounds = _BOUNDS.get(key)
    if bounds is None:
        room = WaitingRoom(settings.build_queue, settings.build_wait)
        bounds = _BOUNDS[key] = {
            "builds": BuildSlots(settings.max_builds, "page builds", room),
            "image_builds": BuildSlots(settings.max_image_builds, "image builds", room),
            "renderer": Renderer(settings.max_image_builds),
            "bundles": build_bundles(),
            "indicator_states": Recent(settings.indicators_in_memory),
        }
    return Worker(ResponseCache() if cache is None else cache, **bounds)
