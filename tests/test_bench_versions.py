"""Smoke test: bench/versions.py completes and prints its table (no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "versions.py"


def test_versions_benchmark_runs(tmp_path):
    out = tmp_path / "versions.json"
    done = subprocess.run(
        # (one client: the load runs flat out, and a smoke run only needs requests in
        # flight through the switch, not both CPUs taken from the rest of the suite)
        [sys.executable, str(BENCH), "--quick", "--clients", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| versions in memory (held) | updates | switch time")
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["1 (1)", "5 (2)"]
    results = json.loads(out.read_text())
    assert [r["failed"] for r in results] == [0, 0]
    assert all(r["requests"] > 0 and len(r["switch_s"]) == 1 for r in results)
