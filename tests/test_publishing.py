"""Embeds in a news article, as a reader and a newsroom meet them, in Debian's chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from .browser import SCREENSHOTS, PageWatch, static_server

pytestmark = pytest.mark.browser

WEEK = "2021-02-21"
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
FILLER = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12 + "</p>"


@pytest.fixture(scope="module")
def article(server, tmp_path_factory):
    """A news article on a second loopback origin, holding the copyable embed code."""
    page = requests.get(f"{server}/map/east-of-england?week={WEEK}", timeout=30).text
    code = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    code = code.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
    code = code.replace("&amp;", "&").replace('loading="lazy"', "")
    folder = tmp_path_factory.mktemp("article")
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        '<title>Corby and Peterborough highest</title><link rel=icon href="data:,">'
        "<style>body{margin:0 12px;font-family:sans-serif}</style></head><body>"
        f"<h1>Corby and Peterborough have the highest rates</h1>{FILLER * 2}"
        f"{code}{FILLER * 6}</body></html>"
    )
    with static_server(folder) as base:
        yield f"{base}/", code


def api_record(server: str, region: str, code: str) -> dict:
    records = requests.get(
        f"{server}/api/rates", params={"region": region, "week": WEEK}, timeout=10
    ).json()
    return next(record for record in records if record["code"] == code)


def wait_map(page):
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)


def wait_embed(page):
    """Wait for the map inside the page's first iframe."""
    page.frame_locator("iframe").locator("#map[data-ready='true']").wait_for(timeout=20_000)


@pytest.mark.parametrize("width", [375, 1280])
def test_iframe_resizes_to_the_embed_content(article, new_page, width):
    url, code = article
    assert "/embed.js" in code and "<iframe" in code  # the copyable code carries the loader
    page = new_page(viewport={"width": width, "height": 800})
    watch = PageWatch(page, url)
    page.goto(url)
    wait_embed(page)
    iframe = page.locator("iframe")
    page.wait_for_function(
        "() => document.querySelector('iframe').getBoundingClientRect().height !== 560"
    )
    page.wait_for_timeout(300)
    inner = page.frames[1]
    content = inner.evaluate("() => document.querySelector('.graphic').scrollHeight")
    document = inner.evaluate("() => document.documentElement.scrollHeight")
    ideal = int(inner.get_attribute("#map", "data-ideal-height"))
    map_height = inner.evaluate("() => document.getElementById('map').clientHeight")
    height = iframe.bounding_box()["height"]
    assert abs(height - content) <= 2 and abs(height - document) <= 2
    assert abs(map_height - ideal) <= 2  # the map got the height its shape asks for
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    iframe.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"article-{width}.png"))
    # the article's own origin is allowed: it is the host page; the embed stays on ours
    hosts = {re.match(r"https?://([^/]+)", u).group(1) for u in watch.requests}
    assert len(hosts) == 2 and watch.errors == []


def test_one_finger_swipe_over_the_map_scrolls_the_article(article, browser):
    url, _ = article
    context = browser.new_context(
        viewport={"width": 375, "height": 700}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(url)
    wait_embed(page)
    page.wait_for_function(
        "() => document.querySelector('iframe').getBoundingClientRect().height !== 560"
    )
    page.locator("iframe").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = page.locator("iframe").bounding_box()
    before = page.evaluate("() => window.scrollY")
    inner = page.frames[1]
    centre_before = inner.evaluate("() => Mapserver.view.map.getCenter().lat")
    cdp = context.new_cdp_session(page)
    x = box["x"] + box["width"] / 2
    y = box["y"] + box["height"] * 0.6
    # one finger, dragged upwards over the middle of the map
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 16):
        point = {"x": x, "y": y - 20 * step}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    # (the article scrolls once the frame's touch listeners have let the events go)
    page.wait_for_function(f"() => window.scrollY - {before} > 100", timeout=10_000)
    # the map itself did not move (a 300 px drag would move it by about 1 degree)
    assert abs(inner.evaluate("() => Mapserver.view.map.getCenter().lat") - centre_before) < 0.01
    context.close()


def test_keyboard_only_reader_reaches_peterborough(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    page.goto(f"{server}/embed/east-of-england?week={WEEK}")
    wait_map(page)
    focused = None
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.getAttribute('data-code')")
        if focused == "E06000031":
            break
    assert focused == "E06000031"
    label = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert label.startswith("Peterborough: 273.9")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup .popup")
    popup.wait_for()
    expected = api_record(server, "east-of-england", "E06000031")
    assert float(popup.locator(".popup-rate-value").inner_text()) == expected["rate"]
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.getAttribute('data-code')") == "E06000031"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.getAttribute('data-code')") != "E06000031"


def run_axe(page) -> list[dict]:
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    ("path", "table"),
    [(f"/embed/england?week={WEEK}", False), (f"/map/anglia?week={WEEK}", False),
     (f"/embed/england?week={WEEK}", True), (f"/embed/london?week={WEEK}&theme=dark", False),
     (f"/embed/anglia?week={WEEK}&labels=all", False),
     ("/embed/london?week=2021-01-03&theme=dark&labels=all", False)],
)  # fmt: skip
def test_axe_finds_no_serious_violations(server, new_page, path, table):
    page = new_page(viewport={"width": 1000, "height": 800}, bypass_csp=True)
    page.goto(server + path)
    wait_map(page)
    if table:
        page.get_by_role("button", name="Table").click()
        page.locator("table.figures").wait_for()
        # one row per district on the map, Scilly and the City with their series' figures
        assert page.locator("table.figures tbody tr").count() == 317
    violations = run_axe(page)
    assert violations == [], json.dumps(
        [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    )


def test_embed_works_under_its_csp_without_console_errors(server, new_page):
    response = requests.get(f"{server}/embed/england?week={WEEK}", timeout=10)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors *" in policy
    assert "<script>" not in response.text and "onload=" not in response.text
    page = new_page()
    watch = PageWatch(page, server)
    page.goto(f"{server}/embed/england?week={WEEK}&timeline=1")
    wait_map(page)
    page.locator('path[data-code="E07000150"]').click()
    page.locator(".leaflet-popup .sparkline").wait_for()
    assert watch.errors == [] and watch.foreign_requests() == []


def test_highlight_opens_corbys_popup(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    page.goto(f"{server}/embed/east-midlands?week={WEEK}&highlight=E07000150")
    wait_map(page)
    popup = page.locator(".leaflet-popup .popup")
    popup.wait_for()
    assert popup.locator(".popup-name").inner_text() == "Corby"
    assert popup.locator(".popup-rank").inner_text() == "1st of 315 in England"
    assert page.locator(".outline-highlight").count() == 1


def test_focus_zooms_to_the_area(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    page.goto(f"{server}/embed/england?week={WEEK}")
    wait_map(page)
    whole = page.evaluate("() => Mapserver.view.map.getZoom()")
    page.goto(f"{server}/embed/england?week={WEEK}&focus=E06000031")
    wait_map(page)
    assert page.evaluate("() => Mapserver.view.map.getZoom()") > whole + 2


def test_timeline_steps_a_week_without_loading_geometry_again(server, new_page):
    page = new_page(viewport={"width": 1000, "height": 800})
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server}/embed/east-of-england?week={WEEK}&timeline=1")
    wait_map(page)
    assert sum("/geo/" in url for url in requested) == 1
    requested.clear()
    page.get_by_role("button", name="Previous week").click()
    page.wait_for_selector("#map[data-week='2021-02-14']")
    assert not any("/geo/" in url for url in requested)
    assert any("/2021-02-14.v2.json" in url for url in requested)
    assert page.locator(".timeline-week").inner_text() == "7 days to 14 February 2021"
    page.locator('path[data-code="E06000031"]').click()
    rate = page.locator(".leaflet-popup .popup-rate-value").inner_text()
    previous = requests.get(
        f"{server}/api/rates", params={"region": "east-of-england", "week": "2021-02-14"}
    ).json()
    assert float(rate) == next(r for r in previous if r["code"] == "E06000031")["rate"]


def test_wheel_without_ctrl_scrolls_the_page_and_shows_a_hint(article, new_page):
    url, _ = article
    page = new_page(viewport={"width": 1000, "height": 700})
    page.goto(url)
    wait_embed(page)
    page.locator("iframe").scroll_into_view_if_needed()
    inner = page.frames[1]
    zoom = inner.evaluate("() => Mapserver.view.map.getZoom()")
    box = page.locator("iframe").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = page.evaluate("() => window.scrollY")
    page.mouse.wheel(0, 400)
    # (the frame's wheel listener may cancel, so the scroll waits for the frame's script:
    # on a busy machine, that can take longer than any fixed pause)
    page.wait_for_function(f"() => window.scrollY > {before}", timeout=10_000)
    assert inner.evaluate("() => Mapserver.view.map.getZoom()") == zoom
    assert "Ctrl" in inner.locator(".map-hint").inner_text()


@pytest.mark.parametrize(
    "path",
    [f"/map/anglia?week={WEEK}", f"/embed/anglia?week={WEEK}&facts=1",
     f"/embed/london?week={WEEK}&facts=1&theme=dark",
     f"/embed/england?week={WEEK}&facts=1&timeline=1"],
)  # fmt: skip
def test_axe_with_search_results_and_key_facts(server, new_page, path):
    page = new_page(viewport={"width": 1000, "height": 800}, bypass_csp=True)
    page.goto(server + path)
    wait_map(page)
    assert page.locator(".key-facts li").count() >= 4
    # the combobox open, with an active option, as a keyboard reader has it
    page.locator("#area-search-input").focus()
    page.keyboard.type("ham")  # Northampton, Tower Hamlets, Birmingham...
    page.keyboard.press("ArrowDown")
    assert page.locator("#area-search-list [aria-selected=true]").count() == 1
    violations = run_axe(page)
    assert violations == [], json.dumps(
        [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    )
    # and once an area is chosen and its popup is open
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup .popup").first.wait_for()
    # once it has faded in: half-transparent text would fail the contrast check
    page.wait_for_function(
        "() => [...document.querySelectorAll('.leaflet-popup')]"
        ".every(p => getComputedStyle(p).opacity === '1')"
    )
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
