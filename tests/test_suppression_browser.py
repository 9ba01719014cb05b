"""Suppressed small counts and the Covid cases' intervals on a phone, in Debian's chromium."""

from __future__ import annotations

import json

import pytest
import requests

from mapserver.figures.bands import COMPARED_COLOURS, SUPPRESSED_COLOUR

from .test_indicator_browser import find, open_page, settle
from .test_publishing import run_axe
from .test_suppression import ID, RUTLAND, added

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def suppressed_server(tmp_path_factory):
    """`mapserver serve` with the made-up rare disease added with --suppress-below 3."""
    from .browser import running_server

    store = added(tmp_path_factory.mktemp("suppressed-browser"), "--suppress-below", "3")
    with running_server({"MAPSERVER_STORE_DIR": str(store)}) as base:
        yield base


def test_a_suppressed_area_says_so_in_its_popup_legend_and_table(suppressed_server, new_page):
    page, watch = open_page(new_page, f"{suppressed_server}/embed/east-midlands?indicator={ID}")
    legend = page.locator("#legend .legend-label").all_inner_texts()
    assert "Suppressed (under 3)" in legend and "No data" not in legend
    colour = page.evaluate(f"() => Mapserver.view.areas['{RUTLAND}'].colour")
    assert colour == SUPPRESSED_COLOUR
    popup = find(page, "rutland")
    assert popup.locator(".popup-suppressed").inner_text() == (
        "Figure suppressed: fewer than 3 cases in 2023, too few to publish"
    )
    assert popup.locator(".popup-rate").count() == 0
    assert popup.locator(".popup-missing").count() == 0  # not "no data"
    settle(page)
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Table").click()
    row = page.locator(f'table.figures tr[data-code="{RUTLAND}"]')
    assert row.locator("td").first.inner_text() == "suppressed"
    assert watch.errors == [] and watch.foreign_requests() == []


def test_the_covid_popup_gives_the_interval_and_the_comparison(indicator_server, new_page):
    response = requests.get(
        f"{indicator_server}/api/rates",
        params={"region": "anglia", "week": "2021-02-21"},
        timeout=10,
    )
    corby = next(row for row in response.json() if row["name"] == "Corby")
    page, watch = open_page(
        new_page, f"{indicator_server}/embed/anglia?week=2021-02-21&scheme=compared"
    )
    title = page.locator("#legend .legend-title").inner_text()
    assert title == "Compared with England (95% confidence intervals)"
    colour = page.evaluate(f"() => Mapserver.view.areas['{corby['code']}'].colour")
    assert colour == COMPARED_COLOURS[2]  # higher
    popup = find(page, "corby")
    assert popup.locator(".popup-ci").inner_text() == (
        f"95% confidence interval {corby['lower']:.1f} to {corby['upper']:.1f}"
    )
    assert popup.locator(".popup-compared").inner_text() == (
        f"Higher than England ({corby['national']:.1f})"
    )
    settle(page)
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
    assert watch.errors == [] and watch.foreign_requests() == []
