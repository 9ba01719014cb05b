"""`mapserver db upgrade` and `mapserver users add`, as an operator runs them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from mapserver.cli import main
from mapserver.store.accounts import authenticate, list_users
from mapserver.store.audit import audit_entries
from mapserver.store.database import Database
from mapserver.store.schema import UserRow

PASSWORD = "a password of some length"


@pytest.fixture
def env(tmp_path):
    return {"MAPSERVER_STORE_DIR": str(tmp_path), "MAPSERVER_DATABASE_URL": ""}


def run(args, env, input=None):
    return CliRunner().invoke(main, args, env=env, input=input, catch_exceptions=False)


def test_db_upgrade_makes_the_sqlite_file_in_the_store(env, tmp_path):
    result = run(["db", "upgrade"], env)
    assert result.exit_code == 0, result.output
    assert "database at revision 0004" in result.output
    db = Database(f"sqlite:///{tmp_path / 'mapserver.sqlite3'}")
    assert db.revision() == db.head() == "0004"
    db.dispose()


def test_db_upgrade_upgrades_the_database_the_setting_names(database_url, tmp_path):
    env = {"MAPSERVER_STORE_DIR": str(tmp_path), "MAPSERVER_DATABASE_URL": database_url}
    assert run(["db", "upgrade"], env).exit_code == 0
    db = Database(database_url)
    assert db.revision() == db.head() == "0004"
    db.dispose()


def test_users_add_asks_for_the_password_twice_and_keeps_an_argon2_hash(env, tmp_path):
    # the real hasher, once: argon2id with argon2-cffi's RFC 9106 low-memory parameters
    result = run(["users", "add", "Boss@Example.org", "--admin"], env, f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert "added admin boss@example.org" in result.output
    db = Database(f"sqlite:///{tmp_path / 'mapserver.sqlite3'}")
    with db.transaction() as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert authenticate(db, "boss@example.org", PASSWORD, "cli").is_admin
    assert audit_entries(db)[0].action == "user-created"
    db.dispose()


@pytest.mark.usefixtures("cheap_hashes")
def test_users_add_refuses_mismatched_prompts_a_taken_email_and_a_short_password(env, tmp_path):
    mismatch = run(["users", "add", "ed@example.org"], env, f"{PASSWORD}\nsomething else\n" * 3)
    assert mismatch.exit_code != 0
    added = run(["users", "add", "ed@example.org", "--password", PASSWORD], env)
    assert (added.exit_code, added.output.strip()) == (0, "added editor ed@example.org")
    again = run(["users", "add", "ED@example.org", "--password", PASSWORD], env)
    assert again.exit_code == 2
    assert "already a user ed@example.org" in again.output
    short = run(["users", "add", "x@example.org", "--password", "short"], env)
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    db = Database(f"sqlite:///{tmp_path / 'mapserver.sqlite3'}")
    assert [u.email for u in list_users(db)] == ["ed@example.org"]
    db.dispose()


def test_users_add_on_an_unupgraded_database_says_to_upgrade(postgres_cluster, tmp_path):
    from .postgres import fresh_database

    env = {"MAPSERVER_STORE_DIR": str(tmp_path)}
    env["MAPSERVER_DATABASE_URL"] = fresh_database(postgres_cluster)
    result = run(["users", "add", "ed@example.org", "--password", PASSWORD], env)
    assert result.exit_code == 2
    assert "run `mapserver db upgrade`" in result.output
