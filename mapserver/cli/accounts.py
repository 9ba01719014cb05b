"""Commands for the desk's accounts database: `db upgrade` and `users add`."""

from __future__ import annotations

import click

from ..core.config import load_settings
from ..core.errors import MapserverError
from .base import UsageFailure, main


def _database():
    from ..store.database import Database  # imported here: SQLAlchemy only when asked for

    try:
        return Database.from_settings(load_settings())
    except MapserverError as error:
        raise UsageFailure(str(error)) from error


@main.group()
def db() -> None:
    """The accounts database (MAPSERVER_DATABASE_URL, or SQLite in the store directory)."""


@db.command()
def upgrade() -> None:
    """Bring the database's tables to the newest revision (Alembic `upgrade head`)."""
    database = _database()
    database.upgrade()
    click.echo(f"database at revision {database.revision()}: {database.engine.url!r}")


@main.group()
def users() -> None:
    """The desk's users."""


@users.command("add")
@click.argument("email")
@click.option("--admin", is_flag=True, help="An administrator (who may add users), not an editor.")
@click.option("--name", default="", help="The name shown at the desk.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked for twice, unseen, when not given).",
)
def add(email: str, admin: bool, name: str, password: str) -> None:
    """Add a user who signs in at /desk with EMAIL (an editor unless --admin)."""
    from ..store.accounts import create_user
    from ..store.audit import AuditEntry, record

    database = _database()
    try:
        database.ensure_ready()
        user = create_user(database, email, password, "admin" if admin else "editor", name)
    except MapserverError as error:
        raise UsageFailure(str(error)) from error
    record(
        database,
        AuditEntry("user-created", None, note=f"{user.email} ({user.role}), by the command line"),
    )
    click.echo(f"added {user.role} {user.email}")
