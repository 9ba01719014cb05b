"""End to end: daily snapshots of the real archive fed to a running 2-worker server.

Several clients request pages, values, images and health throughout; after each
`mapserver update` every worker must serve the new default week, no request may fail,
and a pinned embed made before the updates must answer with the same bytes after them.
The last snapshot revises Corby's counts: the pinned URL keeps the old figures, the
live one shows the revision.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import requests

from .browser import running_server
from .conftest import SHARED_DATA

ARCHIVE = SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
FIRST_DAY = pd.Timestamp("2021-02-26")  # default week 2021-02-21 (5 days of lag)
UPDATES = 2  # days after the first: one plain update, then one with a revision
CORBY = "E07000150"
PINNED_WEEK = "2021-02-21"
SWITCH_LIMIT = 90  # seconds: only so that a broken switch fails instead of hanging


def write_snapshots(folder: Path) -> list[Path]:
    """All archive rows up to day D, for FIRST_DAY and the next UPDATES days.

    The last one also revises Corby's counts for the week to 2021-02-21 (+40 a day).
    """
    archive = pd.read_csv(ARCHIVE, dtype=str)
    dates = pd.to_datetime(archive["date"])
    paths = []
    for offset in range(UPDATES + 1):
        day = FIRST_DAY + pd.Timedelta(days=offset)
        rows = archive[dates <= day]
        if offset == UPDATES:
            rows = rows.copy()
            revised = (rows["areaCode"] == CORBY) & rows["date"].between("2021-02-15", PINNED_WEEK)
            counts = rows.loc[revised, "newCasesBySpecimenDate"].astype(int) + 40
            rows.loc[revised, "newCasesBySpecimenDate"] = counts.astype(str)
        path = folder / f"cases-{day:%Y-%m-%d}.csv"
        rows.to_csv(path, index=False)
        paths.append(path)
    return paths


PACE = 0.02  # seconds between one client's requests, and between polls


class Clients:
    """Threads that request a mix of URLs until stopped, counting every answer."""

    def __init__(self, base: str, urls, count: int = 4):
        self.base, self.urls = base, urls
        self.stop = threading.Event()
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(count)]

    def _run(self, number: int) -> None:
        session = requests.Session()
        turn = number
        while not self.stop.is_set():
            url = self.urls()[turn % len(self.urls())]
            turn += 1
            try:
                response = session.get(self.base + url, timeout=60)
                self.statuses[response.status_code] += 1
                if response.status_code != 200:
                    self.failures.append(f"{response.status_code} {url}")
            except requests.RequestException as error:
                self.failures.append(f"{type(error).__name__} {url}")
            # Paced (at most 50 requests a second each): requests are in flight through
            # every switch, and the update and the workers loading it keep the CPU they
            # need (unpaced, the clients took most of it, and made each switch longer).
            self.stop.wait(PACE)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)


def update(env: dict, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapserver.cli", "update", str(path)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def wait_for_every_worker(base: str, week: str, workers: int = 2) -> float:
    """Seconds until /healthz from `workers` distinct processes reports `week`."""
    started = time.monotonic()
    switched: set[int] = set()
    while len(switched) < workers:
        health = requests.get(f"{base}/healthz", timeout=30).json()
        if health["default_week"] == week:
            switched.add(health["worker"])
        if time.monotonic() - started > SWITCH_LIMIT:
            pytest.fail(f"only workers {switched} serve {week} after {SWITCH_LIMIT} s")
        time.sleep(PACE)
    return time.monotonic() - started


def corby_cases(values: dict) -> int:
    return values["areas"][CORBY][values["fields"].index("cases")]


def test_daily_updates_under_load(tmp_path):
    snapshots = write_snapshots(tmp_path)
    env = {
        "MAPSERVER_DATA_DIR": str(SHARED_DATA),
        "MAPSERVER_CASES": str(snapshots[0]),
        "MAPSERVER_STORE_DIR": str(tmp_path / "store"),
    }
    with running_server(env, timeout=120, workers=2) as base:
        first = requests.get(f"{base}/healthz", timeout=30).json()
        assert first["default_week"] == PINNED_WEEK
        version = first["data_version"]
        pinned_urls = [
            f"/embed/east-midlands?week={PINNED_WEEK}&v={version}",
            f"/values/{version}/east-midlands/{PINNED_WEEK}.json",
            f"/image/east-midlands.png?week={PINNED_WEEK}&v={version}&width=400",
        ]
        published = {url: requests.get(base + url, timeout=60).content for url in pinned_urls}
        live = {"week": PINNED_WEEK, "version": version}

        def urls():
            return [
                "/embed/england",
                "/healthz",
                f"/values/{live['version']}/england/{live['week']}.json",
                "/map/anglia",
                *pinned_urls,
            ]

        waits = []
        with Clients(base, urls) as clients:
            for day, path in enumerate(snapshots[1:], start=1):
                result = update(env, path)
                assert result.returncode == 0, result.stderr
                assert "is now current" in result.stdout
                week = f"{FIRST_DAY + pd.Timedelta(days=day - 5):%Y-%m-%d}"
                waits.append(wait_for_every_worker(base, week))
                health = requests.get(f"{base}/healthz", timeout=30).json()
                live.update(week=week, version=health["data_version"])
            time.sleep(2)  # clients keep going on the last version for a moment
        print(f"\nall workers switched {[f'{w:.1f}' for w in waits]} s after each update;"
              f" answers {dict(clients.statuses)}")  # fmt: skip
        assert clients.failures == []
        assert sum(clients.statuses.values()) > 50

        # The pinned embed, its values and its image are what was published.
        for url, body in published.items():
            assert requests.get(base + url, timeout=60).content == body
        # The live figures for the same week show Corby's revision (+40 a day for 7 days).
        old = requests.get(base + pinned_urls[1], timeout=30).json()
        new = requests.get(
            f"{base}/values/{live['version']}/east-midlands/{PINNED_WEEK}.json", timeout=30
        ).json()
        assert corby_cases(new) == corby_cases(old) + 7 * 40
        embed = requests.get(f"{base}/embed/east-midlands?week={PINNED_WEEK}", timeout=30).text
        assert f"/values/{live['version']}/east-midlands/" in embed
        assert "Data as of" in requests.get(base + pinned_urls[0], timeout=30).text


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_forked_later_start_on_the_current_version(tmp_path):
    """After kill -HUP, gunicorn forks new workers from the start-up data: they catch up
    before answering, so no request sees the start-up version again."""
    from .test_update import make_env, next_day_rows, run, write

    env = make_env(tmp_path)
    with running_server(env, workers=2) as base:
        started = requests.get(f"{base}/healthz", timeout=10).json()["data_version"]
        result = run(env, "update", str(write(tmp_path, "next.csv", next_day_rows())))
        assert result.exit_code == 0, result.stderr
        health = requests.get(f"{base}/healthz", timeout=10).json()
        wait_for_every_worker(base, "2021-01-15")
        version = requests.get(f"{base}/healthz", timeout=10).json()["data_version"]
        assert version != started
        old_workers = set()
        for _ in range(20):
            old_workers.add(requests.get(f"{base}/healthz", timeout=10).json()["worker"])
        os.kill(parent_of(health["worker"]), signal.SIGHUP)  # the server we started
        seen, answers, deadline = set(), 0, time.monotonic() + SWITCH_LIMIT
        while len(seen - old_workers) < 2 or answers < 20:
            assert time.monotonic() < deadline, f"new workers {seen - old_workers}"
            try:
                answer = requests.get(f"{base}/healthz", timeout=10).json()
            except requests.ConnectionError:
                continue  # a worker shutting down may drop a connection it accepted
            assert answer["data_version"] == version, answer
            seen.add(answer["worker"])
            answers += 1
