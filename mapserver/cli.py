"""Command line: `mapserver fetch`, `mapserver rates`, ..."""

from __future__ import annotations

import sys

import click

from . import sources
from .config import load_settings
from .errors import MapserverError


class UsageFailure(click.ClickException):
    """An error shown as one line on stderr, exiting with status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    overrides = {}
    if mirror is not None:
        overrides["mirror"] = mirror
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        settings = load_settings(overrides)
        report = sources.fetch_all(settings, progress=True)
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    for line in report.summary_lines():
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
