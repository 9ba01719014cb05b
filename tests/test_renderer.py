"""Images are drawn in a child process at a lower priority, with the same bytes as in-process."""

from __future__ import annotations

import os

import pytest

from mapserver import create_app
from mapserver.maps import drawing, image
from mapserver.web.current import parse_query
from mapserver.web.images import image_inputs
from mapserver.web.renderer import Renderer, RendererError

from .conftest import tiny_config


@pytest.fixture(scope="module")
def inputs():
    app = create_app(tiny_config())
    with app.test_request_context():
        current = app.extensions["mapserver"]
        query = parse_query("alpha-and-charlie", {"week": "2021-01-10"})
        return image_inputs(current, query)


def test_child_draws_the_same_bytes_as_in_process(inputs):
    renderer = Renderer()
    for fmt in ("png", "svg"):
        drawn = renderer.render(**inputs, width=300, fmt=fmt)
        assert drawn == image.render_map_image(**inputs, width=300, fmt=fmt)


def test_child_is_another_process_at_a_lower_priority():
    renderer = Renderer()
    renderer.start()
    (child,) = list(renderer._idle.queue)
    assert child.process.pid != os.getpid()
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, child.process.pid) == min(mine + drawing.NICENESS, 19)


def test_errors_in_the_child_are_raised_in_the_caller(inputs):
    with pytest.raises(ValueError, match="format must be one of png, svg"):
        Renderer().render(**inputs, width=300, fmt="gif")


def test_a_dead_child_fails_one_request_and_is_replaced(inputs):
    renderer = Renderer()
    renderer.start()
    (child,) = list(renderer._idle.queue)
    child.process.kill()
    child.process.wait()
    with pytest.raises(RendererError, match="the drawing process failed"):
        renderer.render(**inputs, width=300, fmt="png")
    assert renderer.render(**inputs, width=300, fmt="png").startswith(b"\x89PNG")


def test_the_wire_format_round_trips(tmp_path):
    path = tmp_path / "pipe"
    with path.open("wb") as out:
        drawing.send(out, {"a": 1})
        drawing.send(out, (False, ValueError("no")))
    with path.open("rb") as stream:
        assert drawing.receive(stream) == {"a": 1}
        ok, error = drawing.receive(stream)
        assert ok is False and str(error) == "no"
        with pytest.raises(EOFError):
            drawing.receive(stream)
