"""The packaged Alembic migrations, on SQLite and PostgreSQL: from an empty database to
the newest revision, and from the previous revision with its rows kept."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from mapserver.store.accounts import authenticate
from mapserver.store.database import MIGRATIONS, Database
from mapserver.store.schema import Base

from .accounts_helpers import START, Clock

TABLES = {"users", "sessions", "sign_in_attempts", "published_maps", "audit_log", "drafts"}


def test_an_empty_database_upgrades_to_head_and_matches_the_models(database_url):
    db = Database(database_url)
    assert db.revision() is None
    db.upgrade()
    assert db.revision() == db.head() == "0004"
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:
        # the migrations make exactly the tables the models declare
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.upgrade()  # a second upgrade does nothing
    assert db.revision() == "0004"
    db.dispose()


def test_the_previous_revision_upgrades_with_its_users_kept(database_url):
    from argon2 import PasswordHasher, profiles

    db = Database(database_url, clock=Clock())
    db.upgrade_to("0001")
    assert db.revision() == "0001"
    names = set(inspect(db.engine).get_table_names())
    assert {"users", "sessions", "sign_in_attempts"} <= names
    assert not {"published_maps", "audit_log"} & names
    hashed = PasswordHasher.from_parameters(profiles.CHEAPEST).hash("kept through 0002")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, name, password_hash, role, created_at, active) "
                "VALUES ('kept@example.org', 'Kept', :hash, 'editor', :at, :active)"
            ),
            {"hash": hashed, "at": START.replace(tzinfo=None), "active": True},
        )
    db.upgrade()
    assert db.revision() == "0004"
    user = authenticate(db, "kept@example.org", "kept through 0002", "10.0.0.1")
    assert (user.email, user.name, user.created_at) == ("kept@example.org", "Kept", START)
    db.dispose()


def test_the_migrations_are_inside_the_package():
    import mapserver

    package = MIGRATIONS.relative_to(mapserver.__path__[0])
    assert str(package) == "store/migrations"
    assert (MIGRATIONS / "env.py").is_file()
    assert sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py")) == [
        "0001_accounts.py",
        "0002_maps_audit.py",
        "0004_drafts.py",
    ]
