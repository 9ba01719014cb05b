"""Images drawn in a child process, so that a drawing never stalls the serving threads.

matplotlib draws in long stretches of C code that hold the GIL: drawn in a thread of
the worker, one image holds up every cached answer of that worker for up to a tenth of
a second at a time. In a child process (mapserver.drawing) it competes only for a core,
and at a lower priority, so the kernel gives the serving threads the CPU first.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading

from ..maps.drawing import READY, receive, send


class RendererError(RuntimeError):
    """The drawing process died or answered nonsense."""


class _Child:
    """One drawing process and its pipes."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mapserver.maps.drawing"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.ready = False

    def _exchange(self, message: object | None) -> object:
        try:
            if not self.ready:
                if receive(self.process.stdout) != READY:
                    raise EOFError("the drawing process did not start")
                self.ready = True
            if message is None:
                return None
            send(self.process.stdin, message)
            return receive(self.process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            self.close()
            raise RendererError(f"the drawing process failed: {error}") from error

    def wait_ready(self) -> None:
        """Block until the child has started (niced, matplotlib imported)."""
        self._exchange(None)

    def draw(self, arguments: dict) -> bytes:
        ok, value = self._exchange(arguments)
        if not ok:
            raise value
        return value

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()


class Renderer:
    """Up to `processes` drawing processes, started on first use in each worker."""

    def __init__(self, processes: int = 1):
        self.processes = max(processes, 1)
        self._pid: int | None = None
        self._idle: queue.Queue[_Child] = queue.Queue()
        self._started = 0
        # Taken only on the way to a build, to start a child: never by a cached answer.
        self._lock = threading.Lock()

    def _take(self) -> _Child:
        with self._lock:
            # Children started before gunicorn forked belong to the parent: start afresh.
            if self._pid != os.getpid():
                self._pid, self._idle, self._started = os.getpid(), queue.Queue(), 0
            if self._idle.empty() and self._started < self.processes:
                self._started += 1
                return _Child()
        return self._idle.get()  # every child is busy: wait for one (builds are bounded)

    def _give_back(self, child: _Child) -> None:
        # A child that died is replaced at once, so no one waits for it in _take.
        self._idle.put(child if child.alive else _Child())

    def start(self) -> None:
        """Start a drawing process now rather than on the first image request."""
        child = self._take()
        try:
            child.wait_ready()
        finally:
            self._give_back(child)

    def render(self, **arguments) -> bytes:
        """image.render_map_image(**arguments), drawn in a child process."""
        child = self._take()
        try:
            return child.draw(arguments)
        finally:
            self._give_back(child)
