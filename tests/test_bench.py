"""The benchmarks stay runnable: bench/run.py --quick completes and prints its tables.

Nothing here asserts a timing: the figures depend on the machine. The sections that need
a system package run only where it is installed (section 3 needs wrk; nginx is its
optional third server), the rest always.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from flask import Flask

from mapserver.web import serve

from .browser import CHROMIUM, free_port
from .conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
TITLES = {
    "1": "1. Page weight in headless chromium",
    "2": "2. Navigation start to all areas drawn",
    "3": "3. wrk -t2 -c64",
    "4": "4. Process start to the first 200",
    "5": "5. In-process build time",
    "6": "6. A reader of a cached embed, quiet and under a flood",
}


def runnable_sections() -> list[str]:
    """Every section whose tools this machine has."""
    sections = ["4", "6"]
    has_folium = importlib.util.find_spec("folium") is not None
    if has_folium and Path(CHROMIUM).exists():
        sections += ["1", "2"]
    if has_folium:
        sections.append("5")
    if shutil.which("wrk"):
        sections.append("3")
    return sorted(sections)


def test_warm_up_hook_leaves_other_apps_alone():
    # gunicorn calls it after forking a worker; the benchmark's minimal app has no cache
    serve._warm_in_background(SimpleNamespace(wsgi=Flask("minimal")))


def test_minimal_app_boots_under_mapserver_gunicorn_settings(tmp_path):
    (tmp_path / "body").write_bytes(b"<p>fixed</p>")
    (tmp_path / "headers.json").write_text(json.dumps({"ETag": '"abc"'}))
    port = free_port()
    command = [sys.executable, str(BENCH / "minimal_app.py"), str(port)]
    command += [str(tmp_path / "body"), str(tmp_path / "headers.json"), "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"minimal_app.py exited: {process.stderr.read().decode()[-2000:]}")
            try:
                response = requests.get(f"http://127.0.0.1:{port}/anything", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        else:
            pytest.fail("minimal_app.py never answered")
        assert response.status_code == 200
        assert response.content == b"<p>fixed</p>"
        assert response.headers["ETag"] == '"abc"'
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_bench_run_quick_completes_and_prints_its_tables(tmp_path):
    sections = runnable_sections()
    out = tmp_path / "results.json"
    # one cold start and one load per median: a smoke run, its figures are not read
    # (each flood phase 2 s, not 4: enough to see the bounded servers refuse, and the
    # five servers take 40 s less, most of it with both CPUs flooded)
    command = [sys.executable, str(BENCH / "run.py"), "--quick", "--runs", "1"]
    command += ["--flood-phase", "2"]
    command += ["--sections", ",".join(sections)]
    command += ["--data-dir", str(SHARED_DATA), "--json", str(out)]
    command += ["--markdown", str(tmp_path / "tables.md")]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=1800, env=dict(os.environ)
    )
    # exit status 1 means a measurement raised, not that a target was missed (see below)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for section in sections:
        title = TITLES[section]
        assert title in done.stdout
        table = done.stdout.split(title, 1)[1].split("\n\n", 1)[0]
        assert "not measured" not in table, table
    assert "Done-when targets" in done.stdout
    results = json.loads(out.read_text())
    assert not [
        key for key, value in results.items() if isinstance(value, dict) and "error" in value
    ]
    assert (tmp_path / "tables.md").read_text().startswith("# Benchmark results")
    if "6" in sections:
        runs = results["flood"]["servers"]
        assert len(runs) == 5
        for run in runs.values():
            # (under an unbounded flood the reader may get no answer in a flood phase)
            assert run["quiet"]["requests"] > 0 and run["flood_requests"]["requests"] > 0
        # the bounded servers refused some of the flood; the unbounded one refused none
        bounded, at_once, unbounded = (
            runs["uncached images, bounded (defaults)"],
            runs["uncached images, bounded, refused at once (no waiting room)"],
            runs["uncached images, no bound"],
        )
        assert bounded["flood_requests"]["statuses"].get("503", 0) > 0
        assert at_once["flood_requests"]["statuses"].get("503", 0) > 0
        assert "503" not in unbounded["flood_requests"]["statuses"]


def test_a_missed_target_is_a_fail_in_the_tables_not_an_exit_status(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    results = {"machine": {"cores": 2}, "settings": {}, "cpu_busy_before": {}}
    monkeypatch.setattr(run, "machine", lambda: results["machine"])
    monkeypatch.setattr(run.Runner, "run", lambda self: results)
    args = ["--sections", "4", "--json", str(tmp_path / "results.json")]

    slow = {"runs_s": [99.0], "median_s": 99.0, "min_s": 99.0, "max_s": 99.0}
    results["startup"] = {"path": "/embed/england", **slow}  # far over its 3 s target
    assert run.main(args) == 0
    targets = capsys.readouterr().out.split("Done-when targets", 1)[1]
    assert re.search(r"start to first 200 < 3 s \(median\) +99\.00 s +FAIL", targets)
    results["startup"] = {"error": "RuntimeError: mapserver serve exited with 1"}
    assert run.main(args) == 1
    assert "not measured" in capsys.readouterr().out
