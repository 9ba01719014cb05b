"""The sha256 of a file, for checksums and data versions."""

from __future__ import annotations

import gzip
import hashlib
import lzma
from pathlib import Path

CHUNK_SIZE = 1 << 20
# Compressed files whose content, not their bytes, names a data version.
DECOMPRESSORS = {".xz": lzma.open, ".gz": gzip.open}


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    return _sha256(path, open)


def content_sha256(path: Path) -> str:
    """The sha256 of a file's content: decompressed first if it is .xz or .gz.

    A data version is named by what its files say, so a CSV and the same CSV compressed
    (as the built-in set and the version store keep them) name the same version.
    """
    return _sha256(path, DECOMPRESSORS.get(Path(path).suffix.lower(), open))


def _sha256(path: Path, opener) -> str:
    digest = hashlib.sha256()
    with opener(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def data_version(paths: list[Path]) -> str:
    """A short hash naming this exact set of input files (their content, decompressed)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(content_sha256(path).encode())
    return digest.hexdigest()[:12]
