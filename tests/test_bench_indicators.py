"""The indicator benchmarks stay runnable: indicators.py, desk.py and many_indicators.py
complete and print their figures (none is checked against a target: timings depend on
the machine). Apart from test_bench.py so that xdist runs them beside bench/run.py's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from .conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def test_indicator_bench_quick_completes_and_prints_its_figures(tmp_path):
    out = tmp_path / "indicators.json"
    command = [sys.executable, str(BENCH / "indicators.py"), "--quick"]
    command += ["--data-dir", str(SHARED_DATA), "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1. mapserver add" in done.stdout and "indicator / Covid, first pass" in done.stdout
    results = json.loads(out.read_text())
    added = results["add"]["ONS cardiovascular mortality"]
    assert added["seconds"] > 0 and added["peak_mb"] > 0
    assert results["build"]["covid"]["regions"] == results["build"]["ons"]["regions"] == 14


def test_desk_bench_completes_and_prints_its_table():
    command = [sys.executable, str(BENCH / "desk.py"), "--repeat", "1"]
    command += ["--data-dir", str(SHARED_DATA)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "| upload | MB | rows read | check s | publish s |"
    rows = [line.split(" | ") for line in lines[2:]]
    assert [row[0] for row in rows] == [
        "| ons_els_preventable-cardiovascular-mortality-england.csv",
        "| ons_health-index-scores-england_2015-2021.xlsx",
        "| ONS CSV as a paste",
    ]
    assert rows[0][2] == rows[2][2] == "6,468"  # the paste reads as the file does


def test_many_indicators_bench_prints_its_table_and_figures(tmp_path):
    out = tmp_path / "many.json"
    command = [sys.executable, str(BENCH / "many_indicators.py"), "-n", "3"]
    command += ["--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for row in ("first /api/indicators", "process start to first embed", "worker RSS (MB)"):
        assert row in done.stdout
    per = r"more per indicator per worker +-?\d+\.\d\d MB +< 2 MB +(PASS|FAIL)"
    assert re.search(per, done.stdout)
    results = json.loads(out.read_text())
    assert results["indicators"] == 3
    for run in (results["many"], results["alone"]):
        assert run["api_s"] > 0 and run["embed_s"] > 0
        assert len(run["rss_mb"]) == 2 and all(mb > 50 for mb in run["rss_mb"].values())


def test_desk_pages_bench_completes_and_prints_its_table():
    command = [sys.executable, str(BENCH / "desk_pages.py"), "--repeat", "1"]
    command += ["--data-dir", str(SHARED_DATA)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| upload | KB | upload and check ms | describe page ms, first")
    rows = [line.strip("| ").split(" | ") for line in lines[2:]]
    assert [row[0] for row in rows] == [
        "smoking-fingertipsR.csv",
        "ons_els_preventable-cardiovascular-mortality-england.csv",
    ]
    cells = [part for row in rows for cell in row[1:] for part in cell.split(" / ")]
    assert len(cells) == 2 * 8 and all(float(cell.replace(",", "")) > 0 for cell in cells)
