"""Commands that answer from the data: rates, facts, serve, export, html."""

from __future__ import annotations

import json

import click
import pandas as pd

from ..core.config import load_settings
from ..core.errors import MapserverError
from ..figures.covid import load_dataset
from ..ingest.vintages import VINTAGES
from ..store.versions import current_settings
from ..words import tables
from .base import UsageFailure, main


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
        help="Another indicator kept with `mapserver add` (default: the built-in case data).",
    )(command)
    command = click.option(
        "--week",
        "--period",
        "week",
        metavar="YYYY-MM-DD",
        help="The period: as its source writes it, or its last day (for the built-in case "
        "data, the last day of its 7-day window). Default: the latest date in the data less "
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
    from ..figures.indicator_dataset import indicator_of

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
    """Print a region's areas by their figure for a period, highest first.

    Each row has the area's code and name, its count where there is one, the figure,
    the previous period's figure, the change, and the rank within its country ("1/315";
    areas with the same figure as shown share a rank, and areas without a figure for
    the whole period are not ranked). Region totals are the sum of counts over the sum
    of denominators, never a mean of rates.
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
    """Print a region's key facts for a period in plain sentences.

    The highest areas (the top two in the region, plus any tied with them) with
    their rank in their country; the region total and its change on the previous
    period; the change across the rest of the region without those areas; how many
    areas rose and fell; and the areas with incomplete data. Every figure comes from
    the league table that `mapserver rates` prints.
    """
    from ..words import facts as fact_text
    from ..words import key_facts

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
    from ..web.serve import serve as run_server

    try:
        load_settings()
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    run_server(host, port, workers)


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
    help="Export another indicator kept with `mapserver add` (default: the built-in case data).",
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

    from .. import create_app
    from ..web.export import export_site

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

    from ..figures.bands import parse_scheme
    from ..web.current import MapQuery
    from ..web.download import download_html
    from ..web.state import MapState

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
