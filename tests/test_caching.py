"""HTTP caching and compression: ETag, 304, Last-Modified, immutable URLs, gzip and brotli."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil

import brotli
import pytest
from flask import Flask, request

from mapserver import create_app
from mapserver.web import recompress
from mapserver.web.cache import ResponseCache, make_entry, respond

from .conftest import SHARED_DATA, TINY, tiny_config

WEEK = "2021-02-21"


@pytest.fixture(scope="module")
def client():
    return create_app({"data_dir": SHARED_DATA}).test_client()


def resource_urls(client, page: str) -> dict:
    html = client.get(page).get_data(as_text=True)
    return {
        "geometry": re.search(r'data-geometry="([^"]+)"', html).group(1),
        "values": re.search(r'data-values="([^"]+)"', html).group(1),
        "script": re.search(r'<script defer src="([^"]+)"', html).group(1),
        "style": re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1),
    }


def test_pages_have_etag_last_modified_and_cdn_friendly_cache_control(client):
    response = client.get(f"/embed/england?week={WEEK}")
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")
    control = response.headers["Cache-Control"]
    assert "public" in control and "max-age=300" in control
    assert "stale-while-revalidate" in control
    assert response.headers["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    "path",
    [f"/embed/england?week={WEEK}", f"/map/anglia?week={WEEK}", "/",
     f"/api/rates?region=london&week={WEEK}", f"/api/rates.csv?region=london&week={WEEK}"],
)  # fmt: skip
def test_if_none_match_gives_304(client, path):
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get(path, headers={"If-None-Match": '"somethingelse"'})
    assert other.status_code == 200 and other.data == first.data


def test_etag_matches_across_encodings(client):
    path = f"/embed/england?week={WEEK}"
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"If-None-Match": gzipped.headers["ETag"]})
    assert plain.status_code == 304


def test_if_modified_since_gives_304(client):
    path = f"/embed/london?week={WEEK}"
    modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(path, headers={"If-Modified-Since": old}).status_code == 200


def test_resources_with_versioned_urls_are_immutable(client):
    urls = resource_urls(client, f"/embed/england?week={WEEK}")
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"]
        assert (
            client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        )


@pytest.mark.parametrize(("accept", "coding"), [("gzip", "gzip"), ("gzip, deflate, br", "br"),
                                                ("br;q=0, gzip", "gzip"), ("", None),
                                                ("identity", None)])  # fmt: skip
def test_compression_follows_accept_encoding(client, accept, coding):
    path = resource_urls(client, f"/embed/england?week={WEEK}")["geometry"]
    plain = client.get(path).data
    response = client.get(path, headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == coding
    body = response.data
    if coding == "gzip":
        body = gzip.decompress(body)
    elif coding == "br":
        body = brotli.decompress(body)
    assert body == plain
    assert json.loads(body)["type"] == "Topology"
    if coding:
        assert len(response.data) < len(plain) / 2


def test_second_request_is_served_from_the_server_cache(client):
    cache = client.application.extensions["mapserver"].cache
    path = f"/embed/wales?week={WEEK}"
    client.get(path)
    hits = cache.hits
    client.get(path)
    assert cache.hits == hits + 1


def test_response_cache_is_bounded():
    cache = ResponseCache(max_entries=2)
    for key in ("a", "b", "c"):
        cache.get((key,), lambda key=key: make_entry(key * 1000, "text/plain", _epoch()))
    assert len(cache) == 2
    built = []
    cache.get(("a",), lambda: built.append(1) or make_entry("a", "text/plain", _epoch()))
    assert built == [1]  # "a" was evicted, so it was built again
    small = ResponseCache(max_bytes=5000)
    for key in "abcdef":
        small.get((key,), lambda key=key: make_entry(key * 2000, "text/plain", _epoch()))
    assert small._bytes <= 5000


def _epoch():
    from datetime import UTC, datetime

    return datetime(2021, 1, 1, tzinfo=UTC)


def test_geometry_url_changes_when_the_boundary_file_changes(tmp_path):
    for name in ("cases.csv", "population.csv", "lookup.csv", "regions.toml"):
        shutil.copy(TINY / name, tmp_path / name)
    source = json.loads((TINY / "boundaries.geojson").read_text())
    (tmp_path / "boundaries.geojson").write_text(json.dumps(source))
    config = tiny_config(data_dir=tmp_path, regions_file=tmp_path / "regions.toml")
    before = resource_urls(create_app(config).test_client(), "/embed/northland")
    # move one corner of Alpha by about 500 m
    ring = source["features"][0]["geometry"]["coordinates"][0]
    ring[2] = [ring[2][0] + 0.007, ring[2][1] + 0.004]
    (tmp_path / "boundaries.geojson").write_text(json.dumps(source))
    client = create_app(config).test_client()
    after = resource_urls(client, "/embed/northland")
    assert after["geometry"] != before["geometry"]
    assert client.get(before["geometry"]).status_code == 404
    assert client.get(after["geometry"]).status_code == 200
    # the data version names the boundary file too, so the values URL changes as well
    assert after["values"] != before["values"]


def test_warm_builds_bundles_and_geometry_before_the_first_request():
    app = create_app({"data_dir": SHARED_DATA})
    current = app.extensions["mapserver"]
    current.warm()
    built = current.cache.misses
    client = app.test_client()
    urls = resource_urls(client, "/embed/london")
    for name in ("geometry", "script", "style"):
        assert client.get(urls[name]).status_code == 200
    # only the page was built now; the geometry and the bundles were ready
    assert current.cache.misses == built + 1


def _large_body() -> bytes:
    """A body past recompress.LARGE that brotli 11 makes smaller than brotli 5 does."""
    pick = random.Random(7)
    places = [f"{a} {b}" for a in ("North", "South", "Upper") for b in ("Ashby", "Crewe", "Dover")]
    rows = [
        {"code": f"E0{pick.randrange(6_000_000, 9_000_000)}", "name": pick.choice(places)}
        | {"rate": round(pick.uniform(0, 900), 1)}
        for _ in range(1500)
    ]
    body = json.dumps(rows).encode()
    assert len(body) >= recompress.LARGE
    return body


def _served_with_brotli(entry, times: int) -> None:
    app = Flask("entries")
    for _ in range(times):
        with app.test_request_context(headers={"Accept-Encoding": "br"}):
            assert respond(request, entry).headers["Content-Encoding"] == "br"


def test_a_large_body_is_answered_at_once_and_recompressed_once_sent_again():
    body = _large_body()
    entry = make_entry(body, "application/json", _epoch())
    first = entry.br
    assert brotli.decompress(first) == body  # answerable at once, whatever the quality
    _served_with_brotli(entry, 1)
    assert recompress.RECOMPRESSOR.settle(timeout=30)
    assert entry.br is first  # sent once: not worth brotli 11's CPU yet
    _served_with_brotli(entry, 1)
    assert recompress.RECOMPRESSOR.settle(timeout=30)
    assert entry.br == brotli.compress(body, quality=11)
    assert len(entry.br) < len(brotli.compress(body, quality=recompress.FIRST))
    assert brotli.decompress(entry.br) == body
    assert entry.size == len(body) + len(entry.gzip) + len(first)  # charged as built


def test_a_small_body_gets_the_best_quality_at_once():
    body = b"<p>" + b"small page " * 200 + b"</p>"
    assert len(body) < recompress.LARGE
    entry = make_entry(body, "text/html", _epoch())
    assert entry.br == brotli.compress(body, quality=11)
    fast = make_entry(_large_body(), "application/json", _epoch(), fast=True)
    assert fast.br == brotli.compress(_large_body(), quality=5)  # a fast one stays fast


def test_a_forked_worker_recompresses_what_its_master_queued():
    # What a gunicorn worker inherits: an entry queued in the master and not yet taken
    # by its thread, which the fork does not copy. The child's reset starts its own.
    recompressor = recompress.Recompressor()
    entry = make_entry(_large_body(), "application/json", _epoch(), fast=True)
    recompressor._pending.append(entry)
    recompressor._reset()  # (registered to run in the child after a fork)
    assert recompressor.settle(timeout=30)
    assert entry.br == brotli.compress(entry.body, quality=11)


def test_geometry_is_the_same_content_with_one_etag_before_and_after(client):
    geometry = resource_urls(client, f"/embed/north-west?week={WEEK}")["geometry"]
    first = client.get(geometry, headers={"Accept-Encoding": "br"})
    client.get(geometry, headers={"Accept-Encoding": "br"})  # sent again: queued for 11
    assert recompress.RECOMPRESSOR.settle(timeout=60)
    later = client.get(geometry, headers={"Accept-Encoding": "br"})
    assert first.headers["ETag"] == later.headers["ETag"]
    assert brotli.decompress(first.get_data()) == brotli.decompress(later.get_data())
    assert len(later.get_data()) <= len(first.get_data())
    again = client.get(
        geometry, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
