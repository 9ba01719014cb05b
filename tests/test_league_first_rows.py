"""A long league table opens with its first ten rows, in the order chosen, and shows the
rest on demand; short tables, print and pages without scripts show every row."""

from __future__ import annotations

import re

import pytest

from mapserver import create_app
from mapserver.words import tables

from .conftest import SHARED_DATA, tiny_config
from .test_map_page_browser import PAGE, open_page

ANGLIA_AREAS = 53  # the districts of ITV Anglia in regions.toml


def test_only_a_table_longer_than_fifteen_rows_opens_short():
    assert tables.rows_shown_first(0) is None
    assert tables.rows_shown_first(15) is None
    assert tables.rows_shown_first(16) == 10
    assert tables.rows_shown_first(317) == 10


def test_a_long_table_comes_with_all_its_rows_and_the_button(tmp_path):
    client = create_app({"data_dir": SHARED_DATA, "store_dir": tmp_path / "store"}).test_client()
    html = client.get(PAGE).get_data(as_text=True)
    assert 'class="sortable league-short" id="league"' in html
    assert len(re.findall(r'<tr data-code="E0', html)) == ANGLIA_AREAS  # all in the page
    button = re.search(r'<button type="button" class="league-all"[^>]*>([^<]*)</button>', html)
    assert button and button.group(1) == f"Show all {ANGLIA_AREAS} rows"


def test_a_short_table_is_shown_whole_without_a_button(tmp_path):
    client = create_app({**tiny_config(), "store_dir": tmp_path / "store"}).test_client()
    html = client.get("/map/alpha-and-charlie").get_data(as_text=True)
    assert 'class="sortable" id="league"' in html and "league-all" not in html


def row_codes(page, shown_only: bool = False) -> list[str]:
    """The area codes of the league's rows (or of those a reader sees), top to bottom."""
    rows = "#league tbody tr:visible" if shown_only else "#league tbody tr"
    return page.locator(rows).evaluate_all("rows => rows.map(row => row.dataset.code)")


@pytest.mark.browser
def test_the_first_ten_follow_the_sort_and_the_button_shows_all(indicator_server, new_page):
    page = open_page(new_page, indicator_server)
    everything = row_codes(page)
    assert len(everything) == ANGLIA_AREAS
    assert row_codes(page, True) == everything[: tables.LEAGUE_FIRST_ROWS]
    assert everything[0] == "E07000150"  # Corby, the highest rate, on top
    button = page.locator(".league-all")
    assert button.get_attribute("aria-expanded") == "false"

    # A sort while short: its own first ten, alphabetically.
    page.get_by_role("button", name="Area", exact=True).click()
    names = page.locator("#league tbody tr:visible th").all_inner_texts()
    every_name = page.locator("#league tbody th").evaluate_all(
        "ths => ths.map(th => th.textContent)"
    )
    assert names == sorted(every_name, key=str.casefold)[: tables.LEAGUE_FIRST_ROWS]

    button.click()
    assert row_codes(page, True) == row_codes(page) and len(row_codes(page, True)) == ANGLIA_AREAS
    assert button.get_attribute("aria-expanded") == "true"
    assert button.inner_text() == f"Show the first {tables.LEAGUE_FIRST_ROWS} rows"

    button.click()
    assert len(row_codes(page, True)) == tables.LEAGUE_FIRST_ROWS
    assert button.inner_text() == f"Show all {ANGLIA_AREAS} rows"
    # Back to the first ten, the button is still in view, not left far above.
    within = (
        "b => b.getBoundingClientRect().top >= 0 && b.getBoundingClientRect().bottom <= innerHeight"
    )
    assert button.evaluate(within)


@pytest.mark.browser
def test_print_shows_every_row(indicator_server, new_page):
    page = open_page(new_page, indicator_server)
    page.emulate_media(media="print")
    assert len(row_codes(page, True)) == ANGLIA_AREAS
    assert not page.locator(".league-all").is_visible()


@pytest.mark.browser
def test_without_scripts_every_row_is_shown_and_no_button(indicator_server, new_page):
    page = new_page(viewport={"width": 412, "height": 823}, java_script_enabled=False)
    page.goto(indicator_server + PAGE, wait_until="load")
    assert page.locator("#league tbody tr:visible").count() == ANGLIA_AREAS
    assert not page.locator(".league-all").is_visible()
