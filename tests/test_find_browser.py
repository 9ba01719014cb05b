"""Find an area and the key facts in Debian's chromium, by keyboard only."""

from __future__ import annotations

import re

import pytest
import requests

from .browser import SCREENSHOTS, PageWatch, running_server
from .conftest import SHARED_DATA

pytestmark = pytest.mark.browser

WEEK = "2021-02-21"
PETERBOROUGH, KINGS_LYNN, CORBY = "E06000031", "E07000146", "E07000150"


def rates(server: str, region: str, week: str = WEEK) -> dict:
    params = {"region": region, "week": week}
    response = requests.get(f"{server}/api/rates", params=params, timeout=10)
    return {record["code"]: record for record in response.json()}


def open_embed(new_page, url: str, width: int = 1000):
    page = new_page(viewport={"width": width, "height": 800})
    watch = PageWatch(page, url)
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    return page, watch


def focused_id(page) -> str | None:
    return page.evaluate("() => document.activeElement.id")


def clear_and_type(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def popup(page, name: str):
    """The open popup for `name` (a popup closed a moment ago may still be fading out)."""
    title = page.locator(".popup-name").filter(has_text=re.compile(f"^{re.escape(name)}$"))
    box = page.locator(".leaflet-popup .popup").filter(has=title)
    box.wait_for(timeout=5_000)
    return box


@pytest.mark.parametrize("width", [375, 1280])
def test_find_an_area_by_keyboard(server, new_page, width):
    page, watch = open_embed(new_page, f"{server}/embed/anglia?week={WEEK}", width)
    expected = rates(server, "anglia")
    zoom = page.evaluate("() => Mapserver.view.map.getZoom()")
    page.keyboard.press("Tab")  # the search box is the first stop
    assert focused_id(page) == "area-search-input"
    search = page.locator("#area-search-input")
    assert search.get_attribute("role") == "combobox"

    page.keyboard.type("peterb")
    assert search.get_attribute("aria-expanded") == "true"
    assert page.locator("#area-search-list [role=option]").all_inner_texts() == [
        f"Peterborough\n{expected[PETERBOROUGH]['rate']:.1f}"
    ]
    assert "1 area found" in page.locator("#area-search-status").inner_text()
    page.keyboard.press("Enter")
    rate = float(popup(page, "Peterborough").locator(".popup-rate-value").inner_text())
    assert rate == expected[PETERBOROUGH]["rate"]
    assert page.evaluate("() => Mapserver.view.map.getZoom()") > zoom  # zoomed in to it
    assert search.get_attribute("aria-expanded") == "false"
    assert page.locator("#area-search-status").inner_text().startswith("Peterborough: 273.9")
    assert focused_id(page) == "area-search-input"  # the reader can search again at once

    clear_and_type(page, "kings lynn")
    page.keyboard.press("ArrowDown")
    option = f"area-search-option-{KINGS_LYNN}"
    assert search.get_attribute("aria-activedescendant") == option
    assert page.locator(f"#{option}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    popup(page, "King's Lynn and West Norfolk")

    clear_and_type(page, "Nowhere-on-Sea")
    status = page.locator("#area-search-status")
    assert status.inner_text() == "No area found"
    assert page.locator(".area-search-note").is_visible()
    assert page.locator(".area-search-note").inner_text() == "No area found"
    assert search.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert status.inner_text() == "No area found"
    page.keyboard.press("Escape")
    assert not page.locator(".area-search-note").is_visible()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clear_and_type(page, "nor")
    page.keyboard.press("ArrowDown")
    page.screenshot(path=str(SCREENSHOTS / f"search-anglia-{width}.png"))
    assert watch.errors == [] and watch.foreign_requests() == []


@pytest.mark.parametrize(
    ("query", "name"),
    [("ST. ALBANS", "St Albans"), ("kíngs lynn", "King's Lynn and West Norfolk"),
     ("southend on sea", "Southend-on-Sea"), ("e07000150", "Corby"),
     ("kingslynn", "King's Lynn and West Norfolk"),
     ("WEST NORFOLK", "King's Lynn and West Norfolk")],
)  # fmt: skip
def test_names_match_without_case_accents_or_punctuation(server, new_page, query, name):
    page, _ = open_embed(new_page, f"{server}/embed/anglia?week={WEEK}")
    page.locator("#area-search-input").focus()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    popup(page, name)


def test_a_postcode_without_a_postcode_file_is_explained(server, new_page):
    page, _ = open_embed(new_page, f"{server}/embed/anglia?week={WEEK}")
    page.locator("#area-search-input").focus()
    page.keyboard.type("PE1 1XX")
    page.keyboard.press("Enter")
    status = page.locator("#area-search-status").inner_text()
    assert status.startswith("Postcode search is not available on this map")
    assert page.locator(".leaflet-popup").count() == 0


def test_search_zero_hides_the_box(server, new_page):
    page, _ = open_embed(new_page, f"{server}/embed/anglia?week={WEEK}&search=0")
    assert page.locator("#area-search-input").count() == 0


@pytest.fixture(scope="module")
def postcode_server(tmp_path_factory):
    """A second server with a postcode-district file (PE1 is Peterborough, NN17 Corby)."""
    folder = tmp_path_factory.mktemp("postcodes")
    (folder / "districts.csv").write_text("district,lad19cd\nPE1,E06000031\nNN17,E07000150\n")
    env = {
        "MAPSERVER_DATA_DIR": str(SHARED_DATA),
        "MAPSERVER_POSTCODES": str(folder / "districts.csv"),
    }
    with running_server(env) as base:
        yield base


def test_a_postcode_finds_its_area(postcode_server, new_page):
    page, watch = open_embed(new_page, f"{postcode_server}/embed/anglia?week={WEEK}")
    search = page.locator("#area-search-input")
    assert "postcode" in search.get_attribute("placeholder")
    search.focus()
    page.keyboard.type("nn17 1aa")
    page.keyboard.press("Enter")
    popup(page, "Corby")
    clear_and_type(page, "QQ1 1QQ")
    page.keyboard.press("Enter")
    status = page.locator("#area-search-status")
    status.filter(has_text="No area found for postcode").wait_for()
    # a postcode outside the region is named, not shown
    page, _ = open_embed(new_page, f"{postcode_server}/embed/london?week={WEEK}")
    page.locator("#area-search-input").focus()
    page.keyboard.type("PE1 1XX")
    page.keyboard.press("Enter")
    page.locator("#area-search-status").filter(has_text="not on this map").wait_for()
    assert "Peterborough" in page.locator("#area-search-status").inner_text()
    assert watch.errors == []


def test_facts_follow_the_week_stepper(server, new_page):
    page, watch = open_embed(new_page, f"{server}/embed/anglia?week={WEEK}&facts=1&timeline=1")
    facts = page.locator(".key-facts")
    assert "7 days to 21 February 2021" in facts.locator("h2").inner_text()
    first = facts.locator("li").first.inner_text()
    assert first.startswith("Corby had the highest rate in ITV Anglia")
    page.get_by_role("button", name="Previous week").click()
    page.wait_for_selector(".key-facts[data-week='2021-02-14']")
    assert "7 days to 14 February 2021" in facts.locator("h2").inner_text()
    expected = requests.get(
        f"{server}/api/facts", params={"region": "anglia", "week": "2021-02-14"}, timeout=10
    ).json()
    assert facts.locator("li").all_inner_texts() == expected["sentences"]
    assert watch.errors == []
