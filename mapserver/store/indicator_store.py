"""Indicators on disk: what `mapserver add` keeps, and how the server reads them.

Layout under the store root: indicators/<id>/indicator.json (what it measures) and
indicators/<id>/observations.csv.xz (the checked observations), and
indicators/<id>/added.log (each addition: when, from what file, what was set aside and
which outliers were accepted). An indicator is written
to a staging directory and renamed into place only when complete, so a refusal or a
crash leaves what was there.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.config import Settings
from ..core.errors import UnknownIndicator
from ..ingest.formats import COLUMNS
from ..ingest.indicator import COVID_ID, Indicator

FOLDER = "indicators"
META = "indicator.json"
DATA = "observations.csv.xz"
NATIONAL = "national.csv.xz"
LOG = "added.log"
XZ_PRESET = 1  # as the version store: fast, and still about a tenth of the CSV


@dataclass(frozen=True)
class StoredIndicator:
    """An indicator and its observations, as kept."""

    indicator: Indicator
    frame: pd.DataFrame
    national: pd.DataFrame | None = None  # the file's country figures, where it has them
    log: tuple[str, ...] = ()  # the lines of added.log, oldest first


def indicators_root(settings: Settings) -> Path:
    """Where indicators are kept: <store root>/indicators."""
    return Path(settings.store_root) / FOLDER


def write(root: Path, stored: StoredIndicator) -> None:
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".staging-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        (staging / META).write_text(json.dumps(stored.indicator.to_dict(), indent=1) + "\n")
        _write_frame(stored.frame, staging / DATA)
        if stored.national is not None and len(stored.national):
            _write_frame(stored.national, staging / NATIONAL)
        if stored.log:
            (staging / LOG).write_text("".join(f"{line}\n" for line in stored.log))
        for item in staging.iterdir():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        target = root / stored.indicator.id
        retired = root / f".retired-{secrets.token_hex(4)}"
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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


def load(folder: Path) -> StoredIndicator:
    """One kept indicator."""
    meta = json.loads((folder / META).read_text())
    national = _read_frame(folder / NATIONAL) if (folder / NATIONAL).is_file() else None
    log = tuple(_log_lines(folder))
    return StoredIndicator(Indicator(**meta), _read_frame(folder / DATA), national, log)


def _log_lines(folder: Path) -> list[str]:
    path = folder / LOG
    return path.read_text().splitlines() if path.is_file() else []


def kept_log(root: Path, id: str) -> list[str]:
    """The log of the indicator kept under `id`, if there is one (a new addition goes on
    from it)."""
    return _log_lines(root / id)


class KeptIndicators:
    """The indicators kept under a folder, read again when `mapserver add` changes it."""

    def __init__(self, root: Path):
        self.root = root
        self._seen: tuple | None = None
        self._kept: dict[str, StoredIndicator] = {}
        self._versions: dict[str, str] = {}

    def _stamp(self) -> tuple:
        if not self.root.is_dir():
            return ()
        return tuple(
            (p.name, p.stat().st_mtime_ns)
            for p in sorted(self.root.iterdir())
            if p.is_dir() and not p.name.startswith(".") and (p / META).is_file()
        )

    def current(self) -> dict[str, StoredIndicator]:
        """Every kept indicator by id (a directory listing per call; read when changed)."""
        stamp = self._stamp()
        if stamp != self._seen:
            kept = {name: load(self.root / name) for name, _ in stamp}
            self._versions = {name: content_version(found) for name, found in kept.items()}
            self._kept, self._seen = kept, stamp
        return self._kept

    def get(self, name: str) -> StoredIndicator:
        """A kept indicator by id; UnknownIndicator (naming the choices) if there is none."""
        kept = self.current()
        if name not in kept:
            choices = ", ".join([COVID_ID, *kept])
            raise UnknownIndicator(f"unknown indicator {name!r}; choose from {choices}")
        return kept[name]

    def version(self, name: str) -> str:
        """The content version of a kept indicator (as current() read it)."""
        self.current()
        return self._versions[name]


def content_version(stored: StoredIndicator) -> str:
    """A short hash of an indicator's description and observations."""
    digest = hashlib.sha256(repr(stored.indicator.to_dict()).encode())
    digest.update(pd.util.hash_pandas_object(stored.frame, index=False).to_numpy().tobytes())
    if stored.national is not None:
        national = pd.util.hash_pandas_object(stored.national, index=False)
        digest.update(national.to_numpy().tobytes())
    return digest.hexdigest()[:12]
