"""The map's own controls (lite.js) in chromium: zoom buttons, drag, wheel, pinch, keys,
popups kept in view, and the optional tile layer."""

from __future__ import annotations

import math
import re

import pytest

from .browser import PageWatch, running_server
from .conftest import SHARED_DATA

pytestmark = pytest.mark.browser

WEEK = "2021-02-21"
EMBED = f"/embed/east-of-england?week={WEEK}"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def ready(page, url):
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)


def view(page) -> dict:
    return page.evaluate(
        "() => { const m = Mapserver.view.map, c = m.getCenter();"
        " return {zoom: m.getZoom(), lat: c.lat, lng: c.lng,"
        " min: m.getMinZoom(), max: m.getMaxZoom()}; }"
    )


def under(page, x: float, y: float) -> dict:
    """The latitude and longitude under a point of the map (container pixels)."""
    return page.evaluate(
        "([x, y]) => { const ll = Mapserver.view.map.containerPointToLatLng([x, y]);"
        " return {lat: ll.lat, lng: ll.lng}; }",
        [x, y],
    )


def test_zoom_buttons_step_by_one_and_stop_at_the_limits(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    watch = PageWatch(page, server)
    ready(page, server + EMBED)
    start = view(page)
    zoom_in = page.get_by_role("button", name="Zoom in")
    zoom_out = page.get_by_role("button", name="Zoom out")
    zoom_in.click()
    assert view(page)["zoom"] == start["zoom"] + 1
    # the labels were placed again for the new view
    page.wait_for_function("() => !document.querySelector('.map-labels-moving')")
    zoom_out.click()
    zoom_out.click()
    assert view(page)["zoom"] == start["min"] == start["zoom"] - 1
    assert zoom_out.get_attribute("aria-disabled") == "true"
    assert zoom_in.get_attribute("aria-disabled") == "false"
    zoom_out.click(force=True)  # (a disabled button: Playwright would wait for it)
    assert view(page)["zoom"] == start["min"]
    assert watch.errors == []


def test_dragging_pans_the_map_and_the_click_that_ends_it_opens_nothing(server, new_page):
    # narrow, so that the region's padded bounds leave room to pan both ways
    page = new_page(viewport={"width": 375, "height": 700})
    ready(page, server + EMBED)
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = view(page)
    grabbed = under(page, box["width"] / 2, box["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 10 * step, y + 5 * step)
    page.mouse.up()
    after = view(page)
    assert after["zoom"] == before["zoom"]
    assert after["lng"] < before["lng"] and after["lat"] > before["lat"]
    # the point grabbed moved with the pointer: it is now 100 px right, 50 px down
    moved = under(page, box["width"] / 2 + 100, box["height"] / 2 + 50)
    assert moved["lat"] == pytest.approx(grabbed["lat"], abs=1e-3)
    assert moved["lng"] == pytest.approx(grabbed["lng"], abs=1e-3)
    assert page.locator(".leaflet-popup").count() == 0
    # a plain click on an area opens its popup
    page.locator('path[data-code="E06000031"]').click()
    page.locator(".leaflet-popup .popup").wait_for()


def test_ctrl_wheel_zooms_about_the_pointer(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    ready(page, server + EMBED)
    box = page.locator("#map").bounding_box()
    # a point in whole page pixels, as the pointer's events give it
    px = round(box["x"] + box["width"] * 0.6) - box["x"]
    py = round(box["y"] + box["height"] * 0.55) - box["y"]
    before, spot = view(page), under(page, px, py)
    page.mouse.move(box["x"] + px, box["y"] + py)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -240)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => Mapserver.view.map.getZoom() > {before['zoom']}")
    after = view(page)
    assert after["zoom"] - before["zoom"] >= 0.25
    assert (after["zoom"] / 0.25) == int(after["zoom"] / 0.25)  # snapped to quarter levels
    # the place that was under the pointer still is
    now = page.evaluate(
        "(ll) => { const p = Mapserver.view.map.latLngToContainerPoint(ll); return [p.x, p.y]; }",
        spot,
    )
    assert abs(now[0] - px) <= 1 and abs(now[1] - py) <= 1, (now, px, py, after)


def test_two_fingers_pinch_to_zoom(server, browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 700}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    ready(page, server + EMBED)
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = view(page)
    cdp = context.new_cdp_session(page)

    def fingers(gap):
        return [{"x": x - gap, "y": y, "id": 0}, {"x": x + gap, "y": y, "id": 1}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": fingers(40)})
    for gap in range(45, 165, 5):  # the fingers spread from 80 to 320 px apart: 4 times
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": fingers(gap)})
        page.wait_for_timeout(10)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(200)
    after = view(page)
    expected = min(before["zoom"] + math.log2(160 / 40), before["max"])
    assert after["zoom"] == pytest.approx(expected, abs=0.25)
    context.close()


def test_keys_on_the_map_zoom_and_pan(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    ready(page, server + EMBED)
    page.locator("#map").focus()
    before = view(page)
    page.keyboard.press("+")
    assert view(page)["zoom"] == before["zoom"] + 1
    middle = view(page)
    page.keyboard.press("ArrowRight")
    assert view(page)["lng"] > middle["lng"]


def test_a_popup_near_the_edge_is_panned_into_view(server, new_page):
    page = new_page(viewport={"width": 375, "height": 700})
    ready(page, server + EMBED)
    # the northernmost area's popup would open above the map's top edge
    code = page.evaluate(
        "() => Object.values(Mapserver.view.shapes)"
        ".sort((a, b) => b.getBounds().getNorthEast().lat - a.getBounds().getNorthEast().lat)[0]"
        ".feature.id"
    )
    page.evaluate(f"() => Mapserver.view.shapes['{code}'].openPopup()")
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    frame, box = page.locator("#map").bounding_box(), popup.bounding_box()
    assert box["y"] >= frame["y"] and box["x"] >= frame["x"]
    assert box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert box["y"] + box["height"] <= frame["y"] + frame["height"]


def test_tiles_when_configured_cover_the_view_with_their_credit(new_page):
    env = {
        "MAPSERVER_DATA_DIR": str(SHARED_DATA),
        "MAPSERVER_TILES": "https://tiles.example/{z}/{x}/{y}.png",
        "MAPSERVER_TILES_ATTRIBUTION": "© Example tiles",
    }
    with running_server(env) as base:
        page = new_page(viewport={"width": 800, "height": 700})
        asked = []

        def tile(route):
            asked.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=PNG)

        page.route("https://tiles.example/**", tile)
        ready(page, base + EMBED)
        page.wait_for_function("() => [...document.querySelectorAll('.leaflet-tile')].length > 0")
        zoom = view(page)["zoom"]
        frame = page.locator("#map").bounding_box()
        tiles = page.evaluate(
            "() => [...document.querySelectorAll('img.leaflet-tile')].map(t => {"
            " const r = t.getBoundingClientRect();"
            " return {src: t.getAttribute('src'), x: r.x, y: r.y, w: r.width, h: r.height}; })"
        )
        levels = {int(re.search(r"/(\d+)/\d+/\d+\.png$", t["src"]).group(1)) for t in tiles}
        assert levels == {round(zoom)}
        # every corner of the map lies on some tile
        for cx, cy in [(1, 1), (frame["width"] - 1, 1), (1, frame["height"] - 1)]:
            x, y = frame["x"] + cx, frame["y"] + cy
            assert any(
                t["x"] <= x <= t["x"] + t["w"] and t["y"] <= y <= t["y"] + t["h"] for t in tiles
            )
        assert {t["src"] for t in tiles} <= set(asked)
        credit = page.locator(".leaflet-control-attribution").inner_text()
        assert "© Example tiles" in credit
