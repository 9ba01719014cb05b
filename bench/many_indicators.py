"""Many indicators in one store: the first /api/indicators, start to first embed, memory.

    python bench/many_indicators.py [-n 100] [--quick] [--json PATH]

1. Makes N indicators (default 100) in a temporary store, each through `mapserver add`'s
   own path (update/indicators.add): a plain CSV of yearly counts, 22 years over every
   district of the built-in lookup, with counts drawn around a rate per 100,000.
2. Starts `mapserver serve --workers 2` on that store, as a reader would meet it: seconds
   from the process start to the first 200 of one indicator's embed, then the seconds
   of the first /api/indicators, then each gunicorn worker's resident memory (VmRSS in
   /proc/<pid>/status; the workers found by /healthz, which names its pid) once both
   have answered the same requests.
3. The same server on an empty store (the Covid cases alone), and the difference per
   indicator per worker.

Figures are printed beside their targets, never asserted (tests/test_bench.py
smoke-runs it with -n 3).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from procs import free_port, http_get, mapserver_command, start, stop  # noqa: E402

from mapserver.core.config import load_settings  # noqa: E402
from mapserver.update.indicators import add, reference  # noqa: E402

YEARS = 22
FIRST_YEAR = 2002
REGION = "england"
TARGETS = {"api": 0.5, "embed": 5.0, "per_indicator_mb": 2.0}
TODAY = date(2025, 1, 1)  # after every period made here


def indicator_id(number: int) -> str:
    """The id of the bench's indicator `number`."""
    return f"bench-{number:04d}"


def write_file(folder: Path, number: int, codes: list[str], population: pd.Series) -> Path:
    """A plain CSV of yearly counts for every district, about a rate of its own."""
    rng = np.random.default_rng(number)
    rate = rng.uniform(50, 500)  # per 100,000: each indicator its own level
    # Each area its own level, and a little noise each year: no extreme outliers, which
    # `add` would refuse (Poisson counts of the smallest areas would be).
    level = dict(zip(codes, rng.lognormal(0, 0.15, len(codes)), strict=True))
    rows = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        trend = 1 + 0.01 * (year - FIRST_YEAR)
        for code in codes:
            expected = population[code] * rate * trend * level[code] / 100_000
            rows.append((code, year, round(expected * rng.normal(1, 0.03))))
    path = folder / f"{indicator_id(number)}.csv"
    pd.DataFrame(rows, columns=["area_code", "year", "count"]).to_csv(path, index=False)
    return path


def make_store(store: Path, count: int) -> float:
    """Add `count` indicators to the store through `mapserver add`'s path; seconds."""
    settings = load_settings({"store_dir": str(store)})
    known, population = reference(settings)
    codes = pd.Series(known.districts(2019).index)
    # Each district's population as `add` divides by (City of London's is Hackney's too).
    people = pd.Series(known.area_population(codes, population).to_numpy(), index=codes)
    codes = list(people.index[people > 0])
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as files:
        for number in range(1, count + 1):
            path = write_file(Path(files), number, codes, people)
            title = f"Bench indicator {number}"
            add(settings, path, indicator_id(number), TODAY, {"title": title})
    return time.perf_counter() - began


def first_200(base: str, path: str, process, limit: float = 300.0) -> None:
    """Wait for a 200 from path (polling every 20 ms); RuntimeError if the server dies."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mapserver serve exited with {process.returncode}")
        status, _, _ = http_get(base + path, timeout=60)
        if status == 200:
            return
        time.sleep(0.02)
    raise RuntimeError(f"no 200 from {path} in {limit:.0f} s")


def timed(url: str) -> float:
    """Seconds for one GET that must answer 200."""
    began = time.perf_counter()
    status, _, _ = http_get(url, timeout=120)
    if status != 200:
        raise RuntimeError(f"{url}: {status}")
    return time.perf_counter() - began


def worker_pids(master: int) -> set[int]:
    """The pids of the master's worker processes (its children, from /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def measure(store: Path, embed: str, rounds: int = 6) -> dict:
    """Start a 2-worker server on the store: start to first embed, first /api/indicators,
    and each worker's memory once both have answered the same requests."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"MAPSERVER_STORE_DIR": str(store), "MAPSERVER_WATCH_EVERY": "0"}
    began = time.perf_counter()
    process = start(mapserver_command(port, workers=2), env)
    try:
        first_200(base, embed, process)
        embed_s = time.perf_counter() - began
        api_s = timed(base + "/api/indicators")
        # The same requests several times, so that each worker is likely to have answered
        # them (the kernel hands each connection to whichever worker accepts first).
        for _ in range(rounds):
            for path in ("/api/indicators", embed, f"/map/{REGION}"):
                timed(base + path)
        pids = worker_pids(process.pid)
        rss = {pid: rss_mb(pid) for pid in sorted(pids)}
    finally:
        stop(process)
    return {"embed_s": embed_s, "api_s": api_s, "rss_mb": rss}


def verdict(value: float, target: float) -> str:
    """PASS when under the target."""
    return "PASS" if value < target else "FAIL"


def report(results: dict) -> None:
    """The table of figures beside their targets."""
    many, alone, count = results["many"], results["alone"], results["indicators"]
    many_rss = list(many["rss_mb"].values())
    alone_rss = list(alone["rss_mb"].values())
    mean_many = sum(many_rss) / len(many_rss)
    mean_alone = sum(alone_rss) / len(alone_rss)
    per = (mean_many - mean_alone) / count
    results["per_indicator_mb"] = per
    print(f"\nMany indicators: {count} in one store, 2 workers ({results['add_s']:.1f} s to add)")
    print(f"   {'figure':<44} {'value':>10} {'target':>10} {'':>5}")
    rows = [
        ("first /api/indicators", many["api_s"], "< 0.5 s", "api"),
        ("process start to first embed", many["embed_s"], "< 5 s", "embed"),
    ]
    for name, value, target, key in rows:
        shown = f"{value:.2f} s"
        print(f"   {name:<44} {shown:>10} {target:>10} {verdict(value, TARGETS[key]):>5}")
    print(f"   {'first /api/indicators, Covid cases alone':<44} {alone['api_s']:>8.2f} s")
    print(f"   {'process start to first embed, Covid alone':<44} {alone['embed_s']:>8.2f} s")
    for label, rss in ((f"with {count} indicators", many_rss), ("Covid cases alone", alone_rss)):
        shown = ", ".join(f"{value:.0f}" for value in rss)
        print(f"   {'worker RSS (MB), ' + label:<44} {shown:>10}")
    target = verdict(per, TARGETS["per_indicator_mb"])
    print(f"   {'more per indicator per worker':<44} {per:>7.2f} MB {'< 2 MB':>10} {target:>5}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--indicators", type=int, default=100, help="how many")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 indicators")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    count = 3 if args.quick else args.indicators
    with tempfile.TemporaryDirectory() as work:
        many, empty = Path(work) / "many", Path(work) / "empty"
        empty.mkdir()
        print(f"Adding {count} indicators ({YEARS} yearly periods each) ...", flush=True)
        results = {"indicators": count, "add_s": make_store(many, count)}
        embed = f"/embed/{REGION}?indicator={indicator_id(1)}"
        results["many"] = measure(many, embed)
        results["alone"] = measure(empty, f"/embed/{REGION}")
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")
    return results


if __name__ == "__main__":
    main()
