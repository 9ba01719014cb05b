"""A yearly indicator's page and embed, in Debian's chromium at 375 and 1280 px: nothing
speaks of Covid, weeks or case rates (but the list of the server's other indicators),
not the page, the embed, an area's popup or the table (issue 25)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mapserver.cli import main

from .test_find_browser import open_embed
from .test_formats import FINGERTIPS_HEADER, ft_row, table, write

pytestmark = pytest.mark.browser

WORDS = re.compile(r"covid|week|case rates", re.IGNORECASE)
TITLE = {"Indicator Name": "Lyme disease notifications", "Time period range": "1y"}
HAMPSHIRE = {"E07000094": ("Winchester", 26), "E07000093": ("Test Valley", 27)}


@pytest.fixture(scope="module")
def lyme_server(tmp_path_factory):
    """`mapserver serve` with a yearly Fingertips indicator for some English districts:
    Winchester and Test Valley tie at 21.0 (26 cases in 123,800; 27 in 128,600)."""
    from .browser import running_server

    folder = tmp_path_factory.mktemp("lyme")
    rows = [
        ft_row("E92000001", "England", "England", year, "1.9", "1070", "56500000", TITLE)
        for year in ("2017", "2016")
    ]
    others = {"E07000084": 12, "E07000085": 9, "E07000086": 4, "E07000087": 3, "E07000088": 0}
    people = {"E07000094": 123_800, "E07000093": 128_600}
    for year in ("2017", "2016"):
        for code, (name, count) in HAMPSHIRE.items():
            count = count if year == "2017" else count - 10
            value = f"{count / people[code] * 1e5:.1f}"
            rows.append(
                ft_row(code, name, "District", year, value, str(count), str(people[code]), TITLE)
            )
        for code, count in others.items():
            value = f"{count / 100_000 * 1e5:.1f}"
            rows.append(ft_row(code, code, "District", year, value, str(count), "100000", TITLE))
    path = write(folder / "lyme.csv", table(FINGERTIPS_HEADER, rows))
    store = folder / "store"
    result = CliRunner(env={"MAPSERVER_STORE_DIR": str(store)}).invoke(
        main, ["add", str(path), "--id", "lyme"]
    )
    assert result.exit_code == 0, result.output
    with running_server({"MAPSERVER_STORE_DIR": str(store)}) as base:
        yield base


def text_outside_the_indicator_list(page) -> str:
    return page.evaluate(
        "() => { const copy = document.body.cloneNode(true);"
        " copy.querySelectorAll('nav.indicators').forEach(n => n.remove());"
        " return copy.innerText + ' ' + [...copy.querySelectorAll('[aria-label],[title]')]"
        ".map(n => (n.getAttribute('aria-label') || '') + ' ' + (n.getAttribute('title') || ''))"
        ".join(' ') + ' ' + document.title; }"
    )


def open_popup_and_table(page) -> tuple[str, str]:
    page.locator('path[data-code="E07000094"]').click()
    popup = page.locator(".leaflet-popup .popup")
    popup.wait_for(timeout=5_000)
    said = popup.inner_text()
    page.locator("#table-toggle").click()
    page.locator("#table-view table").wait_for(timeout=5_000)
    return said, page.locator("#table-view").inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_a_yearly_indicator_says_nothing_of_covid_or_weeks(lyme_server, new_page, width):
    page, watch = open_embed(new_page, f"{lyme_server}/map/south-east?indicator=lyme", width)
    text = text_outside_the_indicator_list(page)
    assert "Lyme disease notifications" in text and "2017" in text
    assert not WORDS.findall(text), WORDS.findall(text)
    assert "Maps by area" in page.locator(".site-name").inner_text()
    # An England-only indicator offers no map of Wales, Scotland or Northern Ireland.
    regions = page.locator("nav.regions:not(.indicators) a").all_inner_texts()
    assert "South East" in regions and "England" in regions
    assert not {"Wales", "Scotland", "Northern Ireland"} & set(regions)
    # The league table ranks the tie as a tie.
    assert "1= of" in page.locator("#league").inner_text()
    popup, table_text = open_popup_and_table(page)
    assert not WORDS.findall(popup + table_text)
    assert "Joint 1st" in popup

    page, watch = open_embed(
        new_page, f"{lyme_server}/embed/south-east?indicator=lyme&facts=1", width
    )
    text = text_outside_the_indicator_list(page)
    assert not WORDS.findall(text), WORDS.findall(text)
    popup, table_text = open_popup_and_table(page)
    assert not WORDS.findall(popup + table_text), popup + table_text
    assert "1= of" in table_text
    assert watch.errors == []
