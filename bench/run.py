"""Benchmarks for the issue's done-when targets: one command, a table, and JSON.

Run: .venv/bin/python bench/run.py [--quick] [--json bench/results.json] [--markdown FILE]

Sections run in this order so that each has the machine to itself: 4 (cold starts),
5 (in-process builds and the explore() baseline), 1 and 2 (chromium against one
`mapserver serve`), 3 (wrk against three servers, one at a time), 6 (a cached reader
under a flood of uncached images). See bench/README.md.

Missed targets show as FAIL in the tables; the exit status is 1 only when a measurement
raised (its error recorded in the JSON), never because the machine was slow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

import build_times
import explore_baseline
import flood
import loadtest
import pageload
import report
import startup
from procs import cpu_busy, machine, running_mapserver

HERE = Path(__file__).resolve().parent
EMBEDS = ("england", "east-of-england")
DATA_DIR = os.environ.get("MAPSERVER_DATA_DIR", "/work/shared/data")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="wrk 3 s, medians of 3")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="JSON output")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    parser.add_argument("--data-dir", default=DATA_DIR, help="MAPSERVER_DATA_DIR for every run")
    parser.add_argument("--week", default="2021-02-21", help="week of the first load")
    parser.add_argument("--second-week", default="2021-02-14", help="week of the second load")
    parser.add_argument("--path", default="/embed/england", help="URL path for wrk on (a), (b)")
    parser.add_argument("--static-path", default="/embed/england/", help="URL path on (c)")
    parser.add_argument("--rounds", type=int, help="wrk rounds, medians taken (default 3, quick 1)")
    parser.add_argument(
        "--runs", type=int, help="cold starts and page loads, medians taken (default 5, quick 3)"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each step, wait up to this long for the CPUs to be under 10%% busy",
    )
    parser.add_argument(
        "--flood-phase",
        type=float,
        default=flood.PHASE_SECONDS,
        help="seconds of each quiet and flood phase of section 6 (shorter: a smoke run)",
    )
    parser.add_argument("--sections", default="1,2,3,4,5,6", help="comma-separated, e.g. 3,4")
    return parser.parse_args(argv)


def error_record(error: Exception) -> dict:
    """What a failed measurement leaves in the results."""
    traceback.print_exc()
    return {"error": f"{type(error).__name__}: {error}"}


class Runner:
    """Runs measurements one by one, each after the CPUs go quiet, keeping errors apart."""

    def __init__(self, args):
        self.args = args
        self.runs, self.seconds = (3, 3) if args.quick else (5, 15)
        self.runs = args.runs or self.runs
        self.rounds = args.rounds or (1 if args.quick else 3)
        settings = {**vars(args), "runs": self.runs, "wrk_s": self.seconds, "rounds": self.rounds}
        self.results = {"machine": machine(), "settings": settings, "cpu_busy_before": {}}

    def quiet(self) -> float:
        """Wait (up to --wait-idle seconds) for the CPUs to be idle; how busy they were."""
        deadline = time.monotonic() + self.args.wait_idle
        busy = cpu_busy()
        while busy > report.BUSY_SHARE and time.monotonic() < deadline:
            busy = cpu_busy()
        return round(busy, 3)

    def step(self, key: str, label: str, function, *args, into: dict | None = None) -> None:
        """Run one measurement into results[key]; on failure record the error, carry on."""
        print(f"-- {label}", file=sys.stderr, flush=True)
        self.results["cpu_busy_before"][label] = self.quiet()
        began = time.perf_counter()
        target = self.results if into is None else into
        try:
            target[key] = function(*args)
        except Exception as error:  # a failed section must not lose the others
            target[key] = error_record(error)
        print(f"   {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)

    def in_process(self, sections: set[str]) -> None:
        """Section 5 and the explore() baselines of section 1, in this process."""
        args, results = self.args, self.results
        self.results["cpu_busy_before"]["create_app"] = self.quiet()
        try:
            app, app_seconds = build_times.load_app(args.data_dir)
            areas, results["areas_read_s"] = explore_baseline.read_areas(args.data_dir)
        except Exception as error:  # the app may not load: record it, run the other sections
            results["builds"] = error_record(error)
            results["explore"] = {name: results["builds"] for name in EMBEDS}
            return
        if "5" in sections:
            self.step("builds", "5: builds", build_times.measure, app, app_seconds, args.week)
        explore = results.setdefault("explore", {})
        for name in EMBEDS:
            build = (explore_baseline.build, app, areas, name, args.week)
            self.step(name, f"explore() {name}", *build, into=explore)

    def run(self) -> dict:
        """Every selected section; the results as one dict."""
        args = self.args
        sections = set(args.sections.split(","))
        if "4" in sections:
            self.step("startup", "4: startup", startup.measure, args.data_dir, self.runs)
        if sections & {"1", "5"}:
            self.in_process(sections)
        if sections & {"1", "2"}:
            self.step("browser", "1, 2: chromium", browser, args, self.runs)
        if "3" in sections:
            load = (args.data_dir, self.seconds, args.path, args.static_path, self.rounds)
            self.step("load", "3: wrk", loadtest.measure, *load)
        if "6" in sections:
            flood_args = (args.data_dir, self.seconds, args.flood_phase)
            self.step("flood", "6: flood", flood.measure, *flood_args)
        return self.results


def embeds(args) -> list[dict]:
    """The two embeds of sections 1 and 2, each with a second week."""
    return [
        {
            "name": name,
            "first": f"/embed/{name}?week={args.week}",
            "second": f"/embed/{name}?week={args.second_week}",
        }
        for name in EMBEDS
    ]


def browser(args, runs: int) -> dict:
    """Sections 1 and 2 against one `mapserver serve`."""
    with running_mapserver(args.data_dir) as base:
        return pageload.measure(base, embeds(args), runs)


def main(argv: list[str] | None = None) -> int:
    """Run, print the tables, write JSON (and Markdown if asked)."""
    args = parse_args(argv)
    results = Runner(args).run()
    tables = report.tables(results)
    text = "\n\n".join(table.text() for table in tables)
    facts = report.machine_lines(results["machine"], results.get("cpu_busy_before", {}))
    print("\n".join(["", *facts, "", text]))
    results["table"] = text
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown(tables, facts))
    return 1 if failures(results) else 0  # errors only: a missed target is not one


def markdown(tables: list, facts: list[str]) -> str:
    """The tables as Markdown under the command that made them and the machine."""
    command = " ".join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    lines = ["# Benchmark results", "", f"`{command}`", "", "## Machine", ""]
    lines += [f"- {fact}" for fact in facts] + ["", "## Results", "", ""]
    return "\n".join(lines) + "\n\n".join(table.markdown() for table in tables) + "\n"


def failures(results: dict) -> list[str]:
    """Keys of the measurements that recorded an error."""
    found = [key for key, value in results.items() if isinstance(value, dict) and "error" in value]
    found += [name for name, value in results.get("explore", {}).items() if "error" in value]
    return found


if __name__ == "__main__":
    sys.exit(main())
