"""Commands that change or list the kept data: fetch, update, add, versions."""

from __future__ import annotations

import click

from ..core.config import load_settings
from ..core.errors import MapserverError
from .base import UsageFailure, main


@main.command()
@click.option(
    "--mirror",
    metavar="DIR_OR_URL",
    help="Directory or http(s) base URL holding the files under their manifest paths. "
    "Overrides MAPSERVER_MIRROR; with neither, files are downloaded from their public origin.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Where to put the files. Overrides MAPSERVER_DATA_DIR (default: ./var/data).",
)
def fetch(mirror: str | None, data_dir: str | None) -> None:
    """Fetch every data file in the manifests and verify its sha256.

    Files already in place with the right checksum are left alone, so a second
    run does nothing. Each file is downloaded to a temporary name and renamed
    only once its checksum matches: a failure never damages a file in place.
    """
    from ..core.errors import FetchError

    overrides = {}
    if mirror is not None:
        overrides["mirror"] = mirror
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        settings = load_settings(overrides)
        from ..ingest import sources  # imported here: it pulls in requests and tqdm

        report = sources.fetch_all(settings, progress=True)
    except FetchError as error:
        # Exit 1: the command was used correctly, but files could not be fetched.
        raise click.ClickException(str(error)) from error
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    for line in report.summary_lines():
        click.echo(line)


@main.command()
@click.argument("cases", required=False, metavar="[CASES]")
@click.option("--population", metavar="PATH_OR_URL", help="A new population file.")
@click.option("--lookup", metavar="PATH_OR_URL", help="A new district lookup file.")
@click.option("--boundaries", metavar="PATH_OR_URL", help="A new boundary file.")
@click.option("--regions", metavar="PATH", help="A new custom regions file (TOML).")
@click.option(
    "--accept-revisions",
    is_flag=True,
    help="Accept the data even if it revises more past 7-day sums than "
    "MAPSERVER_REVISION_THRESHOLD allows.",
)
def update(cases, population, lookup, boundaries, regions, accept_revisions) -> None:
    """Validate new data files and make them the current data version.

    CASES is a path, an http(s) URL, `mirror` (MAPSERVER_MIRROR) or `origin` (the
    manifest's public origin); files not given are kept from the current version.
    The new set is refused (exit status 2, one line naming the file and the problem)
    if a loader's check fails, if it covers fewer days or areas than the current
    version, or if it revises too many past 7-day sums. A running server picks up the
    new version by itself. With an empty store, the configured data is kept first.
    """
    from ..update.covid import update as run_update

    given = {
        "cases": cases,
        "population": population,
        "lookup": lookup,
        "boundaries": boundaries,
        "regions": regions,
    }
    try:
        result = run_update(
            load_settings(),
            {role: text for role, text in given.items() if text},
            accept_revisions=accept_revisions,
        )
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    for line in result.lines():
        click.echo(line)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--id",
    "indicator_id",
    metavar="ID",
    help="The indicator's id in URLs (default: from its title).",
)
@click.option("--code", metavar="COLUMN", help="Plain table: the column of area codes.")
@click.option(
    "--period",
    metavar="COLUMN",
    help="Plain table: the column of periods, or the period of every row (--period 2019).",
)
@click.option("--date", metavar="COLUMN", help="Plain table: a column of dates (daily counts).")
@click.option("--count", metavar="COLUMN", help="Plain table: the column of counts.")
@click.option("--value", metavar="COLUMN", help="Plain table: the column of published values.")
@click.option("--denominator", metavar="COLUMN", help="Plain table: the column of denominators.")
@click.option(
    "--sheet",
    metavar="NAME",
    help="Spreadsheet: the sheet to read (default: the one with a table of area codes).",
)
@click.option("--title", metavar="TEXT", help="The indicator's title (default: the file's).")
@click.option("--unit", metavar="TEXT", help="The figures' unit: '%', 'per 100,000', 'score' ...")
@click.option("--source", metavar="TEXT", help="Who publishes the figures (the attribution).")
@click.option("--source-url", metavar="URL", help="Where the figures are published.")
@click.option(
    "--window",
    type=click.IntRange(1, 366),
    metavar="DAYS",
    help="Daily counts: map sums over this many days (default 7 for UKHSA dashboard files).",
)
@click.option(
    "--suppress-below",
    type=click.IntRange(1, 100),
    metavar="N",
    help="Withhold counts below N, and every figure they could be worked back from.",
)
@click.option(
    "--accept-outlier",
    "accept_outliers",
    multiple=True,
    metavar="CODE[:PERIOD]",
    help="Keep an area's figure the outlier check refuses (in one period, or all); logged.",
)
@click.option(
    "--update-note",
    metavar="TEXT",
    help="Replacing a kept indicator: say so under its maps, dated today, with this note.",
)
@click.option(
    "--correction",
    is_flag=True,
    help="With --update-note: the new version corrects the last ('Correction, <date>: ...').",
)
def add(
    file, indicator_id, window, suppress_below, accept_outliers, update_note, correction, **options
) -> None:
    """Add (or replace) an indicator from FILE, in any layout it recognises.

    Recognised with no options: a UKHSA dashboard CSV, a Fingertips export (from the
    website, fingertipsR or fingertips_py), an ONS Explore Local Statistics CSV (with its
    JSON metadata beside it), or a plain table of code, period and count or value, or of
    code and one column per period, as a CSV or a spreadsheet (.xlsx, .ods). The file is
    refused (exit status 2, one line naming the file, the line and the problem) for codes
    that map to no district, periods that do not parse or begin after today, bad or
    repeated rows, counts above the area's population, values outside their own
    confidence limits or their unit's range, or extreme outliers (unless accepted);
    nothing changes then.
    """
    from pathlib import Path

    from ..update.indicators import add as add_indicator

    # Columns, sheet, title, unit and source: all are the reader's (read_observations).
    named = {option: text for option, text in options.items() if text}
    if not Path(file).is_file():
        raise UsageFailure(f"{file}: file not found")
    if correction and not update_note:
        raise UsageFailure("--correction needs --update-note saying what was corrected")
    try:
        if update_note:
            stored, notes = _republish(
                Path(file), indicator_id, named, window, suppress_below, accept_outliers,
                update_note, correction,
            )  # fmt: skip
        else:
            stored, notes = add_indicator(
                load_settings(),
                Path(file),
                indicator_id,
                columns=named,
                window=window,
                suppress_below=suppress_below,
                accept_outliers=accept_outliers,
            )
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    indicator = stored.indicator
    frame = stored.frame
    unit = f" ({indicator.unit})" if indicator.unit else ""
    click.echo(
        f"indicator {indicator.id} added: {indicator.title}{unit}, "
        f"{frame['period'].nunique()} period(s), {frame['code'].nunique()} area code(s)"
    )
    for note in notes:
        click.echo(f"  {note}")
    from ..store.indicator_store import content_version

    click.echo(f"version {content_version(stored)} of {indicator.id} is now current")
    if update_note:
        from ..words.published import updated_line

        click.echo(updated_line(indicator))


def _republish(
    path, indicator_id, named, window, suppress_below, accept_outliers, note, correction
):
    """`add --update-note`: the desk's republication (update/desk.py), from the command line."""
    import dataclasses

    from ..update.desk import kept_indicator, updated
    from ..update.indicators import check, keep

    settings = load_settings()
    checked = check(
        settings, path, indicator_id, None, named, window, suppress_below, accept_outliers
    )
    before = kept_indicator(settings, checked.indicator.id)
    if before is None:
        raise UsageFailure(f"--update-note: no indicator {checked.indicator.id} is kept yet")
    # The words and display kept stay (title and source unless given again); the
    # figures and their unit are the new file's.
    kept = before.indicator
    words = {name: getattr(kept, name) for name in ("title", "source", "source_url")}
    indicator = dataclasses.replace(
        checked.indicator,
        **{name: text for name, text in words.items() if name not in named},
        subtitle=kept.subtitle,
        notes=kept.notes,
        display=kept.display,
    )
    indicator = updated(indicator, before, note, correction, None)
    stored, _ = keep(settings, checked, indicator)
    return stored, list(checked.notes)


@main.command()
def versions() -> None:
    """List the data versions kept: name, dates, and which is current or pinned."""
    from ..store.versions import VersionStore

    try:
        store = VersionStore(load_settings().store_root)
        current, pinned = store.current_name(), store.pinned()
        kept = store.versions()
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    if not kept:
        click.echo(f"no data versions in {store.root}; the configured files are served")
    for version in kept:
        marks = [m for m, on in (("current", version.name == current),
                                 ("pinned", version.name in pinned)) if on]  # fmt: skip
        dates = version.manifest.get("last_date", "")
        click.echo(f"{version.name}  {version.created[:19]}  {dates:10}  {' '.join(marks)}")
