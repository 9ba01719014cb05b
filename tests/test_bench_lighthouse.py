"""bench/lighthouse.py's pure parts, on hand-made report-shaped JSON (no Lighthouse needed).

tests/fixtures/lighthouse/reports.json holds three runs of one page with only the fields
the bench reads; the expected medians below are worked out by hand from it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = json.loads((ROOT / "tests" / "fixtures" / "lighthouse" / "reports.json").read_text())
PAGE = "/embed/england?week=2021-02-21"


def load_bench():
    """bench/lighthouse.py as a module (bench/ on sys.path only while it imports procs)."""
    spec = importlib.util.spec_from_file_location("bench_lighthouse", ROOT / "bench/lighthouse.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


lighthouse = load_bench()


def test_figures_of_one_report():
    assert lighthouse.figures(REPORTS[0]) == {
        "performance": 85,
        "accessibility": 100,
        "best-practices": 100,
        "seo": 90,
        "first-contentful-paint": 800.0,
        "largest-contentful-paint": 1700.0,
        "total-blocking-time": 440.0,
        "cumulative-layout-shift": 0.069,
        "speed-index": 1800.0,
        "interactive": 2400.0,
        "total-byte-weight": 101000.0,
        "longest-task": 288,
    }


def test_no_long_task_is_zero_and_a_missing_audit_none():
    assert lighthouse.figures(REPORTS[2])["longest-task"] == 0.0
    assert lighthouse.figures({"audits": {}})["longest-task"] is None
    assert lighthouse.figures({})["performance"] is None


def test_medians_of_three_runs():
    found = lighthouse.medians([lighthouse.figures(report) for report in REPORTS])
    assert found == {
        "performance": 89,  # 85, 89, 95
        "accessibility": 100,
        "best-practices": 100,  # 100, 96, 100
        "seo": 90,  # 90, 90, 100
        "first-contentful-paint": 800.0,  # 800, 900, 700
        "largest-contentful-paint": 1700.0,  # 1700, 1600, 2000
        "total-blocking-time": 300.0,  # 440, 300, 40
        "cumulative-layout-shift": 0.05,  # 0.069, 0.05, 0
        "speed-index": 1800.0,
        "interactive": 2300.0,
        "total-byte-weight": 101000.0,
        "longest-task": 120,  # 288, 120, none listed (0)
    }


def test_medians_skip_missing_figures():
    assert lighthouse.medians([{"a": 1.0, "b": None}, {"a": 3.0, "b": None}]) == {
        "a": 2.0,
        "b": None,
    }


def test_median_run_is_the_one_with_the_median_tbt():
    assert lighthouse.median_run(REPORTS) is REPORTS[1]


def test_targets_missed():
    found = lighthouse.medians([lighthouse.figures(report) for report in REPORTS])
    assert lighthouse.missed(found) == [
        "performance >= 98",
        "TBT <= 50 ms",
        "CLS <= 0.01",
        "SEO 100",
    ]
    good = {"performance": 98, "total-blocking-time": 50, "cumulative-layout-shift": 0.01}
    good |= {"accessibility": 100, "best-practices": 100, "seo": 100}
    assert lighthouse.missed(good) == []
    assert lighthouse.missed({**good, "seo": None}) == ["SEO 100"]


def test_markdown_table():
    found = lighthouse.medians([lighthouse.figures(report) for report in REPORTS])
    table = lighthouse.markdown_table(lighthouse.table_rows({PAGE: found})).splitlines()
    assert table[0].startswith("| page | perf | a11y | best pr. | SEO | FCP | LCP | TBT | CLS |")
    assert table[1] == "|---|" + "--:|" * 12 + "---|"
    assert table[2] == (
        "| target | >= 98 | 100 | 100 | 100 |  |  | <= 50 ms | <= 0.01 |  |  |  |  |  |"
    )
    assert table[3] == (
        f"| `{PAGE}` | 89 | 100 | 100 | 90 | 800 ms | 1,700 ms | 300 ms | 0.050 | 1,800 ms"
        " | 2,300 ms | 101.0 KB | 120 ms"
        " | missed: performance >= 98, TBT <= 50 ms, CLS <= 0.01, SEO 100 |"
    )


def test_a_longest_task_under_50_ms_and_a_missing_figure():
    assert lighthouse.cell(0.0, "task") == "< 50 ms"
    assert lighthouse.cell(None, "ms") == "-"


def test_requests_and_long_tasks_of_a_report():
    assert lighthouse.request_rows(REPORTS[0]) == [
        ["request", "type", "transferred", "decoded"],
        [PAGE, "text/html", "1,709 B", "3,639 B"],
        ["/assets/abc/map.js", "text/javascript", "52,274 B", "205,373 B"],
    ]
    assert lighthouse.long_task_line(REPORTS[0]) == (
        "288 ms /assets/abc/map.js, 178 ms Unattributable"
    )
    assert lighthouse.long_task_line(REPORTS[2]) == "no task of 50 ms or more"


def test_every_run_is_listed_with_the_load_it_started_under():
    runs = [lighthouse.figures(report) for report in REPORTS]
    assert lighthouse.runs_line(runs, [0.25, 1.0, 3.96]) == (
        "TBT per run: 440 ms (load 0.2), 300 ms (load 1.0), 40 ms (load 4.0)"
    )
    with pytest.raises(ValueError):  # a run without its load is a bug, not a shorter line
        lighthouse.runs_line(runs, [0.5])


def test_machine_notes():
    assert lighthouse.machine_notes(REPORTS) == [
        "Lighthouse's benchmarkIndex here: 900 (median; 800 to 1,000).",
        "Lighthouse warned in 2 of 3 runs: The tested device appears to have a slower CPU"
        " than Lighthouse expects.",
    ]


BEFORE = "# Benchmark results\n\n## Results\n\nfigures\n\n## Reading the figures\n\ntext\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # absent: added before "## Reading the figures"
            BEFORE,
            "# Benchmark results\n\n## Results\n\nfigures\n\n## Lighthouse (mobile)\n\nnew\n\n"
            "## Reading the figures\n\ntext\n",
        ),
        (  # present: replaced up to the next heading; its ### subsections (history) stay
            "# B\n\n## Lighthouse (mobile)\n\nold\n\n### old sub\n\nx\n\n## Reading the figures\n",
            "# B\n\n## Lighthouse (mobile)\n\nnew\n\n### old sub\n\nx\n\n## Reading the figures\n",
        ),
        (  # present, with no subsection: replaced up to the next level-2 heading
            "# B\n\n## Lighthouse (mobile)\n\nold\n\n- a\n\n## Reading the figures\n",
            "# B\n\n## Lighthouse (mobile)\n\nnew\n\n## Reading the figures\n",
        ),
        (  # present and last
            "# B\n\n## Lighthouse (mobile)\n\nold\n",
            "# B\n\n## Lighthouse (mobile)\n\nnew\n",
        ),
        (  # absent, and no heading to put it before: appended
            "# B\n\ntext\n",
            "# B\n\ntext\n\n## Lighthouse (mobile)\n\nnew\n",
        ),
    ],
)
def test_replace_section(text, expected):
    assert lighthouse.replace_section(text, "## Lighthouse (mobile)", "new\n") == expected


def test_section_body_names_the_command_commit_and_date():
    found = lighthouse.medians([lighthouse.figures(report) for report in REPORTS])
    facts = {
        "command": ".venv/bin/python bench/lighthouse.py --write",
        "commit": "abc1234",
        "date": "2026-11-30 06:00 +0000",
        "lighthouse": "12.2.3",
        "chromium": "Chromium 156",
        "runs": 3,
    }
    body = lighthouse.section_body({PAGE: found}, facts, ["a note"])
    assert body.startswith("`.venv/bin/python bench/lighthouse.py --write` at abc1234, 2026-11-30")
    assert "Median of 3 run(s) per page" in body
    assert f"| `{PAGE}` | 89 |" in body
    assert body.endswith("\n- a note")


def test_lighthouse_command_is_mobile_with_the_chromium_flags(tmp_path):
    command = lighthouse.lighthouse_command(Path("lh"), "http://x/", tmp_path / "r.json")
    assert "--output=json" in command and "--quiet" in command
    assert "--only-categories=performance,accessibility,best-practices,seo" in command
    assert not [part for part in command if "form-factor" in part or "preset" in part]
    flags = [part for part in command if part.startswith("--chrome-flags=")]
    assert flags == [
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking"
        " --disable-component-update --disable-sync --no-first-run"
    ]
