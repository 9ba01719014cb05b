"""The accounts store on SQLite and on PostgreSQL: users and their password hashes,
sign-in and its throttling, sessions, the audit log and the published maps' rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mapserver.store import accounts, audit, published, sessions
from mapserver.store.accounts import AccountError, authenticate, create_user
from mapserver.store.schema import SessionRow, UserRow
from mapserver.store.throttling import SignInThrottled, retry_after

from .accounts_helpers import START, Clock, upgraded

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.usefixtures("cheap_hashes")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(database_url, clock):
    database = upgraded(database_url, clock)
    yield database
    database.dispose()


def test_a_user_is_kept_with_a_lower_cased_email_and_an_argon2_hash(db):
    user = create_user(db, "  Ada.Lovelace@Example.ORG ", PASSWORD, "admin", "Ada")
    assert (user.email, user.name, user.role, user.active) == (
        "ada.lovelace@example.org",
        "Ada",
        "admin",
        True,
    )
    assert user.created_at == START
    with db.transaction() as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert accounts.list_users(db) == [user]
    assert accounts.get_user(db, user.id) == user


@pytest.mark.parametrize(
    ("email", "password", "role", "says"),
    [
        ("not-an-email", PASSWORD, "editor", "not an email address"),
        ("a@b", PASSWORD, "editor", "not an email address"),
        ("ed@example.org", "short", "editor", "at least 10 characters"),
        ("ed@example.org", PASSWORD, "owner", "the role must be one of admin, editor"),
    ],
)
def test_a_malformed_user_is_refused(db, email, password, role, says):
    with pytest.raises(AccountError, match=says):
        create_user(db, email, password, role)
    assert accounts.list_users(db) == []


def test_an_email_is_taken_whatever_its_case(db):
    create_user(db, "ed@example.org", PASSWORD)
    with pytest.raises(AccountError, match="already a user ed@example.org"):
        create_user(db, "ED@example.org", "another password")
    assert len(accounts.list_users(db)) == 1


def test_authenticate_takes_the_right_password_only_of_an_active_user(db):
    user = create_user(db, "ed@example.org", PASSWORD)
    assert authenticate(db, "ED@example.org ", PASSWORD, "10.0.0.1") == user
    assert authenticate(db, "ed@example.org", PASSWORD + "!", "10.0.0.1") is None
    assert authenticate(db, "nobody@example.org", PASSWORD, "10.0.0.1") is None
    accounts.set_active(db, user.id, False)
    assert authenticate(db, "ed@example.org", PASSWORD, "10.0.0.1") is None


def _fail(db, clock, times, email="ed@example.org", client="10.0.0.1"):
    for _ in range(times):
        assert authenticate(db, email, "wrong password", client) is None
        clock.advance(seconds=1)


def test_twenty_failures_for_an_email_refuse_even_the_right_password(db, clock):
    create_user(db, "ed@example.org", PASSWORD)
    _fail(db, clock, 20)  # at START + 0 s ... START + 19 s
    clock.now = START + timedelta(seconds=60)
    with pytest.raises(SignInThrottled) as refused:
        authenticate(db, "ed@example.org", PASSWORD, "10.0.0.2")  # another client too
    # the first failure leaves the 15-minute window at START + 900 s
    assert refused.value.retry_after == 900 - 60
    clock.now = START + timedelta(seconds=900)
    assert authenticate(db, "ed@example.org", PASSWORD, "10.0.0.2") is not None


def test_twenty_failures_from_one_client_refuse_it_any_email(db, clock):
    create_user(db, "ed@example.org", PASSWORD)
    for n in range(20):
        _fail(db, clock, 1, email=f"guess{n}@example.org", client="10.6.6.6")
    with pytest.raises(SignInThrottled):
        authenticate(db, "ed@example.org", PASSWORD, "10.6.6.6")
    assert authenticate(db, "ed@example.org", PASSWORD, "10.0.0.1") is not None


def test_a_success_starts_the_count_again(db, clock):
    create_user(db, "ed@example.org", PASSWORD)
    _fail(db, clock, 19)
    assert authenticate(db, "ed@example.org", PASSWORD, "10.0.0.1") is not None
    _fail(db, clock, 19)
    assert authenticate(db, "ed@example.org", PASSWORD, "10.0.0.1") is not None


def test_retry_after_counts_consecutive_failures_within_the_window():
    now = START + timedelta(minutes=10)
    failures = [(now - timedelta(seconds=n), False) for n in range(20)]
    # the oldest of the twenty is 19 s old: it leaves the window in 900 - 19 s
    assert retry_after(failures, now) == 881
    assert retry_after(failures[:19], now) is None
    assert retry_after([*failures[:10], (now, True), *failures[10:]], now) is None
    stale = [(now - timedelta(minutes=15, seconds=n), False) for n in range(20)]
    assert retry_after(stale, now) is None


def test_a_session_opens_by_its_token_and_only_its_hash_is_kept(db, clock):
    user = create_user(db, "ed@example.org", PASSWORD)
    token = sessions.open_session(db, user, timedelta(hours=12))
    assert sessions.user_for_session(db, token) == user
    assert sessions.user_for_session(db, token + "x") is None
    assert sessions.user_for_session(db, None) is None
    with db.transaction() as session:
        row = session.scalars(select(SessionRow)).one()
    assert row.token_hash == sessions.token_hash(token) != token
    assert len(row.token_hash) == 64
    assert (row.created_at, row.expires_at) == (START, START + timedelta(hours=12))
    clock.advance(minutes=5)
    sessions.user_for_session(db, token)
    with db.transaction() as session:
        assert session.scalars(select(SessionRow.last_seen_at)).one() == START + timedelta(
            minutes=5
        )


def test_a_session_ends_when_closed_expired_or_its_user_stopped(db, clock):
    user = create_user(db, "ed@example.org", PASSWORD)
    closed = sessions.open_session(db, user)
    sessions.close_session(db, closed)
    assert sessions.user_for_session(db, closed) is None
    short = sessions.open_session(db, user, timedelta(hours=1))
    clock.advance(hours=1)
    assert sessions.user_for_session(db, short) is None
    kept = sessions.open_session(db, user)
    accounts.set_active(db, user.id, False)
    assert sessions.user_for_session(db, kept) is None


def test_the_audit_log_keeps_entries_newest_first(db, clock):
    user = create_user(db, "ed@example.org", PASSWORD)
    first = audit.record(db, audit.AuditEntry("published", user.id, "cvd", "abc123", "first"))
    clock.advance(minutes=1)
    audit.record(db, audit.AuditEntry("withdrew", user.id, "cvd", "abc123"))
    audit.record(db, audit.AuditEntry("user-created", None, note="x@example.org (editor)"))
    assert first.at == START and first.id is not None
    assert [e.action for e in audit.audit_entries(db)] == ["user-created", "withdrew", "published"]
    assert [e.action for e in audit.audit_entries(db, indicator_id="cvd")] == [
        "withdrew",
        "published",
    ]
    assert audit.audit_entries(db, user_id=user.id)[-1] == first


def test_published_maps_are_added_listed_republished_and_withdrawn(db, clock):
    ed = create_user(db, "ed@example.org", PASSWORD)
    other = create_user(db, "other@example.org", PASSWORD)
    first = published.add_map(db, ed.id, "cvd", "Heart disease deaths")
    clock.advance(minutes=1)
    second = published.add_map(db, ed.id, "smoking", "Smoking")
    published.add_map(db, other.id, "cvd", "Not Ed's")
    assert [m.id for m in published.maps_of(db, ed.id)] == [second.id, first.id]
    clock.advance(minutes=1)
    gone = published.withdraw(db, second.id)
    assert (gone.withdrawn_at, gone.live) == (START + timedelta(minutes=2), False)
    assert [m.id for m in published.maps_of(db, ed.id, withdrawn=False)] == [first.id]
    clock.advance(minutes=1)
    back = published.republish(db, second.id, title="Smoking, 2024")
    assert (back.live, back.title, back.updated_at) == (
        True,
        "Smoking, 2024",
        START + timedelta(minutes=3),
    )
    assert published.get_map(db, first.id) == first
    assert published.get_map(db, 999) is None
    with pytest.raises(published.UnknownMap):
        published.withdraw(db, 999)
