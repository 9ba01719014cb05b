"""Bounded builds: past N builds at once a request waits briefly (or gets 503), cached answers
never wait."""

from __future__ import annotations

import re
import threading
import time
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from mapserver import create_app
from mapserver.core.config import load_settings
from mapserver.core.errors import ConfigError
from mapserver.maps import image
from mapserver.web import pages
from mapserver.web.throttle import RETRY_AFTER, BuildSlots, Busy, WaitingRoom

from .conftest import tiny_config

REGION = "alpha-and-charlie"
# A guard against a hung test, never a measurement: every wait here ends at once when
# the code is right.
DEADLOCK_GUARD_S = 30


class Gate:
    """Stands in for a build: says when it has started, then waits to be let through."""

    def __init__(self, result):
        self.result = result
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.started.set()
        assert self.release.wait(DEADLOCK_GUARD_S), "the test never released the build"
        return self.result(*args, **kwargs) if callable(self.result) else self.result


def in_thread(function, *args) -> tuple[threading.Thread, dict]:
    """Run function(*args) in a thread; its return value lands in the dict under 'value'."""
    out: dict = {}

    def run():
        out["value"] = function(*args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def get(app, path: str):
    """A GET from a client of its own (each thread uses its own)."""
    return app.test_client().get(path)


def test_slots_refuse_the_build_past_the_limit_and_free_it_after():
    slots = BuildSlots(1, "image builds")
    gate = Gate("first")
    thread, out = in_thread(slots.bounded(gate))
    assert gate.started.wait(DEADLOCK_GUARD_S)
    with pytest.raises(Busy, match="busy with 1 other image builds") as refused:
        slots.bounded(lambda: "second")()
    assert refused.value.retry_after == RETRY_AFTER
    gate.release.set()
    thread.join(DEADLOCK_GUARD_S)
    assert out["value"] == "first"
    assert slots.bounded(lambda: "third")() == "third"  # the slot came back


def test_a_failed_build_gives_its_slot_back():
    slots = BuildSlots(1)

    def broken():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        slots.bounded(broken)()
    assert slots.bounded(lambda: 7)() == 7


def test_no_bound_when_the_limit_is_zero():
    slots = BuildSlots(0)
    gate = Gate("first")
    thread, _ = in_thread(slots.bounded(gate))
    assert gate.started.wait(DEADLOCK_GUARD_S)
    assert slots.bounded(lambda: "second")() == "second"
    gate.release.set()
    thread.join(DEADLOCK_GUARD_S)


def test_settings_reach_the_app():
    app = create_app(tiny_config(max_builds=3, max_image_builds=2))
    current = app.extensions["mapserver"]
    assert (current.builds.limit, current.image_builds.limit) == (3, 2)
    defaults = create_app(tiny_config()).extensions["mapserver"]
    assert (defaults.builds.limit, defaults.image_builds.limit) == (2, 1)
    # one waiting room for both kinds of build
    assert defaults.builds.room is defaults.image_builds.room
    assert (defaults.builds.room.seats, defaults.builds.room.wait) == (16, 1.0)


def test_bounds_must_leave_a_thread_for_cached_answers():
    with pytest.raises(ConfigError, match=r"\(19\) must be less than MAPSERVER_THREADS \(16\)"):
        load_settings({"threads": 16})
    assert load_settings({"threads": 20}).threads == 20
    with pytest.raises(ConfigError, match="MAPSERVER_BUILD_WAIT must be a number"):
        load_settings(environ={"MAPSERVER_BUILD_WAIT": "soon"})


def test_a_build_past_the_limit_waits_for_the_slot_and_then_runs():
    slots = BuildSlots(1, "page builds", WaitingRoom(seats=1, wait=DEADLOCK_GUARD_S))
    gate = Gate("first")
    first, out_first = in_thread(slots.bounded(gate))
    assert gate.started.wait(DEADLOCK_GUARD_S)
    second, out_second = in_thread(slots.bounded(lambda: "second"))
    wait_for(lambda: slots.room.waiting == 1)
    # the waiting room has one seat, and it is taken: a third request is refused at once
    with pytest.raises(Busy, match="busy with 1 other page builds"):
        slots.bounded(lambda: "third")()
    assert "value" not in out_second  # still waiting for the slot
    gate.release.set()
    first.join(DEADLOCK_GUARD_S)
    second.join(DEADLOCK_GUARD_S)
    assert (out_first["value"], out_second["value"]) == ("first", "second")
    assert slots.room.waiting == 0


def test_a_wait_that_gets_no_slot_ends_in_busy_and_frees_its_seat():
    room = WaitingRoom(seats=1, wait=0.05)
    slots = BuildSlots(1, "image builds", room)
    gate = Gate("first")
    first, _ = in_thread(slots.bounded(gate))
    assert gate.started.wait(DEADLOCK_GUARD_S)
    for _ in range(2):  # the seat is free again after each refusal
        with pytest.raises(Busy, match="busy with 1 other image builds"):
            slots.bounded(lambda: "second")()
        assert room.waiting == 0
    gate.release.set()
    first.join(DEADLOCK_GUARD_S)


def test_three_distinct_pages_at_once_are_all_built_with_two_slots(monkeypatch):
    """What every open live embed does after an update: distinct new pages at once."""
    app = create_app(tiny_config(max_builds=2, build_queue=4, build_wait=DEADLOCK_GUARD_S))
    room = app.extensions["mapserver"].builds.room
    gates = [Gate(pages.render_embed) for _ in range(2)]
    builds = iter(gates)
    monkeypatch.setattr(pages, "render_embed", lambda *a, **k: next(builds)(*a, **k))
    held = [in_thread(get, app, f"/embed/{REGION}?week=2021-01-1{day}") for day in (1, 2)]
    for gate in gates:
        assert gate.started.wait(DEADLOCK_GUARD_S)
    third = in_thread(get, app, f"/map/{REGION}?week=2021-01-13")  # a map page: no gate
    wait_for(lambda: room.waiting == 1)
    for gate in gates:
        gate.release.set()
    for thread, out in [*held, third]:
        thread.join(DEADLOCK_GUARD_S)
        assert out["value"].status_code == 200


def test_second_image_build_is_503_while_cached_answers_and_page_builds_go_on(monkeypatch):
    app = create_app(tiny_config(max_builds=2, max_image_builds=1, build_queue=0))
    cached_page = f"/embed/{REGION}?week=2021-01-10"
    cached_image = f"/image/{REGION}.png?week=2021-01-10&width=300"
    for path in (cached_page, cached_image):
        assert get(app, path).status_code == 200

    renderer = app.extensions["mapserver"].renderer
    gate = Gate(renderer.render)
    monkeypatch.setattr(renderer, "render", gate)
    slow, out = in_thread(get, app, f"/image/{REGION}.png?week=2021-01-11&width=300")
    assert gate.started.wait(DEADLOCK_GUARD_S)

    refused = get(app, f"/image/{REGION}.png?week=2021-01-12&width=300")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER)
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.mimetype == "text/html"  # not an API path: the HTML error page
    assert "busy with 1 other image builds" in refused.get_data(as_text=True)

    # While the build holds its slot, cached answers still come.
    assert get(app, cached_page).status_code == 200
    assert get(app, cached_image).status_code == 200
    # Image builds have slots of their own: pages and values are still built.
    assert get(app, f"/embed/{REGION}?week=2021-01-12").status_code == 200
    assert gate.calls == 1

    gate.release.set()
    slow.join(DEADLOCK_GUARD_S)
    assert out["value"].status_code == 200
    retried = get(app, f"/image/{REGION}.png?week=2021-01-12&width=300")
    assert retried.status_code == 200 and retried.mimetype == "image/png"


def test_page_builds_past_the_bound_are_503_json_on_api_paths(monkeypatch):
    app = create_app(tiny_config(max_builds=1, build_queue=0))
    version = app.extensions["mapserver"].data_version
    cached_values = f"/values/{version}/{REGION}/2021-01-10.json"
    assert get(app, cached_values).status_code == 200

    gate = Gate(pages.render_embed)
    monkeypatch.setattr(pages, "render_embed", gate)
    slow, out = in_thread(get, app, f"/embed/{REGION}?week=2021-01-11")
    assert gate.started.wait(DEADLOCK_GUARD_S)

    refused = get(app, f"/values/{version}/{REGION}/2021-01-12.json")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER)
    assert refused.get_json() == {
        "error": f"the server is busy with 1 other page builds; try again in {RETRY_AFTER} s",
        "status": 503,
    }
    assert get(app, f"/map/{REGION}?week=2021-01-12").status_code == 503
    assert get(app, cached_values).status_code == 200

    gate.release.set()
    slow.join(DEADLOCK_GUARD_S)
    assert out["value"].status_code == 200
    assert get(app, f"/values/{version}/{REGION}/2021-01-12.json").status_code == 200


def wait_for(condition) -> None:
    """Poll until condition() holds (a deadlock guard, not a timing)."""
    deadline = time.monotonic() + DEADLOCK_GUARD_S
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_requests_for_a_page_being_built_wait_for_that_build(monkeypatch):
    app = create_app(tiny_config(max_builds=1))
    cache = app.extensions["mapserver"].cache
    gate = Gate(pages.render_embed)
    monkeypatch.setattr(pages, "render_embed", gate)
    path = f"/embed/{REGION}?week=2021-01-11"
    first, out_first = in_thread(get, app, path)
    assert gate.started.wait(DEADLOCK_GUARD_S)
    # the same page again, and past the bound: it waits for the build under way
    second, out_second = in_thread(get, app, path)
    wait_for(lambda: any(flight.waiters for flight in list(cache._flights.values())))
    gate.release.set()
    first.join(DEADLOCK_GUARD_S)
    second.join(DEADLOCK_GUARD_S)
    assert out_first["value"].status_code == out_second["value"].status_code == 200
    assert out_first["value"].data == out_second["value"].data
    assert gate.calls == 1
    assert not cache._flights


def test_a_failed_build_lets_its_waiters_try_for_themselves(monkeypatch):
    app = create_app(tiny_config(max_builds=2))
    cache = app.extensions["mapserver"].cache
    real = pages.render_embed
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            gate.started.set()
            assert gate.release.wait(DEADLOCK_GUARD_S)
            raise RuntimeError("first build fails")
        return real(*args, **kwargs)

    gate = Gate(None)
    monkeypatch.setattr(pages, "render_embed", fails_once)
    app.testing = False  # a failed build is a 500 page, not an exception in the test
    path = f"/embed/{REGION}?week=2021-01-11"
    first, out_first = in_thread(get, app, path)
    assert gate.started.wait(DEADLOCK_GUARD_S)
    second, out_second = in_thread(get, app, path)
    wait_for(lambda: any(flight.waiters for flight in list(cache._flights.values())))
    gate.release.set()
    first.join(DEADLOCK_GUARD_S)
    second.join(DEADLOCK_GUARD_S)
    assert out_first["value"].status_code == 500
    assert out_second["value"].status_code == 200
    assert len(calls) == 2


def test_a_refusal_is_not_cached(monkeypatch):
    app = create_app(tiny_config(max_builds=1, build_queue=0))
    gate = Gate(pages.render_embed)
    monkeypatch.setattr(pages, "render_embed", gate)
    slow, _ = in_thread(get, app, f"/embed/{REGION}?week=2021-01-11")
    assert gate.started.wait(DEADLOCK_GUARD_S)
    assert get(app, f"/map/{REGION}?week=2021-01-13").status_code == 503
    gate.release.set()
    slow.join(DEADLOCK_GUARD_S)
    assert get(app, f"/map/{REGION}?week=2021-01-13").status_code == 200


@pytest.mark.parametrize(
    ("asked", "drawn"),
    [(300, 300), (301, 600), (600, 600), (601, 900), (1000, 1200), (1201, 2000), (2000, 2000)],
)
def test_snap_width(asked, drawn):
    assert image.snap_width(asked) == drawn


def test_unsnapped_width_redirects_to_the_drawn_size_keeping_the_query():
    client = create_app(tiny_config()).test_client()
    path = f"/image/{REGION}.svg?week=2021-01-10&scheme=quantiles&k=3&width=700"
    response = client.get(path)
    assert response.status_code == 308
    assert response.headers["Location"] == (
        f"/image/{REGION}.svg?week=2021-01-10&scheme=quantiles&k=3&width=900"
    )
    followed = client.get(path, follow_redirects=True)
    assert followed.status_code == 200
    assert 'width="900"' in followed.get_data(as_text=True)[:2000]


def test_pages_link_only_drawn_image_sizes():
    client = create_app(tiny_config()).test_client()
    html = client.get(f"/map/{REGION}?week=2021-01-10").get_data(as_text=True)
    links = images_in(html)
    assert links, "the map page links its image"
    for link in links:
        width = image.parse_width(_query(link).get("width"))
        assert width in image.WIDTHS


def images_in(html: str) -> list[str]:
    """Every /image/ URL written in a page."""
    return re.findall(r"/image/[^\"'<\s]+", html)


def _query(url: str) -> dict:
    return dict(parse_qsl(urlsplit(unescape(url)).query))
