"""A non-Covid indicator on a phone, in Debian's chromium: words, figures, labels, search."""

from __future__ import annotations

import json

import pytest
import requests

from .browser import SCREENSHOTS
from .test_find_browser import open_embed
from .test_publishing import run_axe

pytestmark = pytest.mark.browser

CVD = "preventable-cardiovascular-mortality-england"
TITLE = "Preventable cardiovascular mortality (England)"
UNIT = "per 100,000 population"
BLACKPOOL = "E06000009"


def api(base: str, region: str, **params) -> dict[str, dict]:
    response = requests.get(
        f"{base}/api/rates", params={"indicator": CVD, "region": region, **params}, timeout=10
    )
    return {row["code"]: row for row in response.json()}


def find(page, text: str):
    """Type `text` into the Find an area box and press Enter: the popup it opens."""
    page.locator("#area-search-input").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup .popup")
    popup.wait_for(timeout=5_000)
    return popup


def settle(page) -> None:
    """Wait until an open popup has faded in: axe reads the colours as drawn, and a
    half-faded popup's text has less contrast than the popup itself."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.leaflet-popup')]"
        ".every(p => getComputedStyle(p).opacity === '1')"
    )


def open_page(new_page, url: str):
    """The page at 375 px, once its map is drawn, and its watch."""
    return open_embed(new_page, url, 375)


def test_an_indicator_embed_on_a_phone(indicator_server, new_page):
    expected = api(indicator_server, "england")
    page, watch = open_page(new_page, f"{indicator_server}/embed/england?indicator={CVD}&facts=1")
    assert page.locator("#graphic-title").inner_text() == f"{TITLE}, England"
    assert "2022 to 2024" in page.locator(".graphic-subtitle").inner_text()
    legend = page.locator("#legend .legend-title").inner_text()
    assert legend == f"Rate {UNIT}"
    # The top areas are labelled with the API's figures.
    labels = page.locator(".map-label-top").all_inner_texts()
    assert f"Blackpool {expected[BLACKPOOL]['value']:.1f}" in labels
    # Key facts in the indicator's unit.
    facts = page.locator(".key-facts-list li").all_inner_texts()
    assert facts[0].startswith(
        f"Blackpool had the highest figure in England in 2022 to 2024: "
        f"{expected[BLACKPOOL]['value']:.1f} {UNIT}"
    )
    # Search, then the popup: the figure, its unit and the period.
    popup = find(page, "blackp")
    assert popup.locator(".popup-name").inner_text() == "Blackpool"
    value = float(popup.locator(".popup-rate-value").inner_text())
    assert value == expected[BLACKPOOL]["value"]
    assert UNIT in popup.locator(".popup-rate").inner_text()
    low, high = expected[BLACKPOOL]["lower"], expected[BLACKPOOL]["upper"]
    interval = popup.locator(".popup-ci").inner_text()
    assert interval == f"95% confidence interval {low:.1f} to {high:.1f}"  # the file's own
    assert "cases" not in popup.inner_text()  # published values: no count to speak of
    before = api(indicator_server, "england", period="2021-01-01/P3Y")[BLACKPOOL]["value"]
    direction = "Down" if before > value else "Up"
    change = popup.locator(".popup-change").inner_text()
    # published values with limits: the change is said with what its intervals show
    assert f"from {before:.1f} the period before: " in change
    assert change.endswith(
        ("more than chance would explain", "the two periods' 95% confidence intervals overlap")
    )
    assert (direction == "Down") == ("\u25bc" in popup.locator(".popup-change").inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "indicator-embed-england-375.png"))
    settle(page)
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
    assert watch.errors == [] and watch.foreign_requests() == []


def test_the_period_picker_speaks_the_indicators_periods(indicator_server, new_page):
    url = f"{indicator_server}/map/yorkshire-and-the-humber?indicator={CVD}"
    page, watch = open_page(new_page, url)
    picker = page.locator("select[name=period]")
    options = picker.locator("option").all_inner_texts()
    assert options[0] == "2022 to 2024" and options[-1] == "2001 to 2003"
    assert len(options) == 22
    # North Yorkshire is one area on the 2023 districts; Craven is not drawn.
    assert page.locator("#league tr[data-code='E06000065']").count() == 1
    assert page.locator("#league tr[data-code='E07000163']").count() == 0
    picker.select_option(label="2019 to 2021")
    page.wait_for_url("**period=2021-12-31**")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    assert "2019 to 2021" in page.locator(".graphic-subtitle").inner_text()
    expected = api(indicator_server, "yorkshire-and-the-humber", period="2019-01-01/P3Y")
    first = page.locator("#league tbody tr").first
    code = first.get_attribute("data-code")
    assert first.locator("td").nth(1).inner_text() == f"{expected[code]['value']:.1f}"
    settle(page)
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
    assert watch.errors == [] and watch.foreign_requests() == []


def test_the_timeline_steps_through_the_indicators_periods(indicator_server, new_page):
    url = f"{indicator_server}/embed/england?indicator={CVD}&timeline=1&facts=1"
    page, watch = open_page(new_page, url)
    timeline = page.locator("#timeline")
    assert timeline.get_attribute("aria-label") == "Change period"
    assert page.locator("#timeline [data-step='7']").is_disabled()  # the latest period
    page.get_by_role("button", name="Previous period").click()
    page.wait_for_selector("#map[data-week='2023-12-31']", timeout=10_000)
    assert page.locator(".timeline-week").inner_text() == "2021 to 2023"
    expected = api(indicator_server, "england", period="2021-01-01/P3Y")
    popup = find(page, "blackp")
    assert float(popup.locator(".popup-rate-value").inner_text()) == expected[BLACKPOOL]["value"]
    assert "2021 to 2023" in popup.inner_text()
    assert watch.errors == [] and watch.foreign_requests() == []


def test_compared_with_england_draws_three_classes(indicator_server, new_page):
    expected = api(indicator_server, "london")
    page, watch = open_page(
        new_page, f"{indicator_server}/embed/london?indicator={CVD}&scheme=compared"
    )
    legend = page.locator("#legend .legend-label").all_inner_texts()
    assert legend[:3] == ["Lower", "Similar", "Higher"]
    title = page.locator("#legend .legend-title").inner_text()
    assert title == "Compared with England (95% confidence intervals)"
    colours = {"lower": "#4575b4", "similar": "#fee090", "higher": "#d73027"}
    fills = page.evaluate(
        "() => Object.fromEntries(Object.entries(Mapserver.view.areas)"
        ".map(([code, area]) => [code, area.colour]))"
    )
    classes = {row["compared"] for row in expected.values()}
    assert {"higher", "similar"} <= classes
    for code, row in expected.items():
        if code in fills:
            assert fills[code] == colours[row["compared"]], code
    popup = find(page, "barking")
    barking = expected["E09000002"]
    assert barking["compared"] == "higher"
    text = popup.locator(".popup-compared").inner_text()
    assert text == f"Higher than England ({barking['national']:.1f})"
    settle(page)
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])
    assert watch.errors == [] and watch.foreign_requests() == []
