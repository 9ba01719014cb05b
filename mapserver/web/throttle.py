"""A bound on uncached builds at once: past it, answer 503 at once rather than queue.

Each gunicorn worker serves from a few threads. A build (a page, a values file, an
image) holds one of them for milliseconds to most of a second; cached responses take
well under a millisecond. Were builds allowed to take every thread, cached requests
would wait in the worker's queue behind them, so a flood of distinct uncached URLs
would slow down every reader. A bounded number of build slots, taken without waiting,
keeps threads free for cached requests; a request that finds no slot free is told to
come back shortly (503 with Retry-After).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

RETRY_AFTER = 1  # seconds: about as long as the slowest build takes


class Busy(Exception):
    """Every build slot is taken: the request should be retried after `retry_after` s."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER):
        super().__init__(message)
        self.retry_after = retry_after


class BuildSlots:
    """At most `limit` builds at once (no bound when limit is 0); never waits for a slot."""

    def __init__(self, limit: int, what: str = "builds"):
        self.limit = limit
        self.what = what
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def bounded(self, build: Callable[[], T]) -> Callable[[], T]:
        """`build`, made to take a slot while it runs or raise Busy if none is free."""

        @functools.wraps(build)
        def run() -> T:
            if self._slots is None:
                return build()
            if not self._slots.acquire(blocking=False):
                raise Busy(
                    f"the server is busy with {self.limit} other {self.what}; "
                    f"try again in {RETRY_AFTER} s"
                )
            try:
                return build()
            finally:
                self._slots.release()

        return run
