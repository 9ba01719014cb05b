"""What both stores do on disk: make a rename durable, and hold a store's lock."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries, so that a rename into it survives a crash."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def exclusive(lock: Path, stale: Iterable[Path] = ()) -> Iterator[None]:
    """Hold the lock file `lock`: one change at a time. Under it no other change runs, so
    the `stale` staging folders (a glob, read once the lock is held) are a crash's."""
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for entry in stale:
                shutil.rmtree(entry, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
