"""The key that signs the desk's cookies, when no setting gives one: made once, kept in
the store directory (mode 0600), the same for every worker that reads it after."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

FILE_NAME = "secret_key"


def stored_secret_key(store_root: Path) -> str:
    """The key kept in `store_root/secret_key`, made there first if there is none."""
    path = store_root / FILE_NAME
    if path.exists():
        return path.read_text().strip()
    store_root.mkdir(parents=True, exist_ok=True)
    # Written whole to a private temporary file, then linked into place: link fails if
    # another worker got there first, and then theirs is the key everyone reads.
    handle, staging = tempfile.mkstemp(dir=store_root, prefix=".secret_key.")
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, (secrets.token_urlsafe(48) + "\n").encode("ascii"))
        os.fsync(handle)
        os.close(handle)
        with contextlib.suppress(FileExistsError):
            os.link(staging, path)
    finally:
        os.unlink(staging)
    return path.read_text().strip()
