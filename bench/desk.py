"""The desk's steps on real files: seconds to check an upload and to publish it.

    python bench/desk.py [--data-dir ../shared/data] [--repeat 3]

For each indicator file in the data mirror, as the desk receives it (its bytes and name):
`check_upload` (read and check, nothing written) and `publish` (keep it as a version),
each the median of --repeat runs in this process after one warm-up, into a fresh store.
The ONS CSV is also checked as a paste (tab-separated, Windows line ends), as a
spreadsheet's clipboard gives it. Figures are printed, never asserted (tests/test_bench.py style).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapserver.core.config import load_settings  # noqa: E402
from mapserver.update.description import Description  # noqa: E402
from mapserver.update.desk import Refusal, check_upload, publish  # noqa: E402
from mapserver.update.upload import Upload, pasted  # noqa: E402

FILES = (
    "indicators/ons_els_preventable-cardiovascular-mortality-england.csv",
    "indicators/ons_health-index-scores-england_2015-2021.xlsx",
)


def timed(step, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` runs after a warm-up, and the last result."""
    result = step()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    """Print one row per upload: its size, rows read, check and publish seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    uploads = []
    for name in FILES:
        path = args.data_dir / name
        uploads.append((path.name, Upload(path.read_bytes(), path.name)))
    with open(args.data_dir / FILES[0], encoding="utf-8-sig", newline="") as handle:
        rows = ["\t".join(row) for row in csv.reader(handle)]
    uploads.append(("ONS CSV as a paste", pasted("\r\n".join(rows) + "\r\n")))
    print("| upload | MB | rows read | check s | publish s |")
    print("|---|---|---|---|---|")
    for label, upload in uploads:
        with tempfile.TemporaryDirectory() as store:
            settings = load_settings({"store_dir": store})
            seconds, checked = timed(partial(check_upload, settings, upload), args.repeat)
            if isinstance(checked, Refusal):
                print(f"| {label} | refused: {checked.message} | | | |")
                continue
            description = Description(title=checked.indicator.title[:120])
            kept, _ = timed(partial(publish, settings, checked, description), args.repeat)
            size = len(upload.content) / 1e6
            print(f"| {label} | {size:.2f} | {checked.rows:,} | {seconds:.2f} | {kept:.2f} |")


if __name__ == "__main__":
    main()
