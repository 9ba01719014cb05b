"""Sign-in throttling: after too many consecutive failures for one email or one client
address, every attempt is refused for a while, the right password included."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core.errors import MapserverError
from .schema import SignInAttemptRow

MAX_FAILURES = 20
WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=1)  # attempts older than this are forgotten


class SignInThrottled(MapserverError):
    """Too many failed sign-ins: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


def retry_after(recent: Sequence[tuple[datetime, bool]], now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None if one is allowed now.

    `recent`: (when, ok) of the attempts within the window, newest first. The refusal
    lasts until the oldest of the last MAX_FAILURES consecutive failures leaves the window.
    """
    failures = []
    for when, ok in recent:
        if ok or now - when >= WINDOW:
            break
        failures.append(when)
        if len(failures) == MAX_FAILURES:
            return max(1, math.ceil((failures[-1] + WINDOW - now).total_seconds()))
    return None


def _recent(session: Session, column, value: str, now: datetime) -> list[tuple[datetime, bool]]:
    rows = session.execute(
        select(SignInAttemptRow.at, SignInAttemptRow.ok)
        .where(column == value, SignInAttemptRow.at > now - WINDOW)
        .order_by(SignInAttemptRow.at.desc(), SignInAttemptRow.id.desc())
        .limit(MAX_FAILURES)
    )
    return [(when, ok) for when, ok in rows]


def check(session: Session, email: str, client: str, now: datetime) -> None:
    """Raise SignInThrottled if either the email or the client address is throttled."""
    waits = [
        retry_after(_recent(session, SignInAttemptRow.email, email, now), now),
        retry_after(_recent(session, SignInAttemptRow.client, client, now), now),
    ]
    longest = max((wait for wait in waits if wait is not None), default=None)
    if longest is not None:
        raise SignInThrottled(longest)


def note(session: Session, email: str, client: str, ok: bool, now: datetime) -> None:
    """Keep an attempt, and forget those older than a day."""
    session.add(SignInAttemptRow(email=email, client=client, at=now, ok=ok))
    session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.at < now - KEPT))
