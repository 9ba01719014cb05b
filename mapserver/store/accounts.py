"""Users of the desk: created with an argon2 password hash, listed, and authenticated
(with sign-in throttling, throttling.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.errors import MapserverError
from . import throttling
from .database import Database
from .schema import ROLES, UserRow

MIN_PASSWORD = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CLIENT_CHARS = 64


class AccountError(MapserverError):
    """A user that cannot be created as asked: a bad email, role or password, or a taken email."""


@dataclass(frozen=True)
class User:
    """A desk user as the other layers see one (never the password hash)."""

    id: int
    email: str
    name: str
    role: str
    created_at: datetime
    active: bool

    @property
    def is_admin(self) -> bool:
        """True for an administrator."""
        return self.role == "admin"


def user_of(row: UserRow) -> User:
    """The User of a row."""
    return User(row.id, row.email, row.name, row.role, row.created_at, row.active)


@cache
def hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's default (RFC 9106 low-memory) parameters."""
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    # Checked against when the email is unknown, so an unknown email takes as long to
    # refuse as a wrong password (no telling which emails have accounts by timing).
    return hasher().hash("not anyone's password")


def normal_email(email: str) -> str:
    """An email as it is kept and looked up: trimmed and lower-cased."""
    return email.strip().lower()


def check_new_user(email: str, password: str, role: str) -> str:
    """The normalised email, or AccountError saying what is wrong with the new user."""
    email = normal_email(email)
    if len(email) > 320 or not EMAIL.fullmatch(email):
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    return email


def create_user(
    db: Database, email: str, password: str, role: str = "editor", name: str = ""
) -> User:
    """Add a user; AccountError if the email is malformed or taken, or the password short."""
    email = check_new_user(email, password, role)
    row = UserRow(
        email=email,
        name=name.strip()[:200],
        password_hash=hasher().hash(password),
        role=role,
        created_at=db.clock(),
        active=True,
    )
    try:
        with db.transaction() as session:
            session.add(row)
            session.flush()
            return user_of(row)
    except IntegrityError:
        raise AccountError(f"there is already a user {email}") from None


def get_user(db: Database, user_id: int) -> User | None:
    """The user with this id, or None."""
    with db.transaction() as session:
        row = session.get(UserRow, user_id)
        return None if row is None else user_of(row)


def list_users(db: Database) -> list[User]:
    """Every user, by email."""
    with db.transaction() as session:
        return [user_of(row) for row in session.scalars(select(UserRow).order_by(UserRow.email))]


def set_active(db: Database, user_id: int, active: bool) -> None:
    """Let a user sign in again, or stop them (their sessions then stop working too)."""
    with db.transaction() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise AccountError(f"no user {user_id}")
        row.active = active


def _verified(row: UserRow | None, password: str) -> bool:
    try:
        return hasher().verify(row.password_hash if row else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Database, email: str, password: str, client: str) -> User | None:
    """The active user with this email and password, or None (the attempt is kept).

    Raises SignInThrottled after too many consecutive failures for the email or the
    client address, before the password is even checked.
    """
    now = db.clock()
    email, client = normal_email(email)[:320], client[:CLIENT_CHARS]
    with db.transaction() as session:
        throttling.check(session, email, client, now)
        row = session.scalars(select(UserRow).where(UserRow.email == email)).first()
        ok = _verified(row, password) and row is not None and row.active
        throttling.note(session, email, client, ok, now)
        if not ok:
            return None
        if hasher().check_needs_rehash(row.password_hash):
            row.password_hash = hasher().hash(password)  # parameters raised since
        return user_of(row)
