"""Section 5: in-process time to build every region's embed for a week, against explore()."""

from __future__ import annotations

import re
import time
from html import unescape

from mapserver import create_app

RESOURCE = re.compile(r'data-(geometry|values)="([^"]+)"')


def load_app(data_dir: str):
    """A cold app with the real data, and how long create_app took."""
    began = time.perf_counter()
    app = create_app({"data_dir": data_dir, "TESTING": True})
    return app, time.perf_counter() - began


def fetch(client, url: str) -> bytes:
    """GET through the test client; the body, or an error for anything but 200."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return response.get_data()


def build_embed(client, slug: str, week: str) -> dict:
    """The embed page plus the geometry and values it references; bytes and seconds."""
    began = time.perf_counter()
    page = fetch(client, f"/embed/{slug}?week={week}")
    urls = {kind: unescape(url) for kind, url in RESOURCE.findall(page.decode())}
    if set(urls) != {"geometry", "values"}:
        raise RuntimeError(f"/embed/{slug}: no data-geometry/data-values on #map")
    sizes = {kind: len(fetch(client, url)) for kind, url in urls.items()}
    seconds = time.perf_counter() - began
    return {"region": slug, "seconds": seconds, "page_bytes": len(page), **sizes}


def build_all(app, week: str) -> dict:
    """Every region's embed once, in the order the dataset lists them."""
    client = app.test_client()
    regions = list(app.extensions["mapserver"].dataset.regions)
    began = time.perf_counter()
    rows = [build_embed(client, slug, week) for slug in regions]
    return {"regions": len(rows), "seconds": time.perf_counter() - began, "rows": rows}


def measure(app, app_seconds: float, week: str) -> dict:
    """First pass (cold app caches) and second pass over every region."""
    return {
        "week": week,
        "create_app_s": app_seconds,
        "first_pass": build_all(app, week),
        "second_pass": build_all(app, week),
    }
