"""Data versions on disk: immutable file sets named by their content hash, and a pointer.

Layout under the store root (MAPSERVER_STORE_DIR, else the data or fetch directory):

    versions/<name>/manifest.json       what the version holds and where it came from
    versions/<name>/<role>/<file>       cases, population, lookup (CSVs as .csv.xz),
                                        boundaries, regions
    current                             the name of the current version, one line
    pins/<name>                         an empty file: a pinned embed uses this version

Nothing is ever half-written: a version is copied into a staging directory, fsynced,
and renamed to its hash name only when complete; the pointer is written to a temporary
file and swapped in with os.replace. A crash at any point leaves the old pointer, which
names a complete directory.
"""

from __future__ import annotations

import json
import lzma
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.config import Settings
from ..core.digest import data_version
from ..core.errors import DataError, UnknownVersion
from .files import exclusive, fsync_dir

ROLES = ("cases", "population", "lookup", "boundaries", "regions")
MANIFEST = "manifest.json"
POINTER = "current"
STAGING_PREFIX = ".staging-"
# Tables kept compressed in the store (boundaries are kept as given).
COMPRESSED_ROLES = ("cases", "population", "lookup")
XZ_PRESET = 1
# A shapefile is several files that share a stem; they travel together.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class Version:
    """One complete, immutable version directory and its manifest."""

    name: str
    path: Path
    manifest: dict

    @property
    def created(self) -> str:
        """When the version was written (ISO 8601, UTC)."""
        return self.manifest.get("created", "")

    def file(self, role: str) -> Path:
        """The absolute path of the version's file for a role."""
        return self.path / self.manifest["files"][role]

    def settings(self, base: Settings) -> Settings:
        """`base` with every data file taken from this version."""
        files = self.manifest["files"]
        return base.model_copy(
            update={
                "data_dir": self.path,
                "cases": files["cases"],
                "population": files["population"],
                "lookup": files["lookup"],
                "boundaries": files["boundaries"],
                "regions_file": self.path / files["regions"],
            }
        )


@dataclass(frozen=True)
class Staged:
    """A version written to a staging directory, not yet named or current."""

    name: str
    path: Path
    manifest: dict

    def settings(self, base: Settings) -> Settings:
        """`base` reading the staged files (for validation before the version is kept)."""
        return Version(self.name, self.path, self.manifest).settings(base)


def current_settings(settings: Settings) -> Settings:
    """`settings` with the files of the store's current version, if `update` made one.

    Everything that reads the data (the server, the CLI, the notebook API) goes through
    here, so that after `mapserver update` none of them reads the configured files.
    """
    version = VersionStore(settings.store_root).current()
    return version.settings(settings) if version else settings


def configured_files(settings: Settings) -> dict[str, Path]:
    """The files the settings name, by role (the built-in set when there is no data dir)."""
    files = {role: settings.path(role) for role in ROLES if role != "regions"}
    files["regions"] = Path(settings.regions_file)
    return files


def version_name(files: dict[str, Path]) -> str:
    """The content hash naming a set of files (the same as the loaded dataset's version)."""
    return data_version([files[role] for role in ROLES])


def _copy_synced(source: Path, target: Path, compress: bool = False) -> None:
    """Copy source to target (xz-compressed if `compress`) and fsync it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(target, "wb") as raw:
        # closing the xz writer ends its stream but leaves `raw` open, for the fsync
        with lzma.open(raw, "wb", preset=XZ_PRESET) if compress else nullcontext(raw) as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
        raw.flush()
        os.fsync(raw.fileno())


def _place(role: str, source: Path, folder: Path) -> str:
    """Copy a role's file (and a shapefile's parts) into folder; the stored file's name.

    Plain CSVs are stored xz-compressed: the real cases archive takes 1.6 MB instead of
    21 MB in each version (xz preset 1: 0.3 s), and the content hash that names the
    version is the same either way (digest.content_sha256).
    """
    if role in COMPRESSED_ROLES and source.suffix.lower() == ".csv":
        _copy_synced(source, folder / f"{source.name}.xz", compress=True)
        return f"{source.name}.xz"
    for part in _parts(source):
        _copy_synced(part, folder / part.name)
    return source.name


def _parts(source: Path) -> list[Path]:
    """The file itself, plus a shapefile's sibling parts."""
    if source.suffix.lower() != ".shp":
        return [source]
    return [
        source.with_suffix(suffix)
        for suffix in SHAPEFILE_PARTS
        if source.with_suffix(suffix).exists()
    ]


class VersionStore:
    """The versions directory, the `current` pointer and the pins, under one root."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.versions_dir = self.root / "versions"
        self.pointer = self.root / POINTER
        self.pins_dir = self.root / "pins"

    # --- reading ----------------------------------------------------------------------

    def current_name(self) -> str | None:
        """The name in the pointer file, or None when the store has no current version."""
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def get(self, name: str) -> Version | None:
        """The complete version called `name`, or None."""
        if not name or "/" in name or name.startswith("."):
            return None
        path = self.versions_dir / name
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            return None
        return Version(name, path, manifest)

    def current(self) -> Version | None:
        """The current version, or None when there is none yet."""
        name = self.current_name()
        if name is None:
            return None
        version = self.get(name)
        if version is None:
            raise DataError(f"{self.pointer} names version {name}, which is not in the store")
        return version

    def versions(self) -> list[Version]:
        """Every complete version, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        found = [
            self.get(entry.name)
            for entry in self.versions_dir.iterdir()
            if not entry.name.startswith(".")
        ]
        return sorted((v for v in found if v is not None), key=lambda v: (v.created, v.name))

    def pinned(self) -> set[str]:
        """Versions that a pinned embed was made from."""
        if not self.pins_dir.is_dir():
            return set()
        return {entry.name for entry in self.pins_dir.iterdir()}

    # --- writing ----------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock: one update at a time; stale staging is removed."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        with exclusive(self.root / ".lock", self.versions_dir.glob(STAGING_PREFIX + "*")):
            yield

    def stage(self, files: dict[str, Path], sources: dict[str, str] | None = None) -> Staged:
        """Copy a set of files into a new staging directory and write its manifest."""
        staging = self.versions_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
        staging.mkdir(parents=True)
        try:
            placed = {}
            for role in ROLES:
                source = Path(files[role])
                if not source.is_file():
                    raise DataError(f"{role} file not found: {source}")
                placed[role] = f"{role}/{_place(role, source, staging / role)}"
            name = version_name({role: staging / placed[role] for role in ROLES})
            manifest = {
                "version": name,
                "created": datetime.now(UTC).isoformat(timespec="microseconds"),
                "files": placed,
                "sources": {role: (sources or {}).get(role, str(files[role])) for role in ROLES},
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            with open(staging / MANIFEST, "rb+") as handle:
                os.fsync(handle.fileno())
            for folder in [staging, *(staging / role for role in ROLES)]:
                fsync_dir(folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return Staged(name, staging, manifest)

    def discard(self, staged: Staged) -> None:
        """Remove a staged version that will not be kept."""
        shutil.rmtree(staged.path, ignore_errors=True)

    def commit(self, staged: Staged, extra: dict | None = None) -> Version:
        """Give a staged version its hash name (atomically); the pointer is not touched."""
        target = self.versions_dir / staged.name
        if extra:
            manifest = {**staged.manifest, **extra}
            (staged.path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            with open(staged.path / MANIFEST, "rb+") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            self.discard(staged)  # the same content is already kept
        else:
            os.rename(staged.path, target)
            fsync_dir(self.versions_dir)
        version = self.get(staged.name)
        assert version is not None
        return version

    def switch(self, name: str) -> None:
        """Make `name` the current version: write a temporary pointer, fsync, replace."""
        if self.get(name) is None:
            raise UnknownVersion(f"no data version {name} in {self.versions_dir}")
        temp = self.root / f".{POINTER}.{secrets.token_hex(4)}"
        with open(temp, "w") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.pointer)
        fsync_dir(self.root)

    def pin(self, name: str) -> None:
        """Record that a pinned embed uses `name`, so pruning keeps it."""
        marker = self.pins_dir / name
        if not marker.exists():
            self.pins_dir.mkdir(parents=True, exist_ok=True)
            marker.touch()

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest `keep` versions, never the current or a pinned one."""
        versions = self.versions()
        protected = self.pinned() | {self.current_name()}
        doomed = [v for v in versions[: max(0, len(versions) - keep)] if v.name not in protected]
        for version in doomed:
            # Renamed first, so a reader never sees a half-deleted version.
            trash = self.versions_dir / f"{STAGING_PREFIX}trash-{version.name}-{time.time_ns()}"
            os.rename(version.path, trash)
            shutil.rmtree(trash, ignore_errors=True)
        return [v.name for v in doomed]
