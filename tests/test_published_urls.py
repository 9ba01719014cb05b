"""URLs published before indicators and vintages still answer the same maps.

`fixtures/published/b089565.json` holds what main answered at b089565 (the last commit
before indicators), recorded by `fixtures/published/record.py` on the built-in data.
Pinned resources (values, geometry, images, API with v=) must be byte for byte the same;
pages too, but for the front-end code, which they name by hash or carry inline; live
JSON must give the same figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapserver import create_app

from .fixtures.published.record import record

RECORDED = Path(__file__).parent / "fixtures" / "published" / "b089565.json"


@pytest.fixture(scope="module")
def then_and_now(tmp_path_factory):
    then = json.loads(RECORDED.read_text(encoding="utf-8"))
    store = tmp_path_factory.mktemp("published")
    app = create_app({"store_dir": store, "watch_every": "0"})
    return then, record(app.test_client())


def _without_time_stamp(document):
    # OGC collections stamp the time the data was loaded; the figures are what count.
    if isinstance(document, dict):
        return {key: value for key, value in document.items() if key != "timeStamp"}
    return document


def test_at_least_twenty_urls_are_recorded(then_and_now):
    then, _ = then_and_now
    assert len(then["answers"]) >= 20
    assert {url.split("?")[0].split("/")[1] for url in then["answers"]} >= {
        "embed", "map", "image", "api", "ogc", "oembed", "values", "geo", "download",
    }  # fmt: skip


def test_the_data_and_geometry_versions_are_unchanged(then_and_now):
    then, now = then_and_now
    assert now["data_version"] == then["data_version"]
    assert now["geometry_version"] == then["geometry_version"]


@pytest.mark.parametrize("url", list(json.loads(RECORDED.read_text())["answers"]))
def test_a_published_url_answers_as_before(then_and_now, url):
    then, now = then_and_now
    before, after = then["answers"][url], now["answers"][url]
    assert after["status"] == before["status"] == 200
    assert after["content_type"] == before["content_type"]
    if before["content_type"].startswith(("text/html", "application/geo+json")):
        assert after["sha256_masked"] == before["sha256_masked"]
    else:
        assert after["sha256"] == before["sha256"]  # byte for byte
    if "json" in before:
        assert _without_time_stamp(after["json"]) == _without_time_stamp(before["json"])
