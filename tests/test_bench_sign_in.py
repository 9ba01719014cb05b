"""bench/sign_in.py stays runnable and prints its table (its figures are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "sign_in.py"


def test_the_sign_in_bench_prints_every_step_on_both_databases():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["step", "database", "median", "ms", "slowest", "ms"]
    rows = [line for line in lines[2:] if line.strip()]
    assert len(rows) == 2 + 4 * 2  # the hash, the check, four steps on each database
    assert sum("postgresql" in row for row in rows) == 4
