"""Where scripts do not run, the embed shows no control that could never work: the
search box, the table button and the timeline's buttons are hidden by a stylesheet
that only a <noscript> link loads; with scripts, it is not even fetched."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

EMBED = "/embed/anglia?week=2021-02-21&timeline=1&facts=1"
CONTROLS = ["#area-search-input", "#table-toggle", "#timeline button[data-play]"]


def visible(page) -> dict[str, bool]:
    return {selector: page.locator(selector).is_visible() for selector in CONTROLS}


def test_without_scripts_the_dead_controls_are_hidden(indicator_server, new_page):
    page = new_page(viewport={"width": 375, "height": 700}, java_script_enabled=False)
    styles = []
    page.on("response", lambda r: styles.append(r.url) if r.url.endswith(".css") else None)
    page.goto(indicator_server + EMBED, wait_until="load")
    assert visible(page) == {selector: False for selector in CONTROLS}
    # What still works stays: the week it shows, and the server's image of the map.
    assert page.locator(".timeline-week").is_visible()
    assert page.locator("img.map-fallback").is_visible()
    assert any(url.endswith("/nojs.css") for url in styles)


def test_with_scripts_they_come_alive_and_the_stylesheet_is_not_fetched(indicator_server, new_page):
    page = new_page(viewport={"width": 375, "height": 700})
    styles = []
    page.on("response", lambda r: styles.append(r.url) if r.url.endswith(".css") else None)
    page.goto(indicator_server + EMBED)
    page.wait_for_selector("#map[data-ready='true']")
    assert visible(page) == {selector: True for selector in CONTROLS}
    assert page.locator("#area-search-input").is_enabled()
    assert not any(url.endswith("/nojs.css") for url in styles)
