"""Indicators: time and peak memory of `mapserver add`, and the 14-region embed build.

    python bench/indicators.py [--data-dir ../shared/data] [--baseline PATH] [--quick]

1. `mapserver add` of the ONS Explore Local Statistics file and of the Covid archive,
   each in a fresh process: wall time and peak resident memory (ru_maxrss).
2. Every region's embed (page, geometry and values, as bench section 5) for the Covid
   cases and for the ONS indicator, each in a fresh process after the start-up warm-up
   every server does: first (cold) and second pass, and the indicator's first pass as a
   ratio of the Covid one. Runs alternate, --repeat times; medians are reported.
3. With --baseline, a checkout of an earlier commit: its Covid first pass, measured the
   same way and alternating with this build's, and this build's as a ratio of it.

Figures are printed, never asserted (tests/test_bench.py smoke-runs --quick).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ONS = "indicators/ons_els_preventable-cardiovascular-mortality-england.csv"
CASES = "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
WEEK = "2021-02-21"

# Runs `mapserver add` in this process and prints its seconds and peak memory.
ADD = """
import json, resource, sys, time
from pathlib import Path
from mapserver.core.config import load_settings
from mapserver.update.indicators import add
began = time.perf_counter()
add(load_settings({"store_dir": sys.argv[2]}), Path(sys.argv[1]))
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak}))
"""

# Builds every region's embed, twice, for the Covid cases or an indicator; prints seconds.
BUILD = """
import json, re, sys, time
from html import unescape
from mapserver import create_app
RESOURCE = re.compile(r'data-(geometry|values)="([^"]+)"')
app = create_app({"store_dir": sys.argv[1], "watch_every": "0", "TESTING": True})
app.extensions["mapserver"].warm_cache()  # as every server does when it starts
client = app.test_client()
# (an empty parameter is a 400: only the ones given)
given = {"week": sys.argv[2], "indicator": sys.argv[3]}
query = "&".join(f"{name}={value}" for name, value in given.items() if value)
regions = list(app.extensions["mapserver"].dataset.regions)

def one_pass():
    began = time.perf_counter()
    for slug in regions:
        page = client.get(f"/embed/{slug}?{query}")
        assert page.status_code == 200, (slug, page.status_code)
        for _, url in RESOURCE.findall(page.get_data(as_text=True)):
            assert client.get(unescape(url)).status_code == 200, url
    return time.perf_counter() - began

first = one_pass()
print(json.dumps({"regions": len(regions), "first_s": first, "second_s": one_pass()}))
"""


def run_json(code: str, *args: str, path: Path | None = None) -> dict:
    """Run `code` in a new interpreter (with `path` first on sys.path); its JSON line."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=path or ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """The run with the median first pass."""
    return sorted(runs, key=lambda run: run["first_s"])[len(runs) // 2]


def measure_add(data_dir: Path, relative: str, store: Path) -> dict:
    """`mapserver add` of one file in a fresh process."""
    return run_json(ADD, str(data_dir / relative), str(store))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--baseline", type=Path, help="a checkout of an earlier commit")
    parser.add_argument("--quick", action="store_true", help="the ONS file only; one run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each build (median)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    results: dict = {"add": {}, "build": {}}
    with tempfile.TemporaryDirectory() as work:
        store = Path(work) / "store"
        files = {"ONS cardiovascular mortality": ONS}
        if not args.quick:
            files["Covid archive (512,050 rows)"] = CASES
        print("1. mapserver add, each in a fresh process")
        print(f"   {'file':<32} {'seconds':>8} {'peak MB':>8}")
        for name, relative in files.items():
            found = measure_add(args.data_dir, relative, Path(work) / name.split()[0])
            results["add"][name] = found
            print(f"   {name:<32} {found['seconds']:>8.2f} {found['peak_mb']:>8.0f}")
        measure_add(args.data_dir, ONS, store)
        indicator = "preventable-cardiovascular-mortality-england"
        print("\n2. every region's embed (page, geometry, values), in one process each")
        runs: dict[str, list[dict]] = {"covid": [], "ons": [], "baseline": []}
        for _ in range(args.repeat):
            runs["covid"].append(run_json(BUILD, str(store), WEEK, ""))
            runs["ons"].append(run_json(BUILD, str(store), "", indicator))
            if args.baseline:
                baseline = args.baseline.resolve()
                runs["baseline"].append(run_json(BUILD, str(store), WEEK, "", path=baseline))
        covid, ons = median_run(runs["covid"]), median_run(runs["ons"])
        results["build"] = {"covid": covid, "ons": ons, "ratio": ons["first_s"] / covid["first_s"]}
        print(f"   {'map':<32} {'regions':>8} {'first s':>8} {'second s':>9}")
        for name, found in (("Covid cases, " + WEEK, covid), ("ONS indicator, latest", ons)):
            row = f"{found['regions']:>8} {found['first_s']:>8.2f} {found['second_s']:>9.3f}"
            print(f"   {name:<32} {row}")
        print(f"   indicator / Covid, first pass: {results['build']['ratio']:.2f}x")
        if args.baseline:
            before = median_run(runs["baseline"])
            ratio = covid["first_s"] / before["first_s"]
            results["baseline"] = {"covid": before, "ratio": ratio}
            print(f"\n3. the Covid build at {args.baseline}: first pass {before['first_s']:.2f} s")
            print(f"   this build / that one: {ratio:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    began = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - began:.0f} s in all)")
