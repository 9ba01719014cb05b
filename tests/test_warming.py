"""A worker's start: warming waits for the requests in flight; collections and forks."""

from __future__ import annotations

import gc
import threading

import pytest

from mapserver import create_app
from mapserver.web import serve
from mapserver.web.in_flight import InFlight

from .conftest import tiny_config


def test_wait_idle_waits_for_the_request_in_flight():
    flight = InFlight()
    inside, leave = threading.Event(), threading.Event()

    def slow_app(environ, start_response):
        inside.set()
        leave.wait(10)
        return [b"done"]

    counted = flight.wrap(slow_app)
    answered = []
    request = threading.Thread(target=lambda: answered.append(counted({}, None)))
    request.start()
    assert inside.wait(10)
    assert flight.wait_idle(0.05) is False  # a request is in flight: background work waits
    leave.set()
    request.join(10)
    assert answered == [[b"done"]]
    assert flight.wait_idle(0.05) is True


def test_a_failing_request_is_not_counted_for_ever():
    flight = InFlight()

    def broken(environ, start_response):
        raise RuntimeError("broken")

    with pytest.raises(RuntimeError):
        flight.wrap(broken)({}, None)
    assert flight.wait_idle(0.05) is True


def test_warming_pauses_before_each_step():
    app = create_app(tiny_config())
    current = app.extensions["mapserver"]
    steps = []
    current.warm_cache(pause=lambda: steps.append(current.cache.misses))
    # a pause before each bundle, each region's geometry, the listings and the indicators
    assert len(steps) == len(current.bundles) + len(current.dataset.regions) + 2
    assert steps[0] == 0 and steps[-1] > 0  # it paused before building, then between


def test_the_master_loads_without_collections_and_freezes_what_it_loaded():
    server = serve.GunicornServer(lambda: {"made": "here"}, {"workers": 1})
    try:
        assert server.load() == {"made": "here"}
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # out of the workers' collections, pages shared
        serve._collect_garbage_again(None, None)  # gunicorn's post_fork, in each worker
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
