"""The browser reads both values formats alike: a page loads the lean format, and a page
published before it (the first format's values and geometry) draws the same map."""

from __future__ import annotations

import json
import re

import pytest
import requests

from .browser import PageWatch

pytestmark = pytest.mark.browser

WEEK, EARLIER = "2021-02-21", "2021-02-14"

# What a reader (and a screen reader) gets from the drawn map: every area's accessible
# name, and the labels placed.
DRAWN = """() => ({
  areas: Object.fromEntries([...document.querySelectorAll('#map [data-code][aria-label]')]
    .map((node) => [node.dataset.code, node.getAttribute('aria-label')])),
  labels: [...document.querySelectorAll('#map .map-label')].map((node) => node.textContent),
  week: document.getElementById('map').dataset.week,
})"""


def first_format_page(html: str, geometry_version: str) -> str:
    """An embed as it was rendered before the lean format: the same page, loading the
    first format's values and geometry."""
    lean = re.search(r'data-geometry="([^"]+)"', html).group(1)
    first = re.sub(
        r"/geo/[0-9a-f]+/(.+)\.v2\.topojson", rf"/geo/{geometry_version}/\1.topojson", lean
    )
    assert first != lean
    return html.replace(lean, first).replace(".v2.json", ".json")


def open_embed(new_page, url: str, old: str | None = None):
    """A page of `url`, as rendered now, or (`old`: the geometry version) as before."""
    page = new_page(viewport={"width": 1000, "height": 800})
    watch = PageWatch(page, url)
    if old:

        def rewrite(route):
            answer = route.fetch()
            route.fulfill(response=answer, body=first_format_page(answer.text(), old))

        page.route(lambda address: "/embed/" in address, rewrite)
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true'][data-labels-placed]", timeout=20_000)
    return page, watch


def test_an_embed_published_before_draws_the_same_map(new_page, server):
    geometry = requests.get(f"{server}/healthz", timeout=10).json()["geometry_version"]
    url = f"{server}/embed/england?week={WEEK}&labels=all&timeline=1"
    lean, lean_watch = open_embed(new_page, url)
    first, first_watch = open_embed(new_page, url, old=geometry)
    assert any(".v2.json" in address for address in lean_watch.requests)
    loaded = [address for address in first_watch.requests if "/values/" in address]
    assert loaded and not any(".v2." in address for address in first_watch.requests)
    now, before = lean.evaluate(DRAWN), first.evaluate(DRAWN)
    assert len(now["areas"]) == 317 and len(now["labels"]) > 10
    assert before == now
    # a week later (earlier): both recolour in place from their own format's values
    for page in (lean, first):
        page.get_by_role("button", name="Previous week").click()
        page.wait_for_selector(f"#map[data-week='{EARLIER}']")
    now, before = lean.evaluate(DRAWN), first.evaluate(DRAWN)
    assert before == now and now["areas"] != {}
    assert lean_watch.errors == first_watch.errors == []


def test_both_formats_read_to_the_same_areas_and_labels(new_page, server):
    """format.js reads the first format's values (with its geometry) and the lean values
    (with the lean geometry) to the same area objects and label order."""
    health = requests.get(f"{server}/healthz", timeout=10).json()
    page, watch = open_embed(new_page, f"{server}/embed/south-west?week={WEEK}")
    first = f"/values/{health['data_version']}/south-west/{WEEK}.json"
    geometry = f"/geo/{health['geometry_version']}/south-west.topojson"
    read = page.evaluate(
        """async ([valuesUrl, geometryUrl]) => {
          const get = async (url) => (await fetch(url)).json();
          const F = Mapserver.format, view = Mapserver.view;
          const values = await get(valuesUrl), places = F.readPlaces(await get(geometryUrl));
          return JSON.stringify({
            first: [F.readAreas(values, places), F.readLabels(values, places)],
            lean: [view.areas, view.labelOrder],
          });
        }""",
        [first, geometry],
    )
    read = json.loads(read)
    assert read["first"] == read["lean"]
    areas, labels = read["lean"]
    assert areas["E06000023"]["name"] == "Bristol, City of"
    assert labels["short"] == {"E06000023": "Bristol"} and len(labels["top"]) == 3
    assert len(labels["top"]) + len(labels["others"]) == len(areas)
    assert watch.errors == []
