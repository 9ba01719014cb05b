"""What signing in costs: an argon2id hash and check at the parameters the server uses,
and a whole sign-in (throttling check, verify, attempt kept, session opened) and a
session check, on SQLite and, if Debian's PostgreSQL is installed, on a throwaway cluster.

Run: .venv/bin/python bench/sign_in.py [--repeat 20]

Prints one table: the median and the slowest of `repeat` runs of each step, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapserver.store import accounts, sessions  # noqa: E402
from mapserver.store.database import Database  # noqa: E402

PASSWORD = "a password for the bench"


def timed(step, repeat: int) -> tuple[float, float]:
    """Median and slowest milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def measure(url: str, repeat: int) -> dict[str, tuple[float, float]]:
    """Each step's figures on the database at `url`."""
    db = Database(url)
    db.upgrade()
    user = accounts.create_user(db, "bench@example.org", PASSWORD)
    token = sessions.open_session(db, user)
    figures = {
        "sign-in (right password)": timed(
            lambda: accounts.authenticate(db, "bench@example.org", PASSWORD, "10.0.0.1"), repeat
        ),
        "sign-in (unknown email)": timed(
            lambda: accounts.authenticate(db, "nobody@example.org", PASSWORD, "10.0.0.2"), repeat
        ),
        "session check": timed(lambda: sessions.user_for_session(db, token), repeat),
        "open session": timed(lambda: sessions.open_session(db, user), repeat),
    }
    db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    hasher = accounts.hasher()
    hashed = hasher.hash(PASSWORD)
    rows = [
        ("argon2id hash", "-", timed(lambda: hasher.hash(PASSWORD), args.repeat)),
        ("argon2id verify", "-", timed(lambda: hasher.verify(hashed, PASSWORD), args.repeat)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for step, figures in measure(f"sqlite:///{folder}/bench.sqlite3", args.repeat).items():
            rows.append((step, "sqlite", figures))
    from tests.postgres import cluster, fresh_database, postgres_bin

    if postgres_bin() is not None:
        with cluster() as url:
            for step, figures in measure(fresh_database(url), args.repeat).items():
                rows.append((step, "postgresql", figures))
    print(f"argon2 parameters: {hasher.time_cost=} {hasher.memory_cost=} {hasher.parallelism=}")
    print(f"{'step':<26} {'database':<11} {'median ms':>10} {'slowest ms':>11}")
    for step, database, (median, slowest) in rows:
        print(f"{step:<26} {database:<11} {median:>10.1f} {slowest:>11.1f}")


if __name__ == "__main__":
    main()
