"""What a reader sees, in Debian's chromium driven by Playwright."""

from __future__ import annotations

import re
import shutil

import pytest
import requests

from .browser import SCREENSHOTS, PageWatch, running_server
from .conftest import TINY

pytestmark = pytest.mark.browser

WEEK = "2021-02-21"
PETERBOROUGH = "E06000031"
HOSTILE = "<img src=x onerror=alert(1)>"


def api_record(server: str, region: str, code: str) -> dict:
    records = requests.get(
        f"{server}/api/rates", params={"region": region, "week": WEEK}, timeout=10
    ).json()
    return next(record for record in records if record["code"] == code)


@pytest.mark.parametrize(
    ("path", "region", "districts"),
    [
        (f"/embed/east-of-england?week={WEEK}", "east-of-england", 45),
        (f"/map/anglia?week={WEEK}", "anglia", 53),
    ],
)
@pytest.mark.parametrize("width", [375, 1280])
def test_map_draws_every_area_and_popup_matches_api(
    server, new_page, path, region, districts, width
):
    page = new_page(viewport={"width": width, "height": 800})
    watch = PageWatch(page, server)
    page.goto(server + path)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)

    drawn = page.locator("#map .leaflet-overlay-pane path.area")
    assert drawn.count() == districts

    name = re.sub(r"\W+", "-", path.strip("/").split("?")[0])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))

    page.locator(f'path[data-code="{PETERBOROUGH}"]').click()
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for(timeout=5_000)
    assert popup.locator(".popup-name").inner_text() == "Peterborough"
    expected = api_record(server, region, PETERBOROUGH)
    assert float(popup.locator(".popup-rate-value").inner_text()) == expected["rate"]
    rank = re.fullmatch(
        r"(\d+)(?:st|nd|rd|th) of (\d+) in England", popup.locator(".popup-rank").inner_text()
    )
    assert rank, popup.inner_text()
    assert (int(rank.group(1)), int(rank.group(2))) == (expected["rank"], expected["rank_of"])
    assert popup.locator(".popup-cases").inner_text() == (
        f"{expected['cases']} cases in the 7 days to 21 February 2021"
    )
    change = f"▲ {expected['change_pct']}% from {expected['previous_rate']} the week before"
    assert popup.locator(".popup-change").inner_text() == change
    page.wait_for_timeout(400)  # let the popup finish fading in and panning
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-popup.png"))

    assert watch.foreign_requests() == []
    assert watch.errors == []


def test_league_table_sorts_and_legend_lists_bands(server, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    watch = PageWatch(page, server)
    page.goto(f"{server}/map/anglia?week={WEEK}")
    page.wait_for_selector("#map[data-ready='true']")
    labels = page.locator("#legend .legend-label").all_inner_texts()
    assert labels == [
        "0–9",
        "10–49",
        "50–99",
        "100–199",
        "200–399",
        "400–799",
        "800–1,599",
        "1,600+",
    ]
    first = page.locator("#league tbody tr").first
    assert first.get_attribute("data-code") == "E07000150"  # Corby, highest
    page.get_by_role("button", name="Area").click()
    names = page.locator("#league tbody th").all_inner_texts()
    assert names == sorted(names, key=str.casefold)
    rate = page.get_by_role("button", name="Rate per 100,000")
    rate.click()  # first click: highest first
    assert page.locator("#league tbody tr").first.get_attribute("data-code") == "E07000150"
    rate.click()  # second click: lowest first
    cells = page.locator("#league tbody tr td:nth-child(3)").all_inner_texts()
    rates = [float(text.replace(",", "")) for text in cells]
    assert rates == sorted(rates)
    assert watch.errors == []


def test_hover_shows_name_and_rate(server, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/embed/east-of-england?week={WEEK}")
    page.wait_for_selector("#map[data-ready='true']")
    page.locator(f'path[data-code="{PETERBOROUGH}"]').hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5_000)
    assert "Peterborough" in tip.inner_text() and "273.9" in tip.inner_text()


def test_hostile_area_name_shows_as_text_in_popup(tmp_path, new_page):
    for name in ("cases.csv", "population.csv", "boundaries.geojson", "regions.toml"):
        shutil.copy(TINY / name, tmp_path / name)
    lookup = re.sub(r",Alpha(?=,|\n)", f',"{HOSTILE}"', (TINY / "lookup.csv").read_text())
    (tmp_path / "lookup.csv").write_text(lookup)
    env = {
        "MAPSERVER_DATA_DIR": str(tmp_path),
        "MAPSERVER_BOUNDARIES": "boundaries.geojson",
        "MAPSERVER_CASES": "cases.csv",
        "MAPSERVER_POPULATION": "population.csv",
        "MAPSERVER_LOOKUP": "lookup.csv",
        "MAPSERVER_REGIONS": str(tmp_path / "regions.toml"),
        "MAPSERVER_LAG_DAYS": "0",
    }
    with running_server(env) as base:
        page = new_page(viewport={"width": 800, "height": 600})
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{base}/embed/northland")
        page.wait_for_selector("#map[data-ready='true']")
        page.locator('path[data-code="E06000901"]').click()
        popup = page.locator(".leaflet-popup-content .popup")
        popup.wait_for()
        assert popup.locator(".popup-name").inner_text() == HOSTILE
        assert popup.locator("img").count() == 0
        assert page.locator("#map img").count() == 0
        assert dialogs == []
