"""Signed-in browsers: a random token in the cookie, only its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from .accounts import User, user_of
from .database import Database
from .schema import SessionRow, UserRow

# last_seen_at is written at most this often, not on every request.
SEEN_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a session token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(db: Database, user: User, lifetime: timedelta = timedelta(hours=12)) -> str:
    """A new session for the user: its token, to give the browser (and keep nowhere else)."""
    now = db.clock()
    token = secrets.token_urlsafe(32)
    with db.transaction() as session:
        session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        session.add(
            SessionRow(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + lifetime,
                last_seen_at=now,
            )
        )
    return token


def user_for_session(db: Database, token: str | None) -> User | None:
    """The active user whose unexpired session this token opens, or None."""
    if not token:
        return None
    now = db.clock()
    with db.transaction() as session:
        found = session.execute(
            select(SessionRow, UserRow)
            .join(UserRow, SessionRow.user_id == UserRow.id)
            .where(SessionRow.token_hash == token_hash(token))
        ).first()
        if found is None:
            return None
        row, user = found
        if row.expires_at <= now or not user.active:
            return None
        if now - row.last_seen_at >= SEEN_EVERY:
            row.last_seen_at = now
        return user_of(user)


def close_session(db: Database, token: str | None) -> None:
    """End the session of this token (signing out); nothing if there is none."""
    if token:
        with db.transaction() as session:
            session.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash(token)))


def close_sessions_of(db: Database, user_id: int) -> None:
    """End every session of one user (a password changed, an account stopped)."""
    with db.transaction() as session:
        session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
