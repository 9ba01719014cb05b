"""What one server process has once, whatever data versions it holds: the response cache,
the front-end bundles, the bounds on builds at once and the drawing process."""

from __future__ import annotations

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
    key += (settings.build_wait,)
    bounds = _BOUNDS.get(key)
    if bounds is None:
        room = WaitingRoom(settings.build_queue, settings.build_wait)
        bounds = _BOUNDS[key] = {
            "builds": BuildSlots(settings.max_builds, "page builds", room),
            "image_builds": BuildSlots(settings.max_image_builds, "image builds", room),
            "renderer": Renderer(settings.max_image_builds),
            "bundles": build_bundles(),
        }
    return Worker(ResponseCache() if cache is None else cache, **bounds)
