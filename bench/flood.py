"""Section 6: a reader of a cached embed, alone and then under a flood of uncached images.

Run: python bench/flood.py flood BASE_URL START CYCLES KIND PHASE   (the flood alone; JSON)

The reader is one keep-alive connection fetching the same cached embed back to back,
through alternating quiet and flood phases (see Schedule). The flood is a separate
process (so its threads do not share the reader's interpreter) with 16 keep-alive
connections, each asking for /image/england.png with a week (and, once the weeks run
out, a scheme and class count) no one has asked for before, and asking again as soon
as it has an answer. Each run starts a fresh server:

- "uncached": the flood ignores Retry-After, as a crawler or an attacker would; with
  the default build bounds and waiting room (the target), then for comparison with the
  bounds but no waiting room (MAPSERVER_BUILD_QUEUE=0: every request past the bound is
  refused at once, and asks again at once), and with no bound at all
  (MAPSERVER_MAX_BUILDS=0, MAPSERVER_MAX_IMAGE_BUILDS=0);
- "polite": the same flood, but each connection waits Retry-After after a 503;
- "cached": 16 connections asking for the reader's own cached embed, for reference:
  what any flood of cheap requests costs the reader on this machine.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from procs import PYTHON, ROOT, free_port, http_get, mapserver_command, running

FLOOD_CONNECTIONS = 16
# One worker: the reader and the flood share its threads (with two, where each lands is
# chance, and a reader alone in a worker would measure nothing)
WORKERS = 1
FLOOD_PATH = "/image/england.png"
READER_PATH = "/embed/england?week=2021-02-21"
HEADERS = {"Accept-Encoding": "gzip"}
WARM_REQUESTS = 50
PHASE_SECONDS = 4.0  # quiet, flood, quiet, flood, ...
RAMP_SECONDS = 0.5  # flood phase samples count from this far in
SETTLE_SECONDS = 1.5  # quiet phase samples count from this far in (builds left finish)
START_SECONDS = 2.0  # time for the flood process to start before the first phase
TIMEOUT_SECONDS = 60.0
WIDTHS = (1200, 600, 300, 900, 2000)  # the drawn widths (mapserver.image.WIDTHS)
SCHEMES = [("dashboard", 5)] + [
    (scheme, k)
    for scheme in ("quantiles", "natural-breaks", "equal-interval")
    for k in range(3, 10)
]
NO_BOUND = {"MAPSERVER_MAX_BUILDS": "0", "MAPSERVER_MAX_IMAGE_BUILDS": "0"}
NO_WAITING = {"MAPSERVER_BUILD_QUEUE": "0"}
# (name, flood kind, server environment); the first is the one with the target
RUNS = [
    ("uncached images, bounded (defaults)", "uncached", {}),
    ("uncached images, bounded, refused at once (no waiting room)", "uncached", NO_WAITING),
    ("uncached images, no bound", "uncached", NO_BOUND),
    ("uncached images honouring Retry-After, bounded", "polite", {}),
    ("the cached embed itself (reference)", "cached", {}),
]
KINDS = ("uncached", "polite", "cached")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of values (share from 0 to 1)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def ratio(flooded: float | None, quiet: float | None) -> float | None:
    """flooded / quiet, or None where a phase had no answer to measure."""
    return flooded / quiet if flooded and quiet else None


def connection(base: str) -> http.client.HTTPConnection:
    """A keep-alive connection to the server at base."""
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, str | None]:
    """GET path on conn, read the body; the status and the Retry-After header."""
    conn.request("GET", path, headers=HEADERS)
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("Retry-After")


class Schedule:
    """Alternating quiet and flood phases of PHASE_SECONDS from a wall-clock start.

    The reader's quiet and flooded samples interleave over the same minutes, so a change
    in the machine's other load touches both alike; margins at the start of each phase
    keep the flood's ramp-up and the builds it left running out of the figures.
    """

    def __init__(self, start: float, cycles: int, phase: float = PHASE_SECONDS):
        self.start = start
        self.seconds = phase  # of each phase
        self.end = start + 2 * cycles * phase

    def phase(self, moment: float) -> tuple[bool, float]:
        """(is a flood phase, seconds since the phase began) at a time.time() moment."""
        number, into = divmod(moment - self.start, self.seconds)
        return int(number) % 2 == 1, into

    def kind(self, moment: float) -> str | None:
        """'quiet' or 'flood' for a sample taken at moment, or None inside a margin."""
        flooding, into = self.phase(moment)
        if flooding:
            return "flood" if into >= RAMP_SECONDS else None
        return "quiet" if into >= SETTLE_SECONDS else None


def summary(latencies: list[float], statuses: Counter) -> dict:
    """Count, p50, p99 and max of latencies in ms (None if none), and the statuses seen."""
    return {
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50) if latencies else None,
        "p99_ms": percentile(latencies, 0.99) if latencies else None,
        "max_ms": max(latencies, default=None),
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
    }


def read(base: str, path: str, schedule: Schedule) -> dict[str, dict]:
    """Fetch path back to back on one connection through the schedule, by phase."""
    conn = connection(base)
    latencies = {"quiet": [], "flood": []}
    statuses = {"quiet": Counter(), "flood": Counter()}
    longest = 0.0
    try:
        time.sleep(max(schedule.start - time.time(), 0))
        while time.time() < schedule.end:
            moment = time.time()
            began = time.perf_counter()
            status, _ = fetch(conn, path)
            elapsed = (time.perf_counter() - began) * 1000
            longest = max(longest, elapsed)
            kind = schedule.kind(moment)
            if kind:
                latencies[kind].append(elapsed)
                statuses[kind][status] += 1
    finally:
        conn.close()
    found = {kind: summary(latencies[kind], statuses[kind]) for kind in latencies}
    return {**found, "longest_ms": longest}


def flood_paths(first_week: date, last_week: date):
    """Image paths never asked for before: every week, then every scheme, k and width.

    About 150,000 of them, enough for a full run's flood phases at several thousand
    requests a second; should they run out, the flood says so (`ran_out`).
    """
    weeks = [first_week + timedelta(days=n) for n in range((last_week - first_week).days + 1)]
    for width, (scheme, k), week in itertools.product(WIDTHS, SCHEMES, weeks):
        params = {"week": f"{week:%Y-%m-%d}"}
        if scheme != "dashboard":
            params.update(scheme=scheme, k=k)
        params["width"] = width
        yield f"{FLOOD_PATH}?{urlencode(params)}"


def flood(base: str, schedule: Schedule, kind: str) -> dict:
    """FLOOD_CONNECTIONS threads asking in the schedule's flood phases; counts of statuses."""
    health = json.loads(http_get(f"{base}/healthz")[2])
    if kind == "cached":
        paths = itertools.repeat(READER_PATH)
    else:
        first = date.fromisoformat(health["first_week"])
        paths = flood_paths(first, date.fromisoformat(health["default_week"]))
    lock = threading.Lock()
    ran_out = threading.Event()
    statuses: Counter = Counter()
    latencies: dict[int, list[float]] = {}

    def worker():
        conn = connection(base)
        while (now := time.time()) < schedule.end:
            if now < schedule.start:
                time.sleep(schedule.start - now)
                continue
            flooding, into = schedule.phase(now)
            if not flooding:
                # to the next flood phase, on a new connection: the server closes idle ones
                conn.close()
                time.sleep(schedule.seconds - into)
                conn = connection(base)
                continue
            with lock:
                path = next(paths, None)
            if path is None:
                ran_out.set()
                break
            began = time.perf_counter()
            retry_after = None
            try:
                status, retry_after = fetch(conn, path)
            except (OSError, http.client.HTTPException):
                status = 0  # connection error: counted, then a new connection
                conn.close()
                conn = connection(base)
            with lock:
                statuses[status] += 1
                latencies.setdefault(status, []).append(time.perf_counter() - began)
            if kind == "polite" and retry_after:
                time.sleep(float(retry_after))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(FLOOD_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": sum(statuses.values()),
        "ran_out": ran_out.is_set(),
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "median_ms_by_status": {
            str(key): round(percentile(values, 0.5) * 1000, 1)
            for key, values in sorted(latencies.items())
        },
    }


def start_flood(base: str, schedule: Schedule, cycles: int, kind: str) -> subprocess.Popen:
    """The flood in a process of its own."""
    command = [PYTHON, str(ROOT / "bench" / "flood.py"), "flood", base]
    command += [repr(schedule.start), str(cycles), kind, repr(schedule.seconds)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def one_server(data_dir: str, kind: str, env: dict, seconds: float, phase: float) -> dict:
    """A fresh `mapserver serve --workers 1`: the reader through quiet and flood phases."""
    # (as many cycles as the run's seconds call for at the default phase: a shorter phase
    # shortens the run)
    cycles = max(1, round(seconds / (PHASE_SECONDS - SETTLE_SECONDS)))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"MAPSERVER_DATA_DIR": data_dir, **env}
    with running(mapserver_command(port, WORKERS), f"{base}/healthz", env):
        # warm: the embed is built once in each worker that answers it
        for _ in range(WARM_REQUESTS):
            if http_get(base + READER_PATH, HEADERS)[0] != 200:
                raise RuntimeError(f"{READER_PATH} does not answer 200")
        schedule = Schedule(time.time() + START_SECONDS, cycles, phase)
        process = start_flood(base, schedule, cycles, kind)
        try:
            phases = read(base, READER_PATH, schedule)
            stdout, _ = process.communicate(timeout=TIMEOUT_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if process.returncode != 0:
            raise RuntimeError(f"the flood process failed ({process.returncode})")
    return {
        "kind": kind,
        "env": env,
        "cycles": cycles,
        **phases,
        "flood_requests": json.loads(stdout),
        "p99_ratio": ratio(phases["flood"]["p99_ms"], phases["quiet"]["p99_ms"]),
    }


def measure(data_dir: str, seconds: float, phase: float = PHASE_SECONDS) -> dict:
    """The reader alone and under each flood, each on a fresh server (`phase`: seconds of
    each quiet and flood phase; shorter than the default only for a smoke run)."""
    servers = {name: one_server(data_dir, kind, env, seconds, phase) for name, kind, env in RUNS}
    return {
        "seconds": seconds,
        "phase_seconds": phase,
        "connections": FLOOD_CONNECTIONS,
        "reader_path": READER_PATH,
        "flood_path": FLOOD_PATH,
        "servers": servers,
    }


if __name__ == "__main__":
    if len(sys.argv) != 7 or sys.argv[1] != "flood" or sys.argv[5] not in KINDS:
        sys.exit(__doc__.splitlines()[2])
    _, _, base, start, cycles, kind, phase = sys.argv
    print(json.dumps(flood(base, Schedule(float(start), int(cycles), float(phase)), kind)))
