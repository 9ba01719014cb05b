"""Command line: `mapserver fetch`, `mapserver rates`, ..."""

from __future__ import annotations

import json
import sys

import click
import pandas as pd

from .core.config import load_settings
from .core.errors import MapserverError
from .figures.covid import load_dataset
from .ingest.vintages import VINTAGES
from .store.versions import current_settings
from .words import tables


class UsageFailure(click.ClickException):
    """An error shown as one line on stderr, exiting with status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


class OneLineErrors(click.Group):
    """A click group whose usage errors are one line on stderr, exit status 2."""

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)
        try:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as error:
            where = f"{error.ctx.command_path}: " if error.ctx else ""
            click.echo(f"Error: {where}{error.format_message()}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mapserver")
def main() -> None:
    """Map server for 7-day Covid-19 case rates per 100,000 by local authority.

    Settings come from MAPSERVER_* environment variables (see the README):
    MAPSERVER_DATA_DIR is where data files live, MAPSERVER_MIRROR where `fetch`
    copies them from.
    """


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
    from .core.errors import FetchError

    overrides = {}
    if mirror is not None:
        overrides["mirror"] = mirror
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        settings = load_settings(overrides)
        from .ingest import sources  # imported here: it pulls in requests and tqdm

        report = sources.fetch_all(settings, progress=True)
    except FetchError as error:
        # Exit 1: the command was used correctly, but files could not be fetched.
        raise click.ClickException(str(error)) from error
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    for line in report.summary_lines():
        click.echo(line)


def _positive(ctx, param, value):
    if value is not None and value < 1:
        raise click.BadParameter(f"must be 1 or more, not {value}")
    return value


def region_and_week(command):
    """The --region, --week, --indicator and --vintage options every per-map command takes."""
    command = click.option(
        "--vintage",
        type=click.Choice([str(v) for v in VINTAGES]),
        help="Show the figures on the districts of a later year (old districts summed).",
    )(command)
    command = click.option(
        "--indicator",
        metavar="ID",
        help="Another indicator kept with `mapserver add` (default: the Covid cases).",
    )(command)
    command = click.option(
        "--week",
        "--period",
        "week",
        metavar="YYYY-MM-DD",
        help="Last day of the 7-day window (another indicator: its period, as its source "
        "writes it or its last day). Default: the latest date in the data less "
        "MAPSERVER_LAG_DAYS (5), since the latest days are incomplete.",
    )(command)
    return click.option(
        "--region",
        required=True,
        metavar="REGION",
        help="england, scotland, wales, northern-ireland, an English region by slug (e.g. "
        "east-of-england) or ONS code (e.g. E12000006), or a custom region (e.g. anglia).",
    )(command)


def _dataset_region_week(region: str, week: str | None, indicator=None, vintage=None):
    """The data, the region and the week end a per-map command asked for (usage errors: 2)."""
    from .figures.indicator_dataset import indicator_of

    try:
        dataset = indicator_of(load_dataset(current_settings(load_settings())), indicator)
        week_end = dataset.parse_week(week)
        dataset = dataset.at(dataset.vintage_for(week_end, vintage))
        return dataset, dataset.region(region), week_end
    except MapserverError as error:
        raise UsageFailure(str(error)) from error


@main.command()
@region_and_week
@click.option(
    "--top", type=int, callback=_positive, metavar="N", help="Show only the N highest rates."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv (header row, no other text) or json for programs.",
)
def rates(
    region: str,
    week: str | None,
    indicator: str | None,
    vintage: str | None,
    top: int | None,
    output_format: str,
) -> None:
    """Print a region's areas by 7-day rate per 100,000, highest first.

    Each row has the area's code and name, cases in the 7 days, the rate, the
    previous 7 days' rate, the change, and the rank within its country ("1/315":
    areas without a complete week are not ranked). Region totals are the sum of
    cases over the sum of population.
    """
    dataset, chosen, week_end = _dataset_region_week(region, week, indicator, vintage)
    figures = dataset.region_figures(chosen, week_end)
    if dataset.indicator is not None:
        records = tables.indicator_records(
            dataset, figures.head(top or len(figures)), chosen.slug, week_end
        )
        if output_format == "json":
            click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        elif output_format == "csv":
            click.echo(tables.to_csv(pd.DataFrame(records)), nl=False)
        else:
            title = f"{dataset.title}, {chosen.title}: {dataset.period_text(week_end)}"
            click.echo(tables.indicator_text(records, title, dataset.unit), nl=False)
        return
    if output_format == "csv":
        click.echo(tables.to_csv(tables.league_table(figures, top)), nl=False)
    elif output_format == "json":
        click.echo(json.dumps(tables.records(figures, chosen.slug, week_end, top), indent=2))
    else:
        title = f"{chosen.title}: {tables.format_week(week_end)}"
        total = dataset.region_total(chosen, week_end)
        click.echo(tables.to_text(tables.league_table(figures, top), title, total), nl=False)


@main.command()
@region_and_week
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: the sentences; json: the figures and the sentences, as /api/facts.",
)
def facts(
    region: str, week: str | None, indicator: str | None, vintage: str | None, output_format: str
) -> None:
    """Print a region's key facts for a week in plain sentences.

    The highest areas (the top two in the region, plus any tied with them) with
    their rank in their country; the region total and its change on the previous
    7 days; the change across the rest of the region without those areas; how many
    areas rose and fell; and the areas with incomplete data. Every figure comes from
    the league table that `mapserver rates` prints.
    """
    from .words import facts as fact_text
    from .words import key_facts

    dataset, chosen, week_end = _dataset_region_week(region, week, indicator, vintage)
    found = key_facts.region_facts(dataset, chosen, week_end)
    if output_format == "json":
        click.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(fact_text.to_text(found), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes (each with MAPSERVER_THREADS threads, 32 by default).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the maps, embeds and API under gunicorn.

    The data is read once, before the workers start: the current data version if
    `mapserver update` has made one, else the configured files. Each worker then
    picks up a new current version by itself, without a restart.
    """
    from .web.serve import serve as run_server

    try:
        load_settings()
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    run_server(host, port, workers)


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
    from .update.covid import update as run_update

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
@click.option("--code", metavar="COLUMN", help="Plain CSV: the column of area codes.")
@click.option("--period", metavar="COLUMN", help="Plain CSV: the column of periods.")
@click.option("--date", metavar="COLUMN", help="Plain CSV: a column of dates (daily counts).")
@click.option("--count", metavar="COLUMN", help="Plain CSV: the column of counts.")
@click.option("--value", metavar="COLUMN", help="Plain CSV: the column of published values.")
@click.option("--denominator", metavar="COLUMN", help="Plain CSV: the column of denominators.")
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
def add(file, indicator_id, window, suppress_below, accept_outliers, **columns) -> None:
    """Add (or replace) an indicator from FILE, in any layout it recognises.

    Recognised with no options: a UKHSA dashboard CSV, a Fingertips export, an ONS
    Explore Local Statistics CSV (with its JSON metadata beside it), or a plain CSV of
    code, period and count or value. The file is refused (exit status 2, one line naming
    the file, the line and the problem) for codes that map to no district, periods that
    do not parse or begin after today, bad or duplicate rows, counts above the area's
    population, values outside their own confidence limits or their unit's range, or
    extreme outliers (unless accepted); nothing changes then.
    """
    from pathlib import Path

    from .update.indicators import add as add_indicator

    named = {option: column for option, column in columns.items() if column}
    if not Path(file).is_file():
        raise UsageFailure(f"{file}: file not found")
    try:
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
    click.echo(
        f"indicator {indicator.id} added: {indicator.title} ({indicator.unit}), "
        f"{frame['period'].nunique()} period(s), {frame['code'].nunique()} area code(s)"
    )
    for note in notes:
        click.echo(f"  {note}")
    from .store.indicator_store import content_version

    click.echo(f"version {content_version(stored)} of {indicator.id} is now current")


@main.command()
def versions() -> None:
    """List the data versions kept: name, dates, and which is current or pinned."""
    from .store.versions import VersionStore

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


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--weeks",
    default=4,
    show_default=True,
    type=click.IntRange(1, 500),
    help="How many weeks to export, counting back from the default week.",
)
@click.option(
    "--indicator",
    metavar="ID",
    help="Export another indicator kept with `mapserver add` (default: the Covid cases).",
)
def export(directory: str, weeks: int, indicator: str | None) -> None:
    """Write a static copy of the site to DIRECTORY.

    Embeds and map pages for every region for the latest N weeks, the geometry and
    value resources, and the scripts and styles, with relative links, so any static
    web server or CDN can serve the folder as it is, from any sub-path. Text files
    also get .gz and .br copies for servers that send precompressed files. The
    folder is replaced whole once the new copy is complete.
    """
    from pathlib import Path

    from . import create_app
    from .web.export import export_site

    try:
        report = export_site(create_app(), Path(directory), weeks, indicator)
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    click.echo(
        f"wrote {report.files} files ({report.bytes / 1e6:.1f} MB before compression) for "
        f"{report.regions} regions and {len(report.weeks)} {'periods' if indicator else 'weeks'} "
        f"({report.weeks[-1]} to {report.weeks[0]}) to {report.directory}"
    )


@main.command("html")
@region_and_week
@click.option(
    "--scheme",
    help="dashboard (the Covid cases' default), quantiles (other indicators' default), "
    "natural-breaks or equal-interval.",
)
@click.option("--k", "k", metavar="N", help="Classes for the data-driven schemes, 3 to 9.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The file to write.",
)
def single_html(
    region: str,
    week: str | None,
    indicator: str | None,
    vintage: str | None,
    scheme: str | None,
    k: str | None,
    output: str,
) -> None:
    """Write a region's map as one self-contained HTML file.

    Scripts, styles, geometry and figures are all inside the file: it opens from
    disk with no server and no network, with the same map, popups, legend and
    table view as the embeds, and can be uploaded to a CMS as it is.
    """
    from pathlib import Path

    from .figures.bands import parse_scheme
    from .web.current import MapQuery
    from .web.download import download_html
    from .web.state import MapState

    try:
        current = MapState.load(current_settings(load_settings())).indicator_state(indicator)
        week_end = current.dataset.parse_week(week)
        shown = current.dataset.vintage_for(week_end, vintage)
        current = current.view(shown)
        chosen = current.dataset.region(region)
        scheme, classes = parse_scheme(scheme or current.dataset.default_scheme, k)
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    asked = vintage is not None
    query = MapQuery(chosen, week_end, scheme, classes, None, shown, asked, indicator)
    html = download_html(current, query)
    target = Path(output)
    try:
        target.write_text(html, encoding="utf-8", newline="")
    except OSError as error:
        raise UsageFailure(f"cannot write {target}: {error.strerror}") from error
    click.echo(
        f"wrote {target} ({len(html.encode()) / 1000:.1f} kB): {chosen.title}, {week_end:%Y-%m-%d}"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
