"""Serving data versions in-process: the switch, old versions' URLs, pinned embeds."""

from __future__ import annotations

import re
import time

import pytest

from mapserver import create_app
from mapserver.web.current import state

from .test_update import config_of, make_env, next_day_rows, run, store_of, write

WEEK_BEFORE, WEEK_AFTER = "2021-01-14", "2021-01-15"


@pytest.fixture
def env(tmp_path) -> dict:
    """Settings for a copy of the tiny fixture, with the version store in tmp_path/store."""
    return make_env(tmp_path)


@pytest.fixture
def app(env):
    return create_app(config_of(env))


def health(client) -> dict:
    return client.get("/healthz").get_json()


def test_the_server_switches_to_a_new_version_and_keeps_the_old_one(app, env, tmp_path):
    client = app.test_client()
    registry = app.extensions["mapserver"].registry
    before = health(client)
    assert before["default_week"] == WEEK_BEFORE
    old_values = client.get(f"/values/{before['data_version']}/england/{WEEK_BEFORE}.json")
    assert old_values.status_code == 200
    embed = client.get("/embed/england").get_data(as_text=True)
    geometry = re.search(r'data-geometry="([^"]+)"', embed).group(1)

    assert not registry.check()  # nothing new yet: the store is empty
    result = run(env, "update", str(write(tmp_path, "next.csv", next_day_rows())))
    assert result.exit_code == 0, result.stderr
    # The seed is the configured data: the same version the server already serves.
    assert store_of(env).versions()[0].name == before["data_version"]
    assert registry.check()
    after = health(client)
    assert after["data_version"] == store_of(env).current_name() != before["data_version"]
    assert after["default_week"] == WEEK_AFTER
    assert after["versions_in_memory"] == [after["data_version"], before["data_version"]]
    # Both versions answer from one cache: one memory budget, however many are loaded.
    old_state, new_state = registry.get(before["data_version"]), registry.current
    assert old_state.cache is new_state.cache
    assert f'data-first-week="2021-01-07" data-last-week="{WEEK_AFTER}"' in client.get(
        "/embed/england"
    ).get_data(as_text=True)
    # Pages built from the old version still find their values and geometry.
    again = client.get(f"/values/{before['data_version']}/england/{WEEK_BEFORE}.json")
    assert again.status_code == 200 and again.data == old_values.data
    assert client.get(geometry).status_code == 200
    new = client.get(f"/values/{after['data_version']}/england/{WEEK_AFTER}.json")
    assert new.status_code == 200
    # The old version has no 2021-01-15.
    late = client.get(f"/values/{before['data_version']}/england/{WEEK_AFTER}.json")
    assert late.status_code == 404


def test_a_request_keeps_the_state_it_started_with(app, env, tmp_path):
    registry = app.extensions["mapserver"].registry
    assert run(env, "update", str(write(tmp_path, "next.csv", next_day_rows()))).exit_code == 0
    with app.test_request_context("/embed/england"):
        started = state()
        assert registry.check()
        assert state() is started  # in flight: unchanged
    with app.test_request_context("/embed/england"):
        assert state() is registry.current is not started


def test_a_refused_update_changes_nothing_served(app, env, tmp_path):
    client = app.test_client()
    registry = app.extensions["mapserver"].registry
    assert run(env, "update").exit_code == 0
    urls = ["/embed/england", "/map/england", f"/values/{health(client)['data_version']}"
            f"/england/{WEEK_BEFORE}.json", "/api/rates.csv?region=england"]  # fmt: skip
    bodies = [client.get(url).data for url in urls]
    bad = write(tmp_path, "bad.csv", [row.replace(",10\n", ",-1\n") for row in next_day_rows()])
    assert run(env, "update", str(bad)).exit_code == 2
    assert not registry.check()
    fresh = create_app(config_of(env)).test_client()  # as a restarted server would
    for url, body in zip(urls, bodies, strict=True):
        assert client.get(url).data == body
        assert fresh.get(url).data == body


def test_pinned_embeds_show_their_own_version(app, env, tmp_path):
    client = app.test_client()
    registry = app.extensions["mapserver"].registry
    old = health(client)["data_version"]
    pinned = f"/embed/england?week={WEEK_BEFORE}&v={old}"
    before = client.get(pinned).get_data(as_text=True)
    assert "Data as of 14 January 2021." in before
    assert f"/values/{old}/england/{{week}}.v2.json" in before
    assert f"/image/england.png?week={WEEK_BEFORE}&amp;v={old}" in before
    revised = [row.replace(",10\n", ",11\n") for row in next_day_rows()]
    result = run(env, "update", "--accept-revisions", str(write(tmp_path, "rev.csv", revised)))
    assert result.exit_code == 0, result.stderr
    assert registry.check()
    new = health(client)["data_version"]
    assert client.get(pinned).get_data(as_text=True) == before
    live = client.get("/embed/england").get_data(as_text=True)
    assert "Data as of" not in live and f"/values/{new}/" in live
    old_json = client.get(f"/values/{old}/england/{WEEK_BEFORE}.json").get_json()
    new_json = client.get(f"/values/{new}/england/{WEEK_BEFORE}.json").get_json()
    assert old_json != new_json  # the revision shows live, not in the pinned figures
    # The image and oEmbed of the pinned URL name the old version too.
    assert client.get(f"/image/england.png?week={WEEK_BEFORE}&v={old}").status_code == 200
    body = client.get(f"/oembed?url=http://localhost{pinned.replace('&', '%26')}").get_json()
    assert body["data_version"] == old and f"v={old}" in body["html"]
    # A pinned embed keeps its version from being pruned.
    assert old in store_of(env).pinned()


def test_unknown_and_malformed_versions(app):
    client = app.test_client()
    current = health(client)["data_version"]
    missing = client.get("/embed/england?v=0123456789ab")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "no data version 0123456789ab kept here" in text and current in text
    assert 'href="/embed/england">The same map with the latest data' in text
    assert client.get("/embed/england?v=nope").status_code == 400
    assert client.get("/values/0123456789ab/england/2021-01-14.json").status_code == 404


def test_the_map_page_offers_live_and_pinned_embed_code(app):
    client = app.test_client()
    version = health(client)["data_version"]
    page = client.get("/map/england").get_data(as_text=True)
    live = re.search(r'value="live" data-code="([^"]*)"(?: data-src="[^"]*")?( checked)?', page)
    pinned = re.search(r'value="pinned" data-code="([^"]*)"(?: data-src="[^"]*")?( checked)?', page)
    assert live.group(2) and not pinned.group(2)  # no week chosen: live by default
    assert "week=" not in live.group(1) and f"v={version}" in pinned.group(1)
    assert f"week={WEEK_BEFORE}" in pinned.group(1)
    chosen = client.get(f"/map/england?week={WEEK_BEFORE}").get_data(as_text=True)
    assert re.search(r'value="pinned" data-code="[^"]*"(?: data-src="[^"]*")? checked', chosen)
    code = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', chosen, re.S).group(1)
    assert f"v={version}" in code


def test_versions_beyond_memory_load_on_demand(env, tmp_path):
    app = create_app(config_of(env, versions_in_memory="1"))
    client = app.test_client()
    old = health(client)["data_version"]
    assert run(env, "update", str(write(tmp_path, "next.csv", next_day_rows()))).exit_code == 0
    assert app.extensions["mapserver"].registry.check()
    assert health(client)["versions_in_memory"] == [store_of(env).current_name()]
    assert client.get(f"/values/{old}/england/{WEEK_BEFORE}.json").status_code == 200


def test_live_json_answers_304_until_the_version_changes(app, env, tmp_path):
    client = app.test_client()
    first = client.get("/live.json")
    assert first.headers["Cache-Control"] == "no-cache"
    assert first.get_json() == {
        "data_version": health(client)["data_version"],
        "geometry_version": health(client)["geometry_version"],
        "default_week": WEEK_BEFORE,
        "last_week": WEEK_BEFORE,
    }
    tag = {"If-None-Match": first.headers["ETag"]}
    assert client.get("/live.json", headers=tag).status_code == 304
    assert run(env, "update", str(write(tmp_path, "next.csv", next_day_rows()))).exit_code == 0
    assert app.extensions["mapserver"].registry.check()
    changed = client.get("/live.json", headers=tag)
    assert changed.status_code == 200 and changed.get_json()["default_week"] == WEEK_AFTER
    # Only live embeds check: pinned ones carry no live URL.
    assert 'data-live-url="/live.json"' in client.get("/embed/england").get_data(as_text=True)
    pinned = client.get(f"/embed/england?v={changed.get_json()['data_version']}")
    assert "data-live-url" not in pinned.get_data(as_text=True)


def test_the_server_can_poll_a_source_itself(env, tmp_path):
    source = write(tmp_path, "published.csv", next_day_rows())
    app = create_app(config_of(env, watch_every="0.2", update_url=str(source), update_every="1"))
    client = app.test_client()
    old = health(client)["data_version"]  # the first request starts the threads
    deadline = time.monotonic() + 60
    while health(client)["default_week"] != WEEK_AFTER:
        assert time.monotonic() < deadline, health(client)
        time.sleep(0.2)
    body = health(client)
    assert body["data_version"] == store_of(env).current_name() != old
    # The first poll seeded the store and switched; later ones find nothing new.
    assert body["update_result"].startswith(("seeded the store", "data version"))
    assert body["update_checked_at"]
