"""The newsroom desk's steps (issue 26): check an upload, describe it, publish it, and
republish with new data or new words. Each is the domain's one way of doing it: the
checks are `mapserver add`'s (indicators.check), and keeping is its `keep`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..core.config import Settings
from ..core.errors import DataError, MapserverError
from ..ingest.indicator import Indicator
from ..ingest.loaders import read_lookup
from ..ingest.regions import Region, all_regions
from ..store.indicator_store import (
    StoredIndicator,
    content_version,
    indicators_root,
    kept_log,
    read_versions,
    shelf_for,
    write,
)
from .description import Description, described, problems
from .indicators import Checked, check, keep
from .upload import Upload, as_file, check_size

NOTE_LIMIT = 500  # characters of an update's note: one line under the map


@dataclass(frozen=True)
class Refusal:
    """Why an upload was not accepted, in the one line the checks give; nothing was kept."""

    message: str


@dataclass(frozen=True)
class Published:
    """A version kept and made current: it, its version, and whether it replaced one."""

    stored: StoredIndicator
    version: str
    republished: bool


def check_upload(settings: Settings, upload: Upload, **options) -> Checked | Refusal:
    """Read and check an upload as `mapserver add` would, writing nothing: what was read,
    or the refusal (over the size limit, or a check that failed). `options`: those of
    update.indicators.check (id, today, columns, window, suppress_below, accept_outliers)."""
    try:
        check_size(upload, settings.upload_limit_mb)
        with as_file(upload) as path:
            return check(settings, path, name=upload.name, **options)
    except MapserverError as error:
        return Refusal(str(error))


def kept_indicator(settings: Settings, id: str) -> StoredIndicator | None:
    """The current version of an indicator kept under `id`, or None."""
    root = indicators_root(settings)
    version = read_versions(root).get(id)
    return None if version is None else shelf_for(root).load(id, version)[0]


def current_publication(settings: Settings, id: str) -> Published | None:
    """An indicator as it is published now (its current version), or None if not kept."""
    root = indicators_root(settings)
    version = read_versions(root).get(id)
    if version is None:
        return None
    return Published(shelf_for(root).load(id, version)[0], version, False)


def starting_description(settings: Settings, checked: Checked) -> Description:
    """Where the Describe step starts: the kept indicator's words and choices for a
    republication, else what the file says of itself."""
    kept = kept_indicator(settings, checked.indicator.id)
    return Description.of(checked.indicator if kept is None else kept.indicator)


def regions_of(settings: Settings) -> dict[str, Region]:
    """Every region a map may show: the official ones and the configured custom ones."""
    return all_regions(read_lookup(settings.path("lookup")), settings.regions_file)


def description_problems(
    settings: Settings, description: Description, frame_of: Checked | StoredIndicator
) -> list[str]:
    """What is wrong with a description of these figures, one sentence each (none: right)."""
    frame = frame_of.observations.frame if isinstance(frame_of, Checked) else frame_of.frame
    return problems(
        description.cleaned(),
        regions_of(settings),
        frame["period"].astype(str).unique(),
        frame["code"].astype(str).unique(),
    )


def preview(checked: Checked, description: Description) -> tuple[StoredIndicator, str]:
    """The figures as they would be published with this description, and the version
    they would have, for the preview to draw; nothing is written."""
    indicator = described(checked.indicator, description.cleaned())
    observations = checked.observations
    stored = StoredIndicator(indicator, observations.frame, observations.national)
    return stored, content_version(stored)


def embed_params(published: Published) -> tuple[str, dict[str, str]]:
    """The region and the query of the published map as its display says, pinned to its
    version (`v`): what the embed code, the oEmbed link and the PNG are made from."""
    indicator = published.stored.indicator
    display = indicator.display or {}
    params = {"indicator": indicator.id}
    if display.get("period"):
        params["period"] = display["period"]
    if indicator.scheme:
        params["scheme"] = indicator.scheme
    if display.get("highlight"):
        params["highlight"] = ",".join(display["highlight"])
    if display.get("labels"):
        params["labels"] = display["labels"]
    params["v"] = published.version
    return display.get("region") or "england", params


def publish(
    settings: Settings,
    checked: Checked,
    description: Description,
    note: str | None = None,
    correction: bool = False,
    today: date | None = None,
) -> Published:
    """Keep checked figures, as described, as the indicator's current version.

    Over an indicator already kept, the new version says when it was updated, with the
    editor's note (and whether it is a correction); the earlier versions stay as they
    were, for the embeds pinned to them. DataError (the first problem) if the
    description or the note is not right.
    """
    found = description_problems(settings, description, checked)
    if found:
        raise DataError(found[0])
    indicator = described(checked.indicator, description.cleaned())
    before = kept_indicator(settings, indicator.id)
    indicator = updated(indicator, before, note, correction, today)
    stored, version = keep(settings, checked, indicator)
    return Published(stored, version, before is not None)


def redescribe(
    settings: Settings,
    id: str,
    description: Description,
    note: str | None = None,
    correction: bool = False,
    today: date | None = None,
) -> Published:
    """Republish a kept indicator's figures as they are, with a new description."""
    before = kept_indicator(settings, id)
    if before is None:
        raise DataError(f"no indicator {id!r} is kept: upload its figures first")
    found = description_problems(settings, description, before)
    if found:
        raise DataError(found[0])
    indicator = described(before.indicator, description.cleaned())
    indicator = updated(indicator, before, note, correction, today)
    root = indicators_root(settings)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    log = (*kept_log(root, id), f"{stamp} described anew (the figures as they were)")
    stored = dataclasses.replace(before, indicator=indicator, log=log)
    version = write(root, stored, keep=settings.versions_kept)
    return Published(stored, version, True)


def updated(
    indicator: Indicator,
    before: StoredIndicator | None,
    note: str | None,
    correction: bool,
    today: date | None,
) -> Indicator:
    """The indicator with its update's date, note and kind: none for a first publication.

    Each version carries only its own update: an earlier note is not carried forward.
    A note on a first publication is not kept: there is nothing it updates.
    """
    note = " ".join((note or "").split()) or None
    if before is None:
        if correction:
            raise DataError(f"nothing to correct: {indicator.id} has not been published")
        return dataclasses.replace(indicator, updated=None, update_note=None, correction=False)
    if note is not None and len(note) > NOTE_LIMIT:
        raise DataError(f"The note has {len(note):,} characters; at most {NOTE_LIMIT:,}.")
    if correction and note is None:
        raise DataError("A correction needs a note saying what was corrected.")
    day = date.today() if today is None else today
    return dataclasses.replace(
        indicator, updated=day.isoformat(), update_note=note, correction=correction
    )
