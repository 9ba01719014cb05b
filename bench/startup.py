"""Section 4: time from process start to the first 200 from /embed/england."""

from __future__ import annotations

import statistics
import tempfile
import time

from procs import free_port, http_get, mapserver_command, start, stop, tail

POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 90


def first_200(data_dir: str, path: str = "/embed/england") -> float:
    """Seconds from just before Popen to the first 200 from path, polling every 20 ms."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    with tempfile.TemporaryFile() as log:
        began = time.perf_counter()
        process = start(mapserver_command(port), {"MAPSERVER_DATA_DIR": data_dir}, log)
        try:
            while time.perf_counter() - began < TIMEOUT_SECONDS:
                if http_get(url, timeout=1.0)[0] == 200:
                    return time.perf_counter() - began
                if process.poll() is not None:
                    raise RuntimeError(
                        f"mapserver serve exited with {process.returncode}{tail(log)}"
                    )
                time.sleep(POLL_SECONDS)
            raise RuntimeError(f"no 200 from {path} within {TIMEOUT_SECONDS} s{tail(log)}")
        finally:
            stop(process)


def measure(data_dir: str, runs: int) -> dict:
    """Median, min and max of several cold starts."""
    seconds = [first_200(data_dir) for _ in range(runs)]
    return {
        "path": "/embed/england",
        "runs_s": seconds,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
    }
