"""The map page's first rendering, kept short: the embed code, far below the map, is
styled and laid out only as the reader nears it (`content-visibility: auto`), without
moving anything or hiding it from a screen reader; the week picker is sized without
measuring every week, and looks and works as before."""

from __future__ import annotations

import json

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS
from .test_publishing import run_axe

pytestmark = pytest.mark.browser

PAGE = "/map/anglia?week=2021-02-21"
DEFERRED = ["section.embed-code"]
# Drawn with the page (the table too: on a phone it starts within the 1.5 viewports below
# the screen that the browser would draw at once anyway).
SHOWN = ["form.controls", "#map", "#legend", "section.total", "section.league", "nav.regions"]
SHIFTS = """window.__shifts = [];
new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__shifts.push(e.value)))
  .observe({type: "layout-shift", buffered: true});"""
# Whether the browser draws an element's content now (false inside a skipped subtree).
DRAWN = "e => e.firstElementChild.checkVisibility({contentVisibilityAuto: true})"
# Where what a reader sees sits: the headings, the table, the embed code's and the links'
# parts. (Not the sections' own boxes: the heading's margin is inside a contained one.)
PLACES = """() => [...document.querySelectorAll(
    'main h2, .table-wrap, .embed-code > *, nav.regions > *, #copy-embed, footer')]
  .map(e => { const r = e.getBoundingClientRect(); return [r.top + scrollY, r.height]; })"""


@pytest.fixture(scope="module")
def screen_reader_browser(browser):
    """Chromium with its full accessibility tree, as when a screen reader runs."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--force-renderer-accessibility"]
    )
    yield launched
    launched.close()


def open_page(browser, base: str, height: int):
    context = browser.new_context(viewport={"width": 412, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.add_init_script(SHIFTS)
    page.goto(base + PAGE)
    page.wait_for_selector("#map[data-ready='true']")
    return context, page


def scroll_to_the_end(page) -> None:
    for _ in range(40):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(40)
    page.wait_for_timeout(300)


def accessible(context, page, role: str) -> set[str]:
    """The names of the nodes with `role` in the page's accessibility tree."""
    nodes = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return {
        str(node.get("name", {}).get("value"))
        for node in nodes
        if node.get("role", {}).get("value") == role and not node.get("ignored")
    }


def test_below_the_map_waits_for_the_reader_and_moves_nothing(indicator_server, browser):
    context, page = open_page(browser, indicator_server, 823)
    for selector in DEFERRED:
        style = page.locator(selector).first.evaluate("e => getComputedStyle(e).contentVisibility")
        assert style == "auto" and not page.locator(selector).first.evaluate(DRAWN), selector
    for selector in SHOWN:
        assert page.locator(selector).first.evaluate(DRAWN), selector
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])

    # A reader scrolls to the end: each part is drawn on the way, and nothing shifts.
    scroll_to_the_end(page)
    for selector in DEFERRED:
        assert page.locator(selector).first.evaluate(DRAWN), selector
    assert page.evaluate("window.__shifts") == []
    # The containment moves nothing: the headings and parts sit where they sit without it.
    contained = page.evaluate(PLACES)
    page.evaluate(
        "(selectors) => selectors.forEach(s => document.querySelectorAll(s)"
        ".forEach(e => { e.style.contentVisibility = 'visible'; }))",
        DEFERRED,
    )
    plain = page.evaluate(PLACES)
    assert len(contained) == len(plain) >= 10
    for (top, height), (top0, height0) in zip(contained, plain, strict=True):
        assert abs(top - top0) <= 1 and abs(height - height0) <= 1, (contained, plain)
    context.close()


def test_what_waits_is_there_for_a_screen_reader(indicator_server, screen_reader_browser):
    context, page = open_page(screen_reader_browser, indicator_server, 823)
    code = page.locator("section.embed-code")
    assert not code.evaluate(DRAWN)
    assert "Embed this map" in accessible(context, page, "heading")
    assert "Copy code" in accessible(context, page, "button")
    assert {"Place labels", "Find an area box", "Key facts"} <= accessible(
        context, page, "combobox"
    )
    scroll_to_the_end(page)
    assert code.evaluate(DRAWN)
    assert page.evaluate("window.__shifts") == []
    context.close()


def test_the_week_picker_is_as_wide_as_its_widest_week_and_keys_still_pick(
    indicator_server, browser
):
    context, page = open_page(browser, indicator_server, 823)
    picker = page.locator("select[name=week]")
    width = picker.evaluate("e => e.getBoundingClientRect().width")
    # The width an auto-sized picker gets by measuring every option.
    measured = picker.evaluate(
        "e => { e.style.fieldSizing = 'fixed'; e.style.minWidth = '0';"
        " const w = e.getBoundingClientRect().width; e.style.cssText = ''; return w; }"
    )
    assert picker.locator("option").count() > 150 and abs(width - measured) <= 1
    # The keyboard: the next key goes to the week before, on its own page.
    assert picker.input_value() == "2021-02-21"
    picker.focus()
    with page.expect_navigation():
        page.keyboard.press("ArrowDown")
    assert page.url.endswith("/map/anglia?week=2021-02-14")
    assert page.locator("select[name=week]").input_value() == "2021-02-14"
    context.close()
