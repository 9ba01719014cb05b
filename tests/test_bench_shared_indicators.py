"""bench/shared_indicators.py stays runnable and prints its table (no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "shared_indicators.py"


def test_the_two_server_bench_prints_every_round(tmp_path):
    out = tmp_path / "shared.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--rounds", "2", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| round | what | `mapserver add` s | pulled on B s |")
    assert [line.split("|")[2].strip() for line in lines[2:4]] == ["new indicator", "new version"]
    assert "not in time" not in done.stdout
    results = json.loads(out.read_text())
    assert len({r["version"] for r in results["rounds"]}) == 2
    assert all({"pulled", "b_serving", "a_serving"} <= r.keys() for r in results["rounds"])
