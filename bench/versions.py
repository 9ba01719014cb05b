"""Live data updates: switch time, memory per versions kept, latency during a switch.

Run: .venv/bin/python bench/versions.py [--quick] [--updates N] [--clients N] [--json FILE]

Daily snapshots of the real archive (all rows up to day D) are fed with
`mapserver update` to `mapserver serve --workers 2`, once with
MAPSERVER_VERSIONS_IN_MEMORY=1 and once with 5, while client threads request the live
England embed throughout. It prints, for each setting:

- switch: seconds from `mapserver update` returning to every worker's /healthz naming
  the new version (polled every 20 ms, so the figure is an upper bound by ~30 ms);
- memory: resident (RSS) and proportional (PSS, shared pages split between processes)
  memory of the master and both workers after the last update;
- latency p50/p99 of the embed requests while quiet (the 4 s before each update) and
  during a switch (from `mapserver update` starting until every worker has switched).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from procs import PYTHON, ROOT, children, free_port, mapserver_command, running

DATA_DIR = Path(os.environ.get("MAPSERVER_DATA_DIR", ROOT.parent / "shared" / "data"))
ARCHIVE = "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
FIRST_DAY = "2021-02-26"
QUIET_SECONDS = 4.0
CLIENTS = 3


def write_snapshots(folder: Path, count: int) -> list[Path]:
    """All archive rows up to each of `count` consecutive days from FIRST_DAY."""
    import pandas as pd

    archive = pd.read_csv(DATA_DIR / ARCHIVE, dtype=str)
    dates = pd.to_datetime(archive["date"])
    paths = []
    for offset in range(count):
        day = pd.Timestamp(FIRST_DAY) + pd.Timedelta(days=offset)
        path = folder / f"cases-{day:%Y-%m-%d}.csv"
        archive[dates <= day].to_csv(path, index=False)
        paths.append(path)
    return paths


class Load:
    """Client threads requesting one URL until stopped: (start time, seconds, status)."""

    def __init__(self, url: str, clients: int = CLIENTS):
        self.url = url
        self.samples: list[tuple[float, float, int]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                status = session.get(self.url, timeout=60).status_code
            except requests.RequestException:
                status = 0
            self.samples.append((began, time.monotonic() - began, status))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def latencies(self, windows: list[tuple[float, float]]) -> list[float]:
        """Latencies of the requests that started inside any of the windows."""
        return [s for t, s, _ in self.samples if any(a <= t < b for a, b in windows)]


def wait_switched(base: str, version: str, workers: int = 2, limit: float = 120) -> float:
    """Seconds until /healthz from `workers` distinct processes names `version`."""
    began = time.monotonic()
    seen: set[int] = set()
    while len(seen) < workers:
        # A new connection each time: a kept-alive one would stay with one worker.
        health = requests.get(f"{base}/healthz", timeout=30, headers={"Connection": "close"})
        health = health.json()
        if health["data_version"] == version:
            seen.add(health["worker"])
        if time.monotonic() - began > limit:
            raise RuntimeError(f"only workers {seen} serve {version} after {limit} s")
        time.sleep(0.02)  # (polling flat out took CPU from the workers it waits for)
    return time.monotonic() - began


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB of a process and its children."""
    rss = pss = 0
    for each in [pid, *children(pid)]:
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "Rss":
                rss += int(value.split()[0])
            elif name == "Pss":
                pss += int(value.split()[0])
    return rss / 1024, pss / 1024


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of values fall (nearest rank), in ms."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_setting(snapshots: list[Path], in_memory: int, store: Path, clients: int = CLIENTS) -> dict:
    """Serve the first snapshot, feed the others one by one, and measure."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "MAPSERVER_DATA_DIR": str(DATA_DIR),
        "MAPSERVER_CASES": str(snapshots[0]),
        "MAPSERVER_STORE_DIR": str(store),
        "MAPSERVER_VERSIONS_IN_MEMORY": str(in_memory),
    }
    switches, quiet, busy, failures = [], [], [], 0
    with running(mapserver_command(port, 2), f"{base}/healthz", env) as server:
        with Load(f"{base}/embed/england", clients) as load:
            for path in snapshots[1:]:
                time.sleep(QUIET_SECONDS)
                quiet.append((time.monotonic() - QUIET_SECONDS, time.monotonic()))
                began = time.monotonic()
                done = subprocess.run(
                    [PYTHON, "-m", "mapserver.cli", "update", str(path)],
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"update failed: {done.stderr.strip()}")
                version = done.stdout.split("data version ", 1)[1].split()[0]
                switches.append(wait_switched(base, version))
                busy.append((began, time.monotonic()))
        rss, pss = memory(server.pid)
        failures = sum(1 for _, _, status in load.samples if status != 200)
        quiet_ms = load.latencies(quiet)
        busy_ms = load.latencies(busy)
        versions = requests.get(f"{base}/healthz", timeout=30).json()["versions_in_memory"]
    return {
        "versions_in_memory": in_memory,
        "versions_held": len(versions),
        "updates": len(snapshots) - 1,
        "switch_s": switches,
        "rss_mb": rss,
        "pss_mb": pss,
        "requests": len(load.samples),
        "failed": failures,
        "quiet_p50_ms": percentile(quiet_ms, 0.5),
        "quiet_p99_ms": percentile(quiet_ms, 0.99),
        "quiet_n": len(quiet_ms),
        "switch_p50_ms": percentile(busy_ms, 0.5),
        "switch_p99_ms": percentile(busy_ms, 0.99),
        "switch_n": len(busy_ms),
    }


def table(results: list[dict]) -> str:
    """The figures as a markdown table."""
    lines = [
        "| versions in memory (held) | updates | switch time, median (max) | RSS | PSS "
        "| quiet p50 / p99 (n) | during a switch p50 / p99 (n) | failed |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r['versions_in_memory']} ({r['versions_held']}) | {r['updates']} "
            f"| {statistics.median(r['switch_s']):.2f} s ({max(r['switch_s']):.2f} s) "
            f"| {r['rss_mb']:.0f} MB | {r['pss_mb']:.0f} MB "
            f"| {r['quiet_p50_ms']:.1f} / {r['quiet_p99_ms']:.1f} ms ({r['quiet_n']}) "
            f"| {r['switch_p50_ms']:.1f} / {r['switch_p99_ms']:.1f} ms ({r['switch_n']}) "
            f"| {r['failed']} of {r['requests']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one update per setting")
    parser.add_argument("--updates", type=int, default=4, help="updates per setting (4)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--clients", type=int, default=CLIENTS, help=f"client threads of the load ({CLIENTS})"
    )
    args = parser.parse_args(argv)
    updates = 1 if args.quick else args.updates
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-versions-") as tmp:
        snapshots = write_snapshots(Path(tmp), updates + 1)
        for in_memory in (1, 5):
            store = Path(tmp) / f"store-{in_memory}"
            results.append(run_setting(snapshots, in_memory, store, args.clients))
            print(f"versions in memory {in_memory}: done", file=sys.stderr)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
