"""Phones first: nothing in an embed moves when its data arrives, and pages describe
themselves for search engines and link previews."""

from __future__ import annotations

import re

import pytest

from .browser import PageWatch

pytestmark = pytest.mark.browser

EMBEDS = [
    "/embed/england?week=2021-02-21",
    "/embed/anglia?week=2021-02-21&facts=1&timeline=1",
    "/embed/london?week=2021-02-21&highlight=E09000012",
    "/map/anglia?week=2021-02-21",
]
# Where each part of the figure sits, and how tall the figure's own parts are.
MEASURE = """() => {
  const box = id => { const e = document.getElementById(id);
    if (!e) return null; const r = e.getBoundingClientRect(); return [r.top, r.height]; };
  const graphic = document.querySelector('.graphic').getBoundingClientRect();
  const map = document.getElementById('map').getBoundingClientRect();
  return {map: box('map'), legend: box('legend'), search: box('area-search'),
          timeline: box('timeline'), facts: box('facts'), chrome: graphic.height - map.height,
          page: document.documentElement.scrollHeight};
}"""


@pytest.mark.parametrize("path", EMBEDS)
def test_nothing_moves_when_the_data_arrives(indicator_server, new_page, path):
    page = new_page(viewport={"width": 375, "height": 740})
    watch = PageWatch(page, indicator_server + path)
    waiting = []

    def hold(route):  # the values wait until the layout without them has been read
        waiting.append(route)

    page.route(re.compile(r"/values/"), hold)
    page.goto(indicator_server + path)
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(300)
    assert page.get_attribute("#map", "data-ready") is None  # the values are held back
    before = page.evaluate(MEASURE)
    assert waiting, "the embed asked for its values"
    for route in waiting:
        route.continue_()
    page.unroute(re.compile(r"/values/"))
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    page.wait_for_timeout(300)
    after = page.evaluate(MEASURE)
    for part, where in before.items():
        if isinstance(where, list):
            assert after[part] is not None, part
            for then, now in zip(where, after[part], strict=True):
                assert abs(now - then) <= 1, (part, before, after)
        elif where is not None:
            assert abs(after[part] - where) <= 1, (part, before, after)
    assert watch.errors == []


CVD = "/embed/london?indicator=preventable-cardiovascular-mortality-england"


@pytest.mark.parametrize("path", [*EMBEDS, CVD])
def test_every_map_has_a_meta_description_with_its_figures(indicator_server, path):
    import requests

    html = requests.get(indicator_server + path, timeout=20).text
    found = re.findall(r'<meta name="description" content="([^"]+)">', html)
    assert len(found) == 1
    assert re.search(r"\d", found[0]) and 50 <= len(found[0]) <= 320, found[0]
