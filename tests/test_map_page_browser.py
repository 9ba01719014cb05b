"""The map page's first rendering, kept short without a visible change: the week picker
is sized without measuring every week, and looks and works as before; the league
table's borders are drawn separately, to the same pixels as collapsed ones; the embed
code, at the foot of the page, is drawn only as a reader nears it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGE = "/map/anglia?week=2021-02-21"


def open_page(new_page, base: str, width: int = 412, height: int = 823):
    page = new_page(viewport={"width": width, "height": height}, bypass_csp=True)
    page.goto(base + PAGE)
    page.wait_for_selector("#map[data-ready='true']")
    return page


def test_the_week_picker_is_as_wide_as_its_widest_week_and_keys_still_pick(
    indicator_server, new_page
):
    page = open_page(new_page, indicator_server)
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


@pytest.mark.parametrize("width", [375, 1280])
def test_the_league_table_looks_as_with_collapsed_borders(indicator_server, new_page, width):
    page = open_page(new_page, indicator_server, width, 900)
    table = page.locator("#league")
    assert table.evaluate("e => getComputedStyle(e).borderCollapse") == "separate"
    separate = table.screenshot()
    table.evaluate("e => { e.style.borderCollapse = 'collapse'; }")
    assert table.screenshot() == separate  # pixel for pixel


def test_the_embed_code_is_drawn_only_as_a_reader_nears_it(indicator_server, new_page):
    """On a phone the embed code lies beyond what the browser draws ahead, so the first
    rendering skips it; scrolled to, it is drawn, at its own height, and works."""
    page = open_page(new_page, indicator_server)
    section = page.locator("section.embed-code")
    drawn = "e => e.checkVisibility({ contentVisibilityAuto: true })"
    code = page.locator("#embed-code")
    assert section.evaluate("e => getComputedStyle(e).contentVisibility") == "auto"
    assert not code.evaluate(drawn)
    section.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('#embed-code').checkVisibility("
        "{ contentVisibilityAuto: true })"
    )
    assert code.evaluate("e => e.getBoundingClientRect().height") > 40
    assert code.input_value().startswith("<iframe")
