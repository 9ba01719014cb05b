"""The data manifest: fetch files from a mirror or their public origin, verify sha256."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sys
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import quote, unquote, urlparse

import requests
from tqdm import tqdm

from ..core.config import Settings
from ..core.digest import CHUNK_SIZE, file_sha256
from ..core.errors import FetchError
from ..core.resources import resource

MANIFEST_PATHS = (resource("boundaries/manifest.toml"), resource("data/manifest.toml"))
PROGRESS_MIN_BYTES = 1 << 20  # a progress bar only for files over 1 MB
HTTP_TIMEOUT = (10, 60)  # seconds to connect, seconds between bytes
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class ManifestEntry:
    """One data file: where it lives in the data dir, its checksum and provenance."""

    path: str
    sha256: str
    size: int
    title: str
    publisher: str
    licence: str
    source: str
    origin: str | None = None


@dataclass
class FetchReport:
    """What a fetch did: files copied or downloaded, and files already in place."""

    fetched: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    data_dir: Path | None = None

    def summary_lines(self) -> list[str]:
        """Lines for people: one per fetched file, then the counts."""
        lines = [f"fetched {path}" for path in self.fetched]
        counts = f"{_files(len(self.fetched))} fetched, {_files(len(self.up_to_date))} up to date"
        lines.append(f"{counts} in {self.data_dir}" if self.data_dir else counts)
        return lines


class _Failure(Exception):
    """Why one file could not be fetched (collected, then raised as one FetchError)."""


def load_manifest(paths: Iterable[Path | str] | None = None) -> list[ManifestEntry]:
    """Read and validate the manifests (default: boundaries/ and data/ manifest.toml)."""
    entries: list[ManifestEntry] = []
    seen: dict[str, Path] = {}
    for manifest in [Path(p) for p in (MANIFEST_PATHS if paths is None else paths)]:
        for entry in _read_manifest(manifest):
            if entry.path in seen:
                raise FetchError(
                    f"{manifest}: {entry.path} is listed twice (also in {seen[entry.path]})"
                )
            seen[entry.path] = manifest
            entries.append(entry)
    return entries


def fetch_all(
    settings: Settings,
    entries: Iterable[ManifestEntry] | None = None,
    progress: bool = False,
) -> FetchReport:
    """Fetch every manifest file missing or wrong in settings.data_dir; raise FetchError."""
    entries = load_manifest() if entries is None else list(entries)
    mirror = _parse_mirror(settings.mirror)
    report = FetchReport(data_dir=settings.fetch_dir)
    failures: list[str] = []
    with requests.Session() as session:
        session.headers["User-Agent"] = "mapserver-fetch"
        for entry in entries:
            target = settings.fetch_dir / entry.path
            if _is_current(target, entry):
                report.up_to_date.append(entry.path)
                continue
            try:
                with _chunks(entry, mirror, session) as chunks:
                    _install(chunks, target, entry, progress)
            except _Failure as failure:
                failures.append(f"{entry.path}: {failure}")
            except requests.RequestException as error:
                failures.append(f"{entry.path}: {_describe_download_error(error)}")
            except OSError as error:
                failures.append(f"{entry.path}: {_describe(error)}")
            else:
                report.fetched.append(entry.path)
    if failures:
        done = f"{_files(len(report.fetched))} fetched, {_files(len(report.up_to_date))} up to date"
        raise FetchError(
            f"could not fetch {_files(len(failures))} ({done}):\n  " + "\n  ".join(failures)
        )
    return report


def verify_data(settings: Settings, entries: Iterable[ManifestEntry] | None = None) -> list[str]:
    """Relative paths of manifest files missing from data_dir or failing their checksum."""
    entries = load_manifest() if entries is None else list(entries)
    return [e.path for e in entries if not _is_current(settings.fetch_dir / e.path, e)]


# --- manifests ------------------------------------------------------------------------

_REQUIRED = {f.name for f in fields(ManifestEntry)} - {"origin"}
_ALLOWED = _REQUIRED | {"origin"}


def _read_manifest(manifest: Path) -> list[ManifestEntry]:
    try:
        with open(manifest, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise FetchError(f"cannot read manifest {manifest}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise FetchError(f"{manifest} is not valid TOML: {error}") from error
    if set(document) != {"file"} or not isinstance(document["file"], list):
        raise FetchError(f"{manifest} must hold only [[file]] tables")
    return [_entry(manifest, number, table) for number, table in enumerate(document["file"], 1)]


def _entry(manifest: Path, number: int, table: dict) -> ManifestEntry:
    where = f"{manifest}, [[file]] number {number}"
    if "path" in table:
        where += f" ({table['path']})"
    missing = sorted(_REQUIRED - set(table))
    if missing:
        raise FetchError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(table) - _ALLOWED)
    if unknown:
        raise FetchError(f"{where}: unknown key {', '.join(unknown)}")
    for key in _ALLOWED - {"size"}:
        if key in table and not (isinstance(table[key], str) and table[key].strip()):
            raise FetchError(f"{where}: {key} must be a non-empty string")
    size = table["size"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise FetchError(f"{where}: size must be a whole number of bytes, not {size!r}")
    if not _SHA256.fullmatch(table["sha256"]):
        raise FetchError(f"{where}: sha256 must be 64 lowercase hex digits")
    parts = PurePosixPath(table["path"]).parts
    if (
        "\\" in table["path"]
        or table["path"].startswith("/")
        or not parts
        or any(part in ("..", ".") for part in parts)
    ):
        raise FetchError(f"{where}: path must be relative, with no '..', like 'cases/x.csv'")
    origin = table.get("origin")
    if origin is not None and urlparse(origin).scheme not in ("http", "https"):
        raise FetchError(f"{where}: origin must be an http(s) URL")
    return ManifestEntry(**table)


# --- fetching -------------------------------------------------------------------------


def _parse_mirror(mirror: str | None) -> str | Path | None:
    """None (use origins), an http(s) base URL, or a local directory."""
    if not mirror:
        return None
    if mirror.startswith(("http://", "https://")):
        return mirror.rstrip("/")
    if mirror.startswith("file://"):
        parsed = urlparse(mirror)
        if parsed.netloc not in ("", "localhost"):
            raise FetchError(f"mirror {mirror}: only file:///path or file://localhost/path")
        return Path(unquote(parsed.path))
    if _SCHEME.match(mirror):
        raise FetchError(f"mirror {mirror}: use a directory, a file:// URL or an http(s):// URL")
    return Path(mirror).expanduser()


@contextmanager
def _chunks(
    entry: ManifestEntry, mirror: str | Path | None, session: requests.Session
) -> Iterator[Iterator[bytes]]:
    """The file's bytes, in chunks, from the mirror or the entry's origin."""
    if isinstance(mirror, Path):
        source = mirror / entry.path
        if not source.is_file():
            raise _Failure(f"missing in mirror ({source} does not exist)")
        with open(source, "rb") as handle:
            yield _read_chunks(handle)
        return
    if mirror is None:
        if entry.origin is None:
            raise _Failure(
                "no public origin for this derived file; set MAPSERVER_MIRROR (or --mirror) "
                "to a directory or http(s) URL that holds it"
            )
        url = entry.origin
    else:
        url = f"{mirror}/{quote(entry.path)}"
    with session.get(url, stream=True, timeout=HTTP_TIMEOUT) as response:
        if response.status_code == 404 and mirror is not None:
            raise _Failure(f"missing in mirror (HTTP 404 from {url})")
        if response.status_code != 200:
            raise _Failure(f"HTTP {response.status_code} {response.reason} from {url}")
        yield response.iter_content(CHUNK_SIZE)


def _read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_SIZE):
        yield chunk


def _install(chunks: Iterator[bytes], target: Path, entry: ManifestEntry, progress: bool) -> None:
    """Write chunks to a temporary file beside target, check sha256, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp, handle = _open_temp(target)
    try:
        digest = hashlib.sha256()
        size = 0
        with (
            handle,
            tqdm(
                total=entry.size,
                desc=entry.path,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                disable=None if progress and entry.size > PROGRESS_MIN_BYTES else True,
            ) as bar,
        ):
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                bar.update(len(chunk))
            handle.flush()
            os.fsync(handle.fileno())
        if digest.hexdigest() != entry.sha256:
            raise _Failure(
                f"checksum mismatch: expected sha256 {entry.sha256}, got {digest.hexdigest()} "
                f"({size} bytes, expected {entry.size})"
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _open_temp(target: Path) -> tuple[Path, BinaryIO]:
    """A new, exclusive temporary file in target's directory (mode from the umask)."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        return temp, os.fdopen(descriptor, "wb")
    raise FileExistsError(f"no free temporary name beside {target}")


def _is_current(target: Path, entry: ManifestEntry) -> bool:
    """True if target is a file of the expected size and sha256."""
    try:
        if not target.is_file() or target.stat().st_size != entry.size:
            return False
        return file_sha256(target) == entry.sha256
    except OSError:
        return False


def _describe_download_error(error: requests.RequestException) -> str:
    """One readable line for a requests error (they nest urllib3's long messages)."""
    reason = error.args[0] if error.args else error
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    text = str(reason).split("): ", 1)[-1]  # drop the "HTTPSConnectionPool(host=...)" prefix
    url = error.request.url if error.request is not None else None
    return f"download failed: {text}" + (f" ({url})" if url else "")


def _describe(error: OSError) -> str:
    if error.strerror and error.filename:
        return f"{error.strerror}: {error.filename}"
    return error.strerror or str(error)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"
