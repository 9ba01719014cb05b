"""A bound on uncached builds at once, with a short, bounded wait for a slot.

Each gunicorn worker serves from a pool of threads. A build (a page, a values file, an
image) holds one of them for milliseconds to most of a second; cached responses take
well under a millisecond. Were builds allowed to take every thread, cached requests
would wait in the worker's queue behind them, so a flood of distinct uncached URLs
would slow down every reader. So builds take one of a few slots.

A request that finds every slot taken waits for one, but only briefly (`wait`
seconds) and only while a bounded number of requests wait (the waiting room, shared by
every kind of build). A wait costs no CPU, and it does two jobs: a burst of distinct
pages (every live embed asking for the new data at once after an update) is built in
turn instead of refused, and a client that floods uncached URLs is slowed to the pace
of the builds instead of being refused at once, again and again, at the cost of the
CPU that cached answers need. Past the waiting room, or after the wait, the request
is told to come back shortly (503 with Retry-After): never a queue without limit.
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


class WaitingRoom:
    """At most `seats` requests at once wait up to `wait` seconds for a build slot."""

    def __init__(self, seats: int = 0, wait: float = 0.0):
        self.seats = seats
        self.wait = wait
        self._seats = threading.BoundedSemaphore(seats) if seats > 0 and wait > 0 else None
        self._lock = threading.Lock()
        self.waiting = 0  # how many requests wait now

    def _count(self, change: int) -> None:
        with self._lock:
            self.waiting += change

    def wait_for(self, slots: threading.Semaphore) -> bool:
        """Take one of `slots` within the wait, if a seat is free; False if not."""
        if self._seats is None or not self._seats.acquire(blocking=False):
            return False
        self._count(+1)
        try:
            return slots.acquire(timeout=self.wait)
        finally:
            self._count(-1)
            self._seats.release()


NO_WAITING = WaitingRoom()


class BuildSlots:
    """At most `limit` builds at once (no bound when limit is 0); a short wait past it."""

    def __init__(self, limit: int, what: str = "builds", room: WaitingRoom = NO_WAITING):
        self.limit = limit
        self.what = what
        self.room = room
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def bounded(self, build: Callable[[], T]) -> Callable[[], T]:
        """`build`, made to take a slot while it runs or raise Busy if none comes free."""

        @functools.wraps(build)
        def run() -> T:
            if self._slots is None:
                return build()
            if not self._slots.acquire(blocking=False) and not self.room.wait_for(self._slots):
                raise Busy(
                    f"the server is busy with {self.limit} other {self.what}; "
                    f"try again in {RETRY_AFTER} s"
                )
            try:
                return build()
            finally:
                self._slots.release()

        return run
