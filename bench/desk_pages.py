"""The desk's pages on real files: milliseconds for each step as an editor meets it.

    python bench/desk_pages.py [--data-dir ../shared/data] [--repeat 3]

Through the app (Flask's test client, one process, the built-in data, a fresh store and
SQLite database): the upload form's POST (read, check, keep the draft), the Check and
describe page, one preview frame (the draft drawn as its embed, every resource inline;
the page has two), and publishing. The page and the preview are timed the first time
(a new draft: checked again and drawn) and again (the median of --repeat more runs:
from the few drafts each process remembers); uploads and publishing are the median of
--repeat runs after a warm-up, each publish of a new upload. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapserver import create_app  # noqa: E402
from mapserver.store.accounts import create_user  # noqa: E402

FILES = (
    ROOT / "tests" / "fixtures" / "files" / "smoking-fingertipsR.csv",
    Path("indicators/ons_els_preventable-cardiovascular-mortality-england.csv"),
)
PASSWORD = "a password for the bench"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client, path: str) -> str:
    """The CSRF token of a desk page's form."""
    return _TOKEN.search(client.get(path).text).group(1)


def milliseconds(step, repeat: int) -> tuple[float, object]:
    """Median milliseconds of `repeat` runs after a warm-up, and the last answer."""
    _, median, answer = first_and_again(step, repeat)
    return median, answer


def first_and_again(step, repeat: int) -> tuple[float, float, object]:
    """Milliseconds of a first run, the median of `repeat` more, and the last answer."""
    began = time.perf_counter()
    answer = step()
    first = (time.perf_counter() - began) * 1000
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        answer = step()
        times.append(time.perf_counter() - began)
    return first, statistics.median(times) * 1000, answer


def row(client, path: Path, repeat: int) -> str:
    """One upload's row: its size and each step's milliseconds."""
    content = path.read_bytes()
    made = (f"bench-{len(content)}-{n}" for n in range(1_000))  # a new map each time

    def upload():
        fields = {"csrf_token": token(client, "/desk/new"), "id": next(made)}
        fields["file"] = (io.BytesIO(content), path.name)
        answer = client.post("/desk/new", data=fields, content_type="multipart/form-data")
        assert answer.status_code == 303, answer.text[-1000:]
        return answer

    def publish():
        url = upload().headers["Location"]
        fields = {"csrf_token": token(client, url), "title": "Bench", "action": "publish"}
        began = time.perf_counter()
        answer = client.post(url, data=fields)
        assert answer.status_code == 303, answer.text[-1000:]
        return time.perf_counter() - began

    upload_ms, answer = milliseconds(upload, repeat)
    draft = answer.headers["Location"]
    page = first_and_again(lambda: client.get(draft), repeat)
    preview = first_and_again(lambda: client.get(draft + "/preview"), repeat)
    publish_ms = statistics.median(publish() for _ in range(repeat)) * 1000
    return (
        f"| {path.name} | {len(content) / 1000:,.1f} | {upload_ms:,.0f} "
        f"| {page[0]:,.0f} / {page[1]:,.0f} | {preview[0]:,.0f} / {preview[1]:,.0f} "
        f"| {len(preview[2].data) / 1000:,.0f} | {publish_ms:,.0f} |"
    )


def main() -> None:
    """Print one row per upload."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mapserver-bench-desk-") as store:
        app = create_app({"store_dir": store, "watch_every": 0, "TESTING": True})
        create_user(app.extensions["desk"].db, "bench@example.org", PASSWORD, "editor")
        client = app.test_client()
        form = {"email": "bench@example.org", "password": PASSWORD}
        client.post("/desk/sign-in", data=form | {"csrf_token": token(client, "/desk/sign-in")})
        client.get("/map/england")  # the built-in data loaded before the clock starts
        print("| upload | KB | upload and check ms | describe page ms, first / again "
              "| preview ms, first / again | preview KB | publish ms |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|")
        for path in FILES:
            print(row(client, path if path.is_absolute() else args.data_dir / path, args.repeat))
        app.extensions["desk"].db.dispose()


if __name__ == "__main__":
    main()
