"""Stepping a Covid map across a change of districts, in Debian's chromium."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from mapserver.cli import main

from .browser import running_server
from .conftest import SHARED_DATA
from .test_find_browser import open_embed
from .test_vintage_covid import CASES, recoded

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def recoded_server(tmp_path_factory):
    """`mapserver serve` on the archive re-coded from April 2021, through `update`."""
    folder = tmp_path_factory.mktemp("recoded-browser")
    path = folder / "recoded.csv"
    recoded(pd.read_csv(CASES, dtype={"areaCode": str, "date": str})).to_csv(path, index=False)
    env = {"MAPSERVER_STORE_DIR": str(folder / "store"), "MAPSERVER_DATA_DIR": str(SHARED_DATA)}
    assert CliRunner(env=env).invoke(main, ["update", str(path)]).exit_code == 0
    with running_server(env) as base:
        yield base


def test_the_timeline_steps_onto_the_new_districts(recoded_server, new_page):
    url = f"{recoded_server}/embed/east-midlands?week=2021-03-28&timeline=1"
    page, watch = open_embed(new_page, url, 375)
    assert page.locator("#map").get_attribute("data-vintage") == "2019"
    assert page.locator("[data-code='E07000150']").count() >= 1  # Corby is drawn
    page.get_by_role("button", name="Next week").click()
    # The week to 4 April has North Northamptonshire's rows: its page, on 2021 districts.
    page.wait_for_url("**week=2021-04-04**", timeout=20_000)
    page.wait_for_selector("#map[data-ready='true'][data-vintage='2021']", timeout=20_000)
    assert page.locator("[data-code='E06000061']").count() >= 1
    assert page.locator("[data-code='E07000150']").count() == 0
    assert page.locator(".timeline-week").inner_text() == "7 days to 4 April 2021"
    page.get_by_role("button", name="Next week").click()  # same districts: no new page
    page.wait_for_selector("#map[data-week='2021-04-11']", timeout=10_000)
    assert "week=2021-04-04" in page.url
    assert watch.errors == [] and watch.foreign_requests() == []
