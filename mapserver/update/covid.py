"""`mapserver update`: bring in new data files, validate them, and make them current.

The steps, under the store's lock: seed the store with the configured files if it is
empty; copy the new set (new files plus the current version's others) into staging;
load it with the ordinary loaders; compare it with the current version; then name it
and switch the pointer. A refusal or a crash leaves the current version as it was.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..core.config import FILE_SETTINGS, Settings
from ..core.errors import DataError, FetchError
from ..figures.covid import Dataset, load_dataset
from ..store.versions import ROLES, Staged, VersionStore, configured_files
from .validate import Changes, Refused, check_coverage, check_revisions, compare

# Test hook: the process dies at this step, as a crash or a kill would (see tests).
FAULT_VARIABLE = "MAPSERVER_FAULT_AT"
FAULT_EXIT = 75


@dataclass(frozen=True)
class UpdateResult:
    """What an update did."""

    version: str
    previous: str | None
    seeded: str | None = None
    changes: Changes | None = None
    pruned: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """True when the files given were those of the current version."""
        return self.version == self.previous

    def lines(self) -> list[str]:
        """The report printed by `mapserver update`."""
        out = []
        if self.seeded:
            out.append(f"seeded the store with the configured data as version {self.seeded}")
        if self.unchanged:
            out.append(f"data version {self.version} is already current; nothing to do")
            return out
        if self.changes is not None:
            out.append(f"data version {self.version} is now current (was {self.previous})")
            out += self.changes.lines()
        if self.pruned:
            out.append(f"pruned {len(self.pruned)} old version(s): {', '.join(self.pruned)}")
        return out


def _fault(step: str) -> None:
    if os.environ.get(FAULT_VARIABLE) == step:
        os._exit(FAULT_EXIT)


def resolve_source(role: str, text: str, settings: Settings, workdir: Path) -> Path:
    """A local file for `text`: a path, an http(s) URL, `mirror`, or `origin`."""
    if text in ("mirror", "origin"):
        text = _named_source(role, text, settings)
    if text.startswith(("http://", "https://")):
        return _download(text, workdir)
    path = Path(text).expanduser()
    if not path.is_file():
        raise Refused(f"{text}: {role} file not found")
    return path


def _named_source(role: str, which: str, settings: Settings) -> str:
    relative = FILE_SETTINGS.get(role)
    if relative is None:
        raise Refused(f"{which}: only the data files come from the {which}, not {role}")
    if which == "mirror":
        if not settings.mirror:
            raise Refused("mirror: MAPSERVER_MIRROR is not set")
        mirror = settings.mirror.rstrip("/")
        return f"{mirror}/{relative}" if "://" in mirror else str(Path(mirror) / relative)
    from ..ingest.sources import load_manifest

    origins = {entry.path: entry.origin for entry in load_manifest()}
    if not origins.get(relative):
        raise Refused(f"origin: the manifest has no public origin for {relative}")
    return origins[relative]


def _download(url: str, workdir: Path) -> Path:
    import requests

    from ..ingest.sources import HTTP_TIMEOUT

    name = Path(unquote(urlsplit(url).path)).name or "download"
    target = workdir / name
    try:
        with requests.get(url, stream=True, timeout=HTTP_TIMEOUT) as response:
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}")
            with open(target, "wb") as handle:
                for chunk in response.iter_content(1 << 20):
                    handle.write(chunk)
    except requests.RequestException as error:
        raise FetchError(f"{url}: download failed: {error}") from None
    return target


def _load_staged(
    staged: Staged, settings: Settings, labels: dict[str, str], today: date
) -> Dataset:
    """Load the staged set with the ordinary loaders; errors name the files as given."""
    try:
        return load_dataset(staged.settings(settings), today=today)
    except Exception as error:  # a loader's check, or a file that no library can read
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        for role in ROLES:
            placed = staged.path / staged.manifest["files"][role]
            message = message.replace(str(placed), labels[role])
        if not isinstance(error, DataError):
            message = f"{labels['boundaries']}: could not be read: {message}"
        raise Refused(message) from None


def update(
    settings: Settings,
    sources: dict[str, str],
    accept_revisions: bool = False,
    today: date | None = None,
) -> UpdateResult:
    """Validate the new files in `sources` (by role) and make them the current version.

    `today` (default: the local date) bounds the dates the new files may hold.
    """
    today = date.today() if today is None else today
    store = VersionStore(settings.store_root)
    with store.locked():
        seeded = None
        current = store.current()
        if current is None:
            staged = store.stage(configured_files(settings))
            current = store.commit(staged)
            store.switch(current.name)
            seeded = current.name
        labels = {role: str(current.file(role)) for role in ROLES}
        with tempfile.TemporaryDirectory(dir=store.root, prefix=".download-") as work:
            files = {role: current.file(role) for role in ROLES}
            for role, text in sources.items():
                files[role] = resolve_source(role, text, settings, Path(work))
                labels[role] = text
            staged = store.stage(files, sources=labels)
        if staged.name == current.name:
            store.discard(staged)
            return UpdateResult(current.name, current.name, seeded)
        try:
            _fault("staged")
            new = _load_staged(staged, settings, labels, today)
            old = load_dataset(current.settings(settings))
            check_coverage(old, new, labels["cases"])
            changes = compare(old, new)
            if not accept_revisions:
                check_revisions(changes, settings.revision_threshold, labels["cases"])
        except BaseException:
            store.discard(staged)
            raise
        facts = {
            "first_date": f"{new.first_date:%Y-%m-%d}",
            "last_date": f"{new.last_date:%Y-%m-%d}",
            "areas": len(new.sums.columns),
            "previous": current.name,
        }
        version = store.commit(staged, extra=facts)
        _fault("committed")
        store.switch(version.name)
        pruned = store.prune(settings.versions_kept)
        return UpdateResult(version.name, current.name, seeded, changes, pruned)
