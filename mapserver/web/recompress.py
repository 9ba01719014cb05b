"""Brotli at its best quality for large bodies, compressed off the request path.

At quality 11 a region's geometry is 13% smaller than at quality 5, but the compression
takes 40 times as long (about 44 ms against 1 ms for 32 KB): the first reader of each
region, after each daily update, waited for it. A large entry is answered with quality
5; once it has been sent a second time, it is handed to one thread per process, which
compresses it again at 11 and swaps the bytes in (brotli releases the GIL meanwhile, so
requests carry on). The content is the same, and so is its ETag; later requests get the
smaller bytes. An entry sent once (a rarely asked week, a region no reader opened since
an update, everything a worker warms and nobody asks for) never costs the 40-fold CPU.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque

import brotli

log = logging.getLogger(__name__)

BEST = 11
FIRST = 5  # quality of the bytes answered until the best are ready
LARGE = 16 * 1024  # bytes: smaller bodies take a few ms at 11, done at once
SENT_BEFORE_BEST = 2  # times a large entry's brotli bytes are sent before it gets 11


class Recompressor:
    """A queue of entries and the thread that gives each its best brotli bytes."""

    def __init__(self):
        self._pending: deque = deque()
        self._reset()
        # A gunicorn worker is forked from a master that may have queued entries: the
        # thread (and any lock it held) is not forked with it, so the child starts anew.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._changed = threading.Condition()
        self._outstanding = len(self._pending)  # (one being compressed in the parent is lost)
        self._thread: threading.Thread | None = None
        if self._pending:
            self._start()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="brotli", daemon=True)
            self._thread.start()

    def sent(self, entry) -> None:
        """Count one more response with the entry's first brotli bytes; queue it for the
        best quality when that makes SENT_BEFORE_BEST."""
        with self._changed:
            entry.times_sent += 1
            if entry.times_sent != SENT_BEFORE_BEST:
                return
        self.submit(entry)

    def submit(self, entry) -> None:
        """Recompress the entry's body at the best quality, then swap its bytes in."""
        with self._changed:
            self._pending.append(entry)
            self._outstanding += 1
            self._start()
            self._changed.notify_all()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every entry submitted so far has its best bytes (True), or timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._outstanding == 0, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending)
                entry = self._pending.popleft()
            try:
                entry.improve(brotli.compress(entry.body, quality=BEST))
            except Exception:  # (the entry keeps its first bytes; the thread carries on)
                log.exception("brotli at quality %s failed", BEST)
            finally:
                with self._changed:
                    self._outstanding -= 1
                    self._changed.notify_all()


RECOMPRESSOR = Recompressor()
