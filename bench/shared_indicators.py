"""Several servers, one database: how soon a map published on one is served by another.

Run: .venv/bin/python bench/shared_indicators.py [--rounds N] [--watch-every S] [--json FILE]

A throwaway PostgreSQL cluster (tests/postgres.py), `mapserver db upgrade`, and two
`mapserver serve --workers 2` with their own store directories and the same
MAPSERVER_DATABASE_URL. Each round runs `mapserver add` against server A's store (the
ONS cardiovascular file first, then versions with its figures scaled) and prints, from
`mapserver add` returning:

- pulled: B's store names the new version in its current.json (the sync itself; when
  B's poll came before the command finished, negative);
- B serving: /healthz of both of B's workers names it (pulled, loaded, warmed, switched);
- A serving: the same on the server it was published on.

The first round is an indicator neither server has seen (its outlines are dissolved for
the first time); later rounds are new versions of it. It also prints the cost of the
generation poll each worker makes every MAPSERVER_WATCH_EVERY seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from procs import PYTHON, ROOT, free_port, http_get, mapserver_command, running

sys.path.insert(0, str(ROOT))

from mapserver.store.database import Database  # noqa: E402
from mapserver.store.indicator_store import read_versions  # noqa: E402
from mapserver.store.shared_indicators import generation  # noqa: E402

DATA_DIR = Path(os.environ.get("MAPSERVER_DATA_DIR", ROOT.parent / "shared" / "data"))
ONS = DATA_DIR / "indicators" / "ons_els_preventable-cardiovascular-mortality-england.csv"
CVD = "preventable-cardiovascular-mortality-england"
LIMIT = 60.0  # seconds: only so that a broken switch stops the bench


def scaled(folder: Path, factor: float) -> Path:
    """The ONS file with every figure (and its limits) multiplied by `factor`."""
    import pandas as pd

    frame = pd.read_csv(ONS, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for column in ("observation", "lci_95", "uci_95"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        frame[column] = (numbers * factor).map(lambda x: "" if pd.isna(x) else repr(float(x)))
    path = folder / f"cvd-{factor}.csv"
    frame.to_csv(path, index=False)
    return path


def cli(env: dict, *args: str) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "mapserver.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"mapserver {' '.join(args)}: {done.stderr[-2000:]}")


def serving(base: str, version: str, workers: int = 2) -> bool:
    """Whether /healthz of `workers` distinct processes names CVD's `version` (a few asks)."""
    seen: dict[int, str | None] = {}
    for _ in range(6 * workers):
        status, _, body = http_get(f"{base}/healthz", {"Connection": "close"}, timeout=10)
        if status == 200:
            health = json.loads(body)
            seen[health["worker"]] = health["indicators"].get(CVD)
        if len(seen) >= workers:
            break
    return len(seen) >= workers and all(found == version for found in seen.values())


def round_times(a: str, b: str, stores: dict[str, Path], version: str) -> dict:
    """Seconds from now until B pulled `version`, and until every worker of B and A serves it."""
    began = time.perf_counter()
    found: dict[str, float] = {}
    while len(found) < 3 and time.perf_counter() - began < LIMIT:
        now = time.perf_counter() - began
        if "pulled" not in found and read_versions(stores["b"]).get(CVD) == version:
            # when B wrote it: before `add` returned, if B's poll came between the push
            # and the end of the command (the figure is then negative)
            written = (stores["b"] / "current.json").stat().st_mtime
            found["pulled"] = now - (time.time() - written)
        for name, base in (("b_serving", b), ("a_serving", a)):
            if name not in found and serving(base, version):
                found[name] = time.perf_counter() - began
        time.sleep(0.02)
    return found


def poll_cost(url: str, repeat: int = 200) -> float:
    """Median milliseconds of the generation read, on a warm pooled connection."""
    database = Database(url)
    generation(database)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        generation(database)
        times.append((time.perf_counter() - began) * 1000)
    database.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="publications (first: new)")
    parser.add_argument("--watch-every", default="1", help="MAPSERVER_WATCH_EVERY, seconds")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.postgres import cluster, fresh_database

    rows = []
    with cluster() as cluster_url, tempfile.TemporaryDirectory() as folder:
        url = fresh_database(cluster_url)
        shared = {
            "MAPSERVER_DATABASE_URL": url,
            "MAPSERVER_PUBLIC_URL": "https://maps.example.org",
            "MAPSERVER_WATCH_EVERY": options.watch_every,
        }
        cli(shared, "db", "upgrade")
        stores = {name: Path(folder) / name for name in "ab"}
        envs = {name: {**shared, "MAPSERVER_STORE_DIR": str(path)} for name, path in stores.items()}
        bases = {}
        with ExitStack() as servers:
            for name in "ab":
                port = free_port()
                bases[name] = f"http://127.0.0.1:{port}"
                command = mapserver_command(port, workers=2)
                servers.enter_context(
                    running(command, f"{bases[name]}/healthz", envs[name], timeout=300)
                )
            for number in range(options.rounds):
                path = ONS if number == 0 else scaled(Path(folder), 1 + number / 10)
                began = time.perf_counter()
                cli(envs["a"], "add", str(path))
                added = time.perf_counter() - began
                version = read_versions(stores["a"] / "indicators")[CVD]
                found = round_times(
                    bases["a"], bases["b"], {"b": stores["b"] / "indicators"}, version
                )
                rows.append({"round": number + 1, "add_s": added, "version": version, **found})
        poll_ms = poll_cost(url)
    print("| round | what | `mapserver add` s | pulled on B s | B serving s | A serving s |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        what = "new indicator" if row["round"] == 1 else "new version"
        figures = [f"{row[k]:.2f}" if k in row else "not in time" for k in
                   ("add_s", "pulled", "b_serving", "a_serving")]  # fmt: skip
        print(f"| {row['round']} | {what} | {' | '.join(figures)} |")
    print(f"\ngeneration poll: {poll_ms:.3f} ms median (one worker, warm connection)")
    print("(seconds after `mapserver add` returned; 2 workers per server, one machine)")
    if options.json:
        options.json.write_text(json.dumps({"rounds": rows, "poll_ms": poll_ms}, indent=1))


if __name__ == "__main__":
    main()
