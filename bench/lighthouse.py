"""Lighthouse (mobile) against `mapserver serve`: medians of three runs per page (issue 17).

    python bench/lighthouse.py [--runs 3] [--quick] [--write] [--lighthouse PATH]

Lighthouse 12.2.3 is installed on first use into bench/.lighthouse/ (npm, outside git),
unless --lighthouse names its CLI. It runs in its default mobile mode (simulated slow
4G, 4x CPU slowdown) in Debian's chromium against a `mapserver serve` on 127.0.0.1 with
the built-in data and the ONS indicator added to a temporary store; one run of the
first page, not counted, warms the server and the machine up first. Per page: category
scores (x100), the metrics, `total-byte-weight` and the longest main-thread task; the
median of the runs is printed beside the issue's targets, and with --write it replaces
the "## Lighthouse (mobile)" section of bench/RESULTS.md.

Figures are printed, never asserted (tests/test_bench_lighthouse.py tests the parsing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from pageload import CHROMIUM
from pageload import CHROMIUM_ARGS as CHROME_FLAGS
from procs import command_output, free_port, running, start, stop

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
CACHE = ROOT / "bench" / ".lighthouse"
SHARED = ROOT.parent / "shared" / "data"
ONS = "indicators/ons_els_preventable-cardiovascular-mortality-england.csv"
ONS_ID = "preventable-cardiovascular-mortality-england"
VERSION = "12.2.3"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = [
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
    "interactive",
]
PAGES = [
    "/embed/england?week=2021-02-21",
    "/embed/london?week=2021-02-21",
    "/embed/anglia?week=2021-02-21&facts=1&timeline=1",
    "/map/anglia?week=2021-02-21",
    f"/embed/england?indicator={ONS_ID}",
]
# Issue 17's done-when targets: (figure, at least or at most, threshold, label).
TARGETS = [
    ("performance", "min", 98, "performance >= 98"),
    ("total-blocking-time", "max", 50, "TBT <= 50 ms"),
    ("cumulative-layout-shift", "max", 0.01, "CLS <= 0.01"),
    ("accessibility", "min", 100, "accessibility 100"),
    ("best-practices", "min", 100, "best practices 100"),
    ("seo", "min", 100, "SEO 100"),
]
# Table columns: (figure, heading, format).
COLUMNS = [
    ("performance", "perf", "score"),
    ("accessibility", "a11y", "score"),
    ("best-practices", "best pr.", "score"),
    ("seo", "SEO", "score"),
    ("first-contentful-paint", "FCP", "ms"),
    ("largest-contentful-paint", "LCP", "ms"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", "cls"),
    ("speed-index", "SI", "ms"),
    ("interactive", "TTI", "ms"),
    ("total-byte-weight", "bytes", "kb"),
    ("longest-task", "longest task", "task"),
]
HEADING = "## Lighthouse (mobile)"
BEFORE = "## Reading the figures"
RUN_TIMEOUT_S = 240


def audit_value(report: dict, audit: str) -> float | None:
    """An audit's numericValue, or None if the report lacks it."""
    value = report.get("audits", {}).get(audit, {}).get("numericValue")
    return None if value is None else float(value)


def long_tasks(report: dict) -> list[dict]:
    """The `long-tasks` audit's tasks (url, startTime, duration in ms), longest first."""
    items = report.get("audits", {}).get("long-tasks", {}).get("details", {}).get("items", [])
    return sorted(items, key=lambda item: item["duration"], reverse=True)


def figures(report: dict) -> dict:
    """One report's scores (x100), metrics (ms; CLS unitless), bytes and longest task."""
    found: dict = {}
    for category in CATEGORIES:
        score = report.get("categories", {}).get(category, {}).get("score")
        found[category] = None if score is None else round(score * 100)
    for audit in [*METRICS, "total-byte-weight"]:
        found[audit] = audit_value(report, audit)
    # The audit lists tasks of 50 ms or more: none listed counts as 0 ("< 50 ms").
    listed = "long-tasks" in report.get("audits", {})
    tasks = long_tasks(report)
    found["longest-task"] = tasks[0]["duration"] if tasks else (0.0 if listed else None)
    return found


def medians(runs: list[dict]) -> dict:
    """Per figure, the median over the runs that have it (None if none has)."""
    result = {}
    for key in dict.fromkeys(key for run in runs for key in run):
        values = [run[key] for run in runs if run.get(key) is not None]
        result[key] = statistics.median(values) if values else None
    return result


def median_run(reports: list[dict], key: str = "total-blocking-time") -> dict:
    """The report whose figure `key` is the median (lower middle for an even count)."""
    ordered = sorted(reports, key=lambda report: figures(report)[key] or 0)
    return ordered[(len(ordered) - 1) // 2]


def missed(found: dict) -> list[str]:
    """The labels of the targets a page's figures miss (a missing figure misses)."""
    misses = []
    for key, sense, threshold, label in TARGETS:
        value = found.get(key)
        if value is None or (value < threshold if sense == "min" else value > threshold):
            misses.append(label)
    return misses


def cell(value: float | None, kind: str) -> str:
    """A figure as the table shows it."""
    if value is None:
        return "-"
    if kind == "task" and value < 50:
        return "< 50 ms"
    if kind == "score":
        return f"{value:g}"
    if kind in ("ms", "task"):
        return f"{value:,.0f} ms"
    if kind == "cls":
        return f"{value:.3f}"
    return f"{value / 1000:,.1f} KB"


def target_cell(key: str) -> str:
    """The target for a column, or ''."""
    for figure, sense, threshold, _ in TARGETS:
        if figure == key:
            if sense == "min":
                return f"{threshold:g}" if threshold == 100 else f">= {threshold:g}"
            return f"<= {threshold:g}" + (" ms" if key != "cumulative-layout-shift" else "")
    return ""


def table_rows(results: dict[str, dict]) -> list[list[str]]:
    """Header, target row and one row of medians per page, with the targets it misses."""
    rows = [["page", *[heading for _, heading, _ in COLUMNS], "targets"]]
    rows.append(["target", *[target_cell(key) for key, _, _ in COLUMNS], ""])
    for page, found in results.items():
        misses = missed(found)
        verdict = "all met" if not misses else "missed: " + ", ".join(misses)
        rows.append([page, *[cell(found.get(key), kind) for key, _, kind in COLUMNS], verdict])
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    """Rows as a Markdown table, the first as its header; pages in code style."""
    lines = ["| " + " | ".join(rows[0]) + " |"]
    lines.append("|" + "|".join(["---", *["--:"] * (len(rows[0]) - 2), "---"]) + "|")
    for row in rows[1:]:
        first = f"`{row[0]}`" if row[0].startswith("/") else row[0]
        lines.append("| " + " | ".join([first, *row[1:]]) + " |")
    return "\n".join(lines)


def text_table(rows: list[list[str]], left: tuple[int, ...] = (0, -1)) -> str:
    """Rows as aligned plain text: the `left` columns left-aligned, the others right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    left = tuple(i % len(widths) for i in left)
    lines = []
    for number, row in enumerate(rows):
        parts = [
            value.ljust(width) if i in left else value.rjust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def short_url(url: str) -> str:
    """A request's path and query (the origin dropped); other strings as they are."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("http"):
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def request_rows(report: dict) -> list[list[str]]:
    """The `network-requests` audit: path, content type, bytes transferred and decoded."""
    details = report.get("audits", {}).get("network-requests", {}).get("details", {})
    rows = [["request", "type", "transferred", "decoded"]]
    for item in details.get("items", []):
        transferred = f"{item.get('transferSize', 0):,} B"
        decoded = f"{item.get('resourceSize', 0):,} B"
        rows.append([short_url(item["url"]), item.get("mimeType", ""), transferred, decoded])
    return rows


def long_task_line(report: dict) -> str:
    """The long tasks of one run, longest first: 'duration ms script' each."""
    tasks = long_tasks(report)
    if not tasks:
        return "no task of 50 ms or more"
    return ", ".join(f"{task['duration']:.0f} ms {short_url(task['url'])}" for task in tasks)


def runs_line(runs: list[dict], loads: list[float]) -> str:
    """Each run's total blocking time, with the machine's load average as it started."""
    parts = [
        f"{cell(run.get('total-blocking-time'), 'ms')} (load {load:.1f})"
        for run, load in zip(runs, loads, strict=True)
    ]
    return "TBT per run: " + ", ".join(parts)


def load_average() -> float:
    """The 1-minute load average (a run on a busy machine blocks longer)."""
    return os.getloadavg()[0]


def replace_section(text: str, heading: str, body: str, before: str | None = BEFORE) -> str:
    """`text` with the `heading` section replaced by heading + body, up to the next '## '
    or '### ': the hand-written ### subsections under it (earlier runs) are kept.

    Absent, the section goes in before the `before` heading, or at the end.
    """
    section = f"{heading}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^###? |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: section, text, count=1).rstrip("\n") + "\n"
    if before and re.search(rf"^{re.escape(before)}$", text, re.MULTILINE):
        at = re.search(rf"^{re.escape(before)}$", text, re.MULTILINE).start()
        return text[:at] + section + text[at:]
    return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"


def section_body(results: dict[str, dict], facts: dict, notes: list[str]) -> str:
    """The RESULTS.md section: how it was run, the table of medians, the notes."""
    lines = [
        f"`{facts['command']}` at {facts['commit']}, {facts['date']}: Lighthouse"
        f" {facts['lighthouse']} in its default mobile mode (simulated slow 4G, 150 ms RTT,"
        f" 1.6 Mbit/s; 4x CPU slowdown), {facts['chromium']}, against `mapserver serve`"
        " on the built-in data, after one uncounted warm-up run. Median of"
        f" {facts['runs']} run(s) per page. Scores out of 100; bytes are `total-byte-weight`"
        " in KB of 1000; the longest task is from the `long-tasks` audit, which lists those"
        " of 50 ms or more.",
        "",
        markdown_table(table_rows(results)),
        "",
    ]
    return "\n".join(lines + [f"- {note}" for note in notes])


def machine_notes(reports: list[dict]) -> list[str]:
    """Lighthouse's CPU benchmark index of this machine, and each warning with its count."""
    indexes = [r.get("environment", {}).get("benchmarkIndex") for r in reports]
    indexes = [index for index in indexes if index is not None]
    notes = []
    if indexes:
        spread = f"{min(indexes):,.0f} to {max(indexes):,.0f}"
        median = statistics.median(indexes)
        notes.append(f"Lighthouse's benchmarkIndex here: {median:,.0f} (median; {spread}).")
    for warning in dict.fromkeys(w for r in reports for w in r.get("runWarnings", [])):
        count = sum(warning in r.get("runWarnings", []) for r in reports)
        notes.append(f"Lighthouse warned in {count} of {len(reports)} runs: {warning}")
    return notes


def installed_version(cache: Path) -> str | None:
    """The version of Lighthouse installed under `cache`, if any."""
    package = cache / "node_modules" / "lighthouse" / "package.json"
    try:
        return json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def lighthouse_cli(cache: Path) -> Path:
    """The Lighthouse CLI in `cache`, installed there with npm unless the pinned one is."""
    if installed_version(cache) != VERSION:
        cache.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse@{VERSION} into {cache} ...", flush=True)
        command = ["npm", "install", "--prefix", str(cache), f"lighthouse@{VERSION}"]
        subprocess.run([*command, "--no-audit", "--no-fund"], check=True, timeout=900)
    return cache / "node_modules" / ".bin" / "lighthouse"


def lighthouse_command(cli: Path, url: str, output: Path) -> list[str]:
    """The Lighthouse command line for one run (its default form factor: mobile)."""
    return [
        str(cli),
        url,
        "--output=json",
        f"--output-path={output}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--quiet",
        "--chrome-flags=" + " ".join(CHROME_FLAGS),
    ]


def run_lighthouse(cli: Path, url: str, work: Path, timeout: float = RUN_TIMEOUT_S) -> dict:
    """One Lighthouse run in its own process group, bounded in time; its report."""
    output = work / f"report-{time.monotonic_ns()}.json"
    with tempfile.TemporaryFile() as log:
        process = start(lighthouse_command(cli, url, output), {"CHROME_PATH": CHROMIUM}, log)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"lighthouse {url}: no report within {timeout:.0f} s") from error
        finally:
            stop(process)
        log.seek(0)
        if process.returncode != 0 or not output.exists():
            tail = log.read().decode(errors="replace")[-1500:]
            raise RuntimeError(f"lighthouse {url}: exit {process.returncode}: {tail}")
    report = json.loads(output.read_text())
    output.unlink()
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    return report


def add_indicator(store: Path, data_dir: Path) -> None:
    """`mapserver add` the ONS indicator into `store`."""
    command = [sys.executable, "-m", "mapserver.cli", "add", str(data_dir / ONS)]
    env = {**os.environ, "MAPSERVER_STORE_DIR": str(store)}
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)


def serve_command(port: int) -> list[str]:
    """`mapserver serve` on 127.0.0.1 at `port`, this checkout's code and interpreter."""
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    return [sys.executable, "-m", "mapserver.cli", *serve]


def command_line(argv: list[str]) -> str:
    """The command as RESULTS.md shows it."""
    return shlex.join([".venv/bin/python", "bench/lighthouse.py", *argv])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--quick", action="store_true", help="the England embed, one run")
    parser.add_argument("--lighthouse", type=Path, help=f"a Lighthouse {VERSION} CLI to use")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where to install Lighthouse")
    parser.add_argument("--data-dir", type=Path, default=SHARED, help="holds the ONS file")
    parser.add_argument("--write", action="store_true", help=f"replace {HEADING} in RESULTS.md")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the file --write edits")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reports", type=Path, help="also keep every Lighthouse report here")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    runs, pages = (1, PAGES[:1]) if args.quick else (args.runs, PAGES)
    cli = args.lighthouse or lighthouse_cli(args.cache)
    version = command_output([str(cli), "--version"])
    if version != VERSION:
        print(f"WARNING: {cli} is Lighthouse {version}, not {VERSION}", file=sys.stderr)
    reports: dict[str, list[dict]] = {}
    loads: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        store = Path(work) / "store"
        add_indicator(store, args.data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {"MAPSERVER_STORE_DIR": str(store)}
        with running(serve_command(port), f"{base}/healthz", env):
            print(f"{pages[0]}: warm-up run, not counted", file=sys.stderr, flush=True)
            run_lighthouse(cli, base + pages[0], Path(work))
            for page in pages:
                reports[page], loads[page] = [], []
                for number in range(runs):
                    print(f"{page}: run {number + 1} of {runs}", file=sys.stderr, flush=True)
                    loads[page].append(load_average())
                    reports[page].append(run_lighthouse(cli, base + page, Path(work)))
    every = {page: [figures(report) for report in found] for page, found in reports.items()}
    results = {page: medians(found) for page, found in every.items()}
    rows = table_rows(results)
    print(f"Lighthouse {version}, mobile, median of {runs} run(s)\n")
    print(text_table(rows))
    first = median_run(reports[PAGES[0]])
    print(f"\n{PAGES[0]}, requests (the run with the median TBT):")
    print(text_table(request_rows(first), left=(0, 1)))
    print("\nlong tasks (the run with the median TBT), and every run's TBT:")
    notes = []
    for page, found in reports.items():
        spread = runs_line(every[page], loads[page])
        print(f"  {page}: {long_task_line(median_run(found))}\n    {spread}")
        notes.append(f"Long tasks of `{page}`: {long_task_line(median_run(found))}. {spread}.")
    notes += machine_notes([report for found in reports.values() for report in found])
    facts = {
        "command": command_line(argv),
        "commit": command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "date": time.strftime("%Y-%m-%d %H:%M %z"),
        "lighthouse": version,
        "chromium": command_output([CHROMIUM, "--version"]),
        "runs": runs,
    }
    if args.write:
        text = args.results.read_text() if args.results.exists() else ""
        args.results.write_text(replace_section(text, HEADING, section_body(results, facts, notes)))
        print(f"\nwrote {HEADING} in {args.results}")
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
        for number, found in enumerate(reports.values()):
            for run, report in enumerate(found):
                (args.reports / f"page{number}-run{run}.json").write_text(json.dumps(report))
    output = {"facts": facts, "medians": results, "runs": every, "loads": loads}
    if args.json:
        args.json.write_text(json.dumps(output, indent=1) + "\n")
    return output


if __name__ == "__main__":
    main()
