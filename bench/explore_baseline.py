"""The GeoDataFrame.explore() baseline: the same areas and values as a folium HTML page."""

from __future__ import annotations

import gzip
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from mapserver.ingest.boundaries import read_boundaries

BOUNDARIES = "boundaries/lad19_uk_buc_ons.shp"
TILE_URL = re.compile(r"""L\.tileLayer\(\s*["'](https?://[^"']+)""")


class AssetLinks(HTMLParser):
    """Collects <script src> and <link href> URLs from an HTML page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"script": "src", "link": "href"}.get(tag)
        value = dict(attrs).get(wanted) if wanted else None
        if value:
            self.urls.append(value)


def read_areas(data_dir: str):
    """The boundary file as read by the app, with the time it took."""
    began = time.perf_counter()
    areas = read_boundaries(Path(data_dir) / BOUNDARIES)
    return areas, time.perf_counter() - began


def region_rates(client, slug: str, week: str) -> dict:
    """code -> rate for a region and week, from the app's /api/rates JSON."""
    response = client.get(f"/api/rates?region={slug}&week={week}")
    if response.status_code != 200:
        raise RuntimeError(f"/api/rates for {slug}: HTTP {response.status_code}")
    return {row["code"]: row["rate"] for row in response.get_json()}


def explore_html(areas, districts, rates: dict) -> str:
    """Join boundaries and rates, call explore(column='rate') and render the page."""
    frame = areas[areas.index.isin(list(districts))].reset_index(drop=True)
    frame["rate"] = frame["code"].map(rates)
    return frame.explore(column="rate").get_root().render()


def external_assets(html: str) -> dict:
    """Script and stylesheet URLs on other hosts, their hosts, and tile hosts."""
    parser = AssetLinks()
    parser.feed(html)
    urls = [url for url in parser.urls if url.startswith(("http://", "https://", "//"))]
    tiles = {urlsplit(url).netloc for url in TILE_URL.findall(html)}
    return {
        "assets": len(urls),
        "hosts": sorted({urlsplit(url).netloc for url in urls}),
        "tile_hosts": sorted(tiles),
        "urls": urls,
    }


def build(app, areas, slug: str, week: str) -> dict:
    """Time rates + join + explore + render for one region; sizes and external assets."""
    client = app.test_client()
    districts = app.extensions["mapserver"].dataset.region(slug).districts
    began = time.perf_counter()
    html = explore_html(areas, districts, region_rates(client, slug, week))
    seconds = time.perf_counter() - began
    raw = html.encode()
    return {
        "region": slug,
        "week": week,
        "areas": len(districts),
        "seconds": seconds,
        "html_bytes": len(raw),
        "gzip6_bytes": len(gzip.compress(raw, 6)),
        **external_assets(html),
    }
