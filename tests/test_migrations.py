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
SHARED = {"indicator_versions", "current_indicators", "indicator_generation"}


def test_an_empty_database_upgrades_to_head_and_matches_the_models(database_url):
    db = Database(database_url)
    assert db.revision() is None
    db.upgrade()
    assert db.revision() == db.head() == "0004"
    assert set(inspect(db.engine).get_table_names()) >= TABLES | SHARED
    with db.engine.connect() as connection:
        # the migrations make exactly the tables the models declare
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with db.engine.connect() as connection:  # the one generation row, at 0
        assert connection.execute(
            text("SELECT id, generation FROM indicator_generation")
        ).all() == [(1, 0)]
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
        "0003_shared_indicators.py",
        "0004_drafts.py",
    ]


def test_the_previous_revision_upgrades_with_its_maps_and_audit_kept(database_url):
    """From 0002 (the accounts, the desk's maps and the audit log) to the head: every row
    stays, and the shared indicators start empty at generation 0."""
    from mapserver.store.shared_indicators import generation

    db = Database(database_url)
    db.upgrade_to("0002")
    assert not SHARED & set(inspect(db.engine).get_table_names())
    at = START.replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, created_at, active) "
                "VALUES (1, 'ed@example.org', 'Ed', 'x', 'editor', :at, :active)"
            ),
            {"at": at, "active": True},
        )
        connection.execute(
            text(
                "INSERT INTO published_maps (indicator_id, editor_id, title, created_at, "
                "updated_at) VALUES ('flu', 1, 'Flu', :at, :at)"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO audit_log (at, user_id, action, indicator_id, version, note) "
                "VALUES (:at, 1, 'publish', 'flu', 'abcdef012345', '')"
            ),
            {"at": at},
        )
    db.upgrade()
    assert db.revision() == "0004"
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM published_maps")).scalars().all() == [
            "Flu"
        ]
        assert connection.execute(text("SELECT version FROM audit_log")).scalars().all() == [
            "abcdef012345"
        ]
    assert generation(db) == 0
    db.dispose()


def test_0003_upgrades_to_the_drafts_with_its_shared_indicators_kept(database_url):
    """From 0003 (the shared indicators) to 0004 (the desk's drafts): a shared version and
    its current row stay, and the drafts table starts empty."""
    db = Database(database_url)
    db.upgrade_to("0003")
    assert "drafts" not in set(inspect(db.engine).get_table_names())
    at = START.replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO indicator_versions (indicator_id, version, created_at, meta, "
                "observations, national, log) VALUES ('flu', 'abcdef012345', :at, '{}', "
                ":data, NULL, '')"
            ),
            {"at": at, "data": b"\xfd7zXZ"},
        )
        connection.execute(text("INSERT INTO current_indicators VALUES ('flu', 'abcdef012345')"))
    db.upgrade()
    assert db.revision() == "0004"
    with db.engine.connect() as connection:
        kept = connection.execute(text("SELECT version, observations FROM indicator_versions"))
        assert [(v, bytes(b)) for v, b in kept] == [("abcdef012345", b"\xfd7zXZ")]
        assert connection.execute(text("SELECT count(*) FROM drafts")).scalar() == 0
    db.dispose()
