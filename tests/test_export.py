"""`mapserver export`: a static copy that a plain static server serves from a sub-path."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mapserver.cli import main

from .browser import SCREENSHOTS, PageWatch, static_server
from .conftest import SHARED_DATA


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real data exported for two weeks into <tmp>/public/news/covid-map."""
    root = tmp_path_factory.mktemp("public")
    target = root / "news" / "covid-map"
    result = CliRunner(env={"MAPSERVER_DATA_DIR": str(SHARED_DATA)}).invoke(
        main, ["export", str(target), "--weeks", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "14 regions and 2 weeks (2023-12-01 to 2023-12-08)" in result.output
    return root, target


def test_export_writes_pages_resources_and_assets(site):
    _, target = site
    for region in ("england", "anglia", "london", "wales"):
        for kind in ("embed", "map"):
            assert (target / kind / region / "index.html").is_file()
            assert (target / kind / region / "2023-12-01" / "index.html").is_file()
    assert (target / "index.html").is_file()
    assert len(list((target / "geo").glob("*/*.topojson"))) == 14
    assert len(list((target / "values").glob("*/*/*.json"))) == 28
    assert (target / "embed" / "england" / "index.html.gz").is_file()
    assert not list(target.parent.glob("*.partial"))


def test_exported_links_are_relative(site):
    _, target = site
    html = (target / "embed" / "england" / "2023-12-01" / "index.html").read_text()
    urls = re.findall(r'\s(?:src|href|data-geometry|data-values)="([^"]+)"', html)
    assert urls and all(url.startswith("../../../") for url in urls), urls
    page = (target / "map" / "anglia" / "index.html").read_text()
    assert 'data-href="../../map/anglia/2023-12-01/"' in page
    assert 'href="../../map/london/"' in page
    assert "/api/" not in page  # no server behind a static copy


def test_export_again_replaces_the_copy(site, tmp_path):
    _, target = site
    before = sorted(p.name for p in (target / "values").iterdir())
    result = CliRunner(env={"MAPSERVER_DATA_DIR": str(SHARED_DATA)}).invoke(
        main, ["export", str(target), "--weeks", "2"]
    )
    assert result.exit_code == 0
    assert sorted(p.name for p in (target / "values").iterdir()) == before


@pytest.mark.browser
def test_exported_copy_renders_and_clicks_from_a_sub_path(site, new_page):
    root, _ = site
    with static_server(root) as base:
        page = new_page(viewport={"width": 1280, "height": 800})
        watch = PageWatch(page, base)
        page.goto(f"{base}/news/covid-map/map/east-of-england/")
        page.wait_for_selector("#map[data-ready='true']")
        assert page.locator("#map path.area").count() == 45
        page.locator('path[data-code="E06000031"]').click()
        popup = page.locator(".leaflet-popup-content .popup")
        popup.wait_for()
        assert popup.locator(".popup-name").inner_text() == "Peterborough"
        rate = popup.locator(".popup-rate-value").inner_text()
        row = page.locator('#league tr[data-code="E06000031"] td').nth(1).inner_text()
        assert rate == row  # the map and the table agree
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "export-east-of-england.png"))
        # the week picker goes to the exported page for the other week
        page.select_option("select[name=week]", "2023-12-01")
        page.wait_for_url("**/map/east-of-england/2023-12-01/")
        page.wait_for_selector("#map[data-ready='true']")
        assert page.locator("#map path.area").count() == 45
        code = page.locator("#embed-code").input_value()
        assert f'src="{base}/news/covid-map/embed/east-of-england/2023-12-01/"' in code
        assert watch.foreign_requests() == [] and watch.errors == []


@pytest.mark.browser
def test_exported_embed_takes_the_labels_choice(site, new_page):
    root, _ = site
    with static_server(root) as base:
        page = new_page(viewport={"width": 1000, "height": 800})
        counts = {}
        for mode in ("none", "top", "all"):
            page.goto(f"{base}/news/covid-map/embed/anglia/?labels={mode}")
            page.wait_for_selector("#map[data-labels-placed]")
            counts[mode] = page.locator("#map .map-label").count()
        assert counts["none"] == 0 and counts["top"] == 3 and counts["all"] > 10
        # the map page's embed code carries the choice, with the absolute address
        page.goto(f"{base}/news/covid-map/map/anglia/")
        page.wait_for_selector("#map[data-ready='true']")
        page.select_option("#embed-labels", "all")
        code = page.locator("#embed-code").input_value()
        assert f'src="{base}/news/covid-map/embed/anglia/?labels=all"' in code
