"""The `mapserver` command group, and errors said in one line with exit status 2."""

from __future__ import annotations

import sys

import click


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
    """Map server for figures by local authority: the built-in case data, and any
    indicator kept with `mapserver add`, in its own unit and periods.

    Settings come from MAPSERVER_* environment variables (see the README):
    MAPSERVER_DATA_DIR is where data files live, MAPSERVER_MIRROR where `fetch`
    copies them from.
    """
