"""Indicators on disk: what `mapserver add` keeps, and how the server reads them.

Each addition is a version, named by the hash of its content, as the Covid data's are
(versions.py). Layout under the store root:

    indicators/<id>/<version>/indicator.json       what it measures
    indicators/<id>/<version>/observations.csv.xz  the checked observations
    indicators/<id>/<version>/national.csv.xz      the file's country figures, if any
    indicators/<id>/added.log                      each addition: when, from what file,
                                                   what was set aside, outliers accepted
    indicators/current.json                        the current version of each indicator

A version is written to a staging directory and renamed to its hash only when complete;
`current.json` is then replaced atomically (temporary file, fsync, os.replace), so every
reader sees either the old set of versions or the new one. Old versions beyond
MAPSERVER_VERSIONS_KEPT are removed, never a current or pinned one (`pins/<version>`).
A store written before versions (indicators/<id>/indicator.json) is still read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.config import Settings
from ..core.errors import DataError, UnknownIndicator, UnknownVersion
from ..ingest.formats import COLUMNS
from ..ingest.indicator import COVID_ID, Indicator, periods
from ..ingest.periods import Period
from .files import exclusive, fsync_dir

FOLDER = "indicators"
META = "indicator.json"
DATA = "observations.csv.xz"
NATIONAL = "national.csv.xz"
LOG = "added.log"
MANIFEST = "current.json"
PINS = "pins"
STAGING = ".staging-"
LEGACY = "legacy@"  # an indicator kept before versions: its folder, by modification time
PERIODS = "periods"  # in indicator.json, beside the indicator's own fields
VERSION = re.compile(r"^[0-9a-f]{12}$")
XZ_PRESET = 1  # as the version store: fast, and still about a tenth of the CSV


@dataclass(frozen=True)
class StoredIndicator:
    """An indicator and its observations, as kept."""

    indicator: Indicator
    frame: pd.DataFrame
    national: pd.DataFrame | None = None  # the file's country figures, where it has them
    log: tuple[str, ...] = ()  # the lines of added.log, oldest first


@dataclass(frozen=True)
class Listed:
    """What lists of indicators show of one version: its indicator.json alone."""

    indicator: Indicator
    periods: tuple[Period, ...]  # newest first
    version: str  # the content version (what `v=` pins)


def indicators_root(settings: Settings) -> Path:
    """Where indicators are kept: <store root>/indicators."""
    return Path(settings.store_root) / FOLDER


def write(root: Path, stored: StoredIndicator, keep: int | None = None) -> str:
    """Keep an indicator as a version (named by its content) and make it current.

    `keep`: prune the indicator's versions to that many (never a current or pinned one).
    Returns the version's name.
    """
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        _migrate(root)
        id = stored.indicator.id
        folder = root / id
        folder.mkdir(exist_ok=True)
        version = content_version(stored)
        if not (folder / version / META).is_file():
            _write_version(folder, version, stored)
        _replace_text(folder / LOG, "".join(f"{line}\n" for line in stored.log))
        versions = read_versions(root)
        versions[id] = version
        _replace_text(root / MANIFEST, json.dumps({"indicators": versions}, indent=1) + "\n")
        if keep is not None:
            prune(root, id, keep)
    return version


def _write_version(folder: Path, version: str, stored: StoredIndicator) -> None:
    staging = folder / f".staging-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        (staging / META).write_text(json.dumps(_meta(stored), indent=1) + "\n")
        _write_frame(stored.frame, staging / DATA)
        if stored.national is not None and len(stored.national):
            _write_frame(stored.national, staging / NATIONAL)
        for item in staging.iterdir():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        target = folder / version
        if target.exists():  # an incomplete directory cannot be there: a leftover
            shutil.rmtree(target)
        os.rename(staging, target)
        fsync_dir(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _meta(stored: StoredIndicator) -> dict:
    """indicator.json: the indicator, and its periods (newest first) for the lists of
    indicators, which then need not read the observations."""
    found = periods(stored.frame, stored.indicator.window)
    listed = [
        {"key": p.key, "start": f"{p.start:%Y-%m-%d}", "end": f"{p.end:%Y-%m-%d}"}
        | {"label": p.label, "kind": p.kind}
        for p in found
    ]
    return {**stored.indicator.to_dict(), PERIODS: listed}


def _read_meta(path: Path) -> tuple[Indicator, tuple[Period, ...] | None]:
    """An indicator.json: the indicator, and its periods (None if written before them)."""
    meta = json.loads(path.read_text())
    listed = meta.pop(PERIODS, None)
    if listed is not None:
        listed = tuple(
            Period(p["key"], *map(pd.Timestamp, (p["start"], p["end"])), p["label"], p["kind"])
            for p in listed
        )
    return Indicator(**meta), listed


def _replace_text(path: Path, text: str) -> None:
    """Write a small file atomically: temporary file, fsync, os.replace."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with open(temp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One `add` at a time in a store; stale staging directories are removed."""
    with exclusive(root / ".lock", root.glob(f"*/{STAGING}*")):
        yield


@contextmanager
def changing(root: Path) -> Iterator[None]:
    """Hold the store's lock (as `write` does), with a store kept before versions migrated:
    for a change made from outside, such as a pull from the shared database."""
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        _migrate(root)
        yield


def make_current(root: Path, changes: dict[str, str], logs: dict[str, str]) -> None:
    """Make these indicators' versions current, with their logs (the others stay as they
    are): one atomic replacement of current.json. Call it under `changing(root)`."""
    for id, log in logs.items():
        _replace_text(root / id / LOG, log)
    versions = {**read_versions(root), **changes}
    _replace_text(root / MANIFEST, json.dumps({"indicators": versions}, indent=1) + "\n")


def _migrate(root: Path) -> None:
    """Make the indicators of a store written before versions into versions."""
    if (root / MANIFEST).exists():
        return
    versions = {}
    for folder in _legacy_folders(root):
        stored = load(folder)
        version = content_version(stored)
        _write_version(folder, version, stored)
        versions[folder.name] = version
    _replace_text(root / MANIFEST, json.dumps({"indicators": versions}, indent=1) + "\n")
    for folder in _legacy_folders(root):
        for name in (META, DATA, NATIONAL):
            (folder / name).unlink(missing_ok=True)


def _legacy_folders(root: Path) -> list[Path]:
    return [
        p
        for p in sorted(root.iterdir())
        if p.is_dir() and not p.name.startswith(".") and (p / META).is_file()
    ]


def read_versions(root: Path) -> dict[str, str]:
    """The current version of each indicator, by id (one small file read).

    In a store written before versions, each indicator's folder is its version,
    named LEGACY and the folder's modification time.
    """
    try:
        return dict(json.loads((root / MANIFEST).read_text())["indicators"])
    except FileNotFoundError:
        pass
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DataError(f"{root / MANIFEST} cannot be read: {error}") from error
    if not root.is_dir():
        return {}
    return {p.name: f"{LEGACY}{p.stat().st_mtime_ns}" for p in _legacy_folders(root)}


def stored_versions(root: Path, id: str) -> list[str]:
    """The versions of an indicator kept on disk, oldest first."""
    folder = root / id
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if not p.name.startswith(".") and (p / META).is_file()]
    return [p.name for p in sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))]


def pinned(root: Path) -> set[str]:
    """Versions a pinned embed has asked for (the store's pins/, shared with the cases)."""
    pins = root.parent / PINS
    return {p.name for p in pins.iterdir()} if pins.is_dir() else set()


def pin(root: Path, version: str) -> None:
    """Record that a pinned embed uses this version, so pruning keeps it."""
    marker = root.parent / PINS / version
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()


def prune(root: Path, id: str, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions of an indicator, never the current one
    or a pinned one."""
    versions = stored_versions(root, id)
    protected = pinned(root) | {read_versions(root).get(id)}
    doomed = [v for v in versions[: max(0, len(versions) - keep)] if v not in protected]
    for version in doomed:
        trash = root / id / f"{STAGING}trash-{version}"
        os.rename(root / id / version, trash)  # a reader never sees half a version
        shutil.rmtree(trash, ignore_errors=True)
    return doomed


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    # Plain objects, not pandas' own strings: much faster to write without pyarrow.
    texts = {column: object for column in ("code", "name", "period", "note")}
    frame.astype(texts).to_csv(
        path,
        index=False,
        date_format="%Y-%m-%d",
        compression={"method": "xz", "preset": XZ_PRESET},
    )


def _read_frame(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        path,
        dtype={"code": str, "name": str, "period": str, "note": str},
        keep_default_na=True,
        parse_dates=["start", "end"],
    )
    frame["name"] = frame["name"].fillna("")
    return frame.reindex(columns=COLUMNS)  # (kept before 99.8% limits: those are empty)


def load(folder: Path, log_folder: Path | None = None) -> StoredIndicator:
    """One kept indicator version (its log from `log_folder`, by default the same)."""
    indicator, _ = _read_meta(folder / META)
    national = _read_frame(folder / NATIONAL) if (folder / NATIONAL).is_file() else None
    log = tuple(_log_lines(log_folder or folder))
    return StoredIndicator(indicator, _read_frame(folder / DATA), national, log)


def _log_lines(folder: Path) -> list[str]:
    path = folder / LOG
    return path.read_text().splitlines() if path.is_file() else []


def kept_log(root: Path, id: str) -> list[str]:
    """The log of the indicator kept under `id`, if there is one (a new addition goes on
    from it)."""
    return _log_lines(root / id)


class Shelf:
    """The indicator versions one process has read, shared by its data versions: the
    observations of the `size` used last (read again when asked for after that), and
    the indicator.json of every version asked for (small)."""

    def __init__(self, root: Path, size: int = 8):
        self.root = root
        self.size = size
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[str, str], tuple[StoredIndicator, str]] = OrderedDict()
        self._listed: dict[tuple[str, str], Listed] = {}

    def load(self, id: str, version: str) -> tuple[StoredIndicator, str]:
        """An indicator version and its content version (kept while among the last used)."""
        key = (id, version)
        with self._lock:
            found = self._loaded.get(key)
            if found is not None:
                self._loaded.move_to_end(key)
                return found
        folder = self.root / id
        if version.startswith(LEGACY):
            stored = load(folder)
            found = (stored, content_version(stored))
        else:
            found = (load(folder / version, folder), version)
        with self._lock:
            self._loaded[key] = found
            while len(self._loaded) > max(1, self.size):
                self._loaded.popitem(last=False)
        return found

    def describe(self, id: str, version: str) -> Indicator:
        """What an indicator version measures (its indicator.json alone)."""
        return self.listed(id, version).indicator

    def listed(self, id: str, version: str) -> Listed:
        """What lists show of an indicator version: read from its indicator.json, or, for
        a version written before it held the periods, from its observations (once)."""
        key = (id, version)
        found = self._listed.get(key)
        if found is not None:
            return found
        folder = self.root / id
        legacy = version.startswith(LEGACY)
        indicator, listed = _read_meta(folder / META if legacy else folder / version / META)
        content = version
        if listed is None or legacy:
            stored, content = self.load(id, version)
            listed = tuple(periods(stored.frame, indicator.window))
        found = self._listed[key] = Listed(indicator, listed, content)
        return found


_SHELVES: dict[Path, Shelf] = {}


def shelf_for(root: Path, size: int | None = None) -> Shelf:
    """The process's shelf for an indicators folder (`size`: how many versions' observations
    it keeps; the last given counts)."""
    found = _SHELVES.get(root)
    if found is None:
        found = _SHELVES.setdefault(root, Shelf(root))
    if size is not None:
        found.size = size
    return found


class KeptIndicators:
    """The indicators current at one moment: each one's version, read when asked for.

    A snapshot: `mapserver add` makes a new set; the server follows it by reading a new
    snapshot (update/live.py), so every output of a request comes from one set.
    """

    def __init__(self, root: Path, versions: dict[str, str] | None = None, size: int | None = None):
        self.root = root
        self.versions = read_versions(root) if versions is None else dict(versions)
        self.key = tuple(sorted(self.versions.items()))
        # Names the set in a few characters (for the release every request names).
        self.digest = hashlib.sha256(repr(self.key).encode()).hexdigest()[:12] if self.key else ""
        self.shelf = shelf_for(root, size)

    def changed(self) -> KeptIndicators | None:
        """The store's current set, if it is not this one (else None)."""
        fresh = read_versions(self.root)
        if tuple(sorted(fresh.items())) == self.key:
            return None
        return KeptIndicators(self.root, fresh, self.shelf.size)

    def described(self) -> dict[str, Indicator]:
        """What each indicator measures, by id, without reading its observations."""
        return {name: self.shelf.describe(name, v) for name, v in self.versions.items()}

    def listed(self) -> dict[str, Listed]:
        """What lists show of each indicator (indicator.json: title, unit, periods), by id."""
        return {name: self.shelf.listed(name, v) for name, v in self.versions.items()}

    def _check(self, name: str) -> None:
        if name not in self.versions:
            choices = ", ".join([COVID_ID, *self.versions])
            raise UnknownIndicator(f"unknown indicator {name!r}; choose from {choices}")

    def get(self, name: str, version: str | None = None) -> StoredIndicator:
        """A kept indicator by id (its current version, or `version`); UnknownIndicator
        (naming the choices) if there is none, UnknownVersion if that version is not kept."""
        if self.resolve(name, version) == self.version(name):
            return self.shelf.load(name, self.versions[name])[0]
        return self.shelf.load(name, version)[0]

    def resolve(self, name: str, version: str | None = None) -> str:
        """The content version of a kept indicator (its current one, or `version`), its
        observations unread; UnknownIndicator or UnknownVersion as get()."""
        current = self.version(name)
        if version is None or version == current:
            return current
        if not VERSION.match(version) or not (self.root / name / version / META).is_file():
            kept = ", ".join(reversed(stored_versions(self.root, name)))
            raise UnknownVersion(
                f"no version {version} of indicator {name} kept here (it may have been "
                f"pruned); the versions kept are {kept}"
            )
        return version

    def has(self, name: str, version: str) -> bool:
        """Whether an indicator is kept in that version (current or not)."""
        self._check(name)
        return version == self.version(name) or (self.root / name / version / META).is_file()

    def version(self, name: str) -> str:
        """The content version of a kept indicator's current version."""
        self._check(name)
        found = self.versions[name]
        return self.shelf.load(name, found)[1] if found.startswith(LEGACY) else found


def content_version(stored: StoredIndicator) -> str:
    """A short hash of an indicator's description and observations."""
    digest = hashlib.sha256(repr(stored.indicator.to_dict()).encode())
    digest.update(pd.util.hash_pandas_object(stored.frame, index=False).to_numpy().tobytes())
    if stored.national is not None:
        national = pd.util.hash_pandas_object(stored.national, index=False)
        digest.update(national.to_numpy().tobytes())
    return digest.hexdigest()[:12]
