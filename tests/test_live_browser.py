"""An open live embed picks up a new data version in place; a pinned one does not."""

from __future__ import annotations

import pytest
import requests

from .browser import PageWatch, running_server
from .test_update import make_env, next_day_rows, run, store_of, write

pytestmark = pytest.mark.browser


def test_open_live_embed_refreshes_and_pinned_stays(new_page, tmp_path):
    env = {**make_env(tmp_path), "MAPSERVER_LIVE_CHECK_EVERY": "1"}
    with running_server(env) as base:
        old = requests.get(f"{base}/healthz", timeout=10).json()["data_version"]
        size = {"width": 600, "height": 700}
        live, pinned = new_page(viewport=size), new_page(viewport=size)
        watch = PageWatch(live, base)
        live.goto(f"{base}/embed/england")
        pinned.goto(f"{base}/embed/england?week=2021-01-14&v={old}")
        for page in (live, pinned):
            page.wait_for_selector(
                "#map[data-ready='true'][data-week='2021-01-14']", timeout=20_000
            )
        assert live.get_attribute("#map", "data-version") == old
        assert pinned.get_attribute("#map", "data-live-url") is None

        result = run(env, "update", str(write(tmp_path, "next.csv", next_day_rows())))
        assert result.exit_code == 0, result.stderr
        new = store_of(env).current_name()
        # The live embed showed the latest week, so it follows it to the new one.
        live.wait_for_selector("#map[data-week='2021-01-15']", timeout=30_000)
        assert live.get_attribute("#map", "data-version") == new
        assert "15 January 2021" in live.inner_text(".graphic-subtitle")
        assert any(f"/values/{new}/england/2021-01-15.v2.json" in url for url in watch.requests)
        assert watch.errors == []
        # The pinned embed still shows its week and version, and says so.
        assert pinned.get_attribute("#map", "data-week") == "2021-01-14"
        assert f"/values/{old}/" in pinned.get_attribute("#map", "data-values")
        assert "Data as of 14 January 2021." in pinned.inner_text("figcaption")


def area_label(page, code: str) -> str:
    return page.get_attribute(f"#map [data-code='{code}']", "aria-label")


def test_timeline_after_a_live_refresh_shows_the_new_versions_figures(new_page, tmp_path):
    """A week seen before the refresh comes back with the new version's figures."""
    env = {**make_env(tmp_path), "MAPSERVER_LIVE_CHECK_EVERY": "1"}
    alpha = "E06000901"  # 10 cases a day, 100,000 people
    with running_server(env) as base:
        page = new_page(viewport={"width": 800, "height": 700})
        watch = PageWatch(page, base)
        page.goto(f"{base}/embed/england?timeline=1")
        page.wait_for_selector("#map[data-ready='true'][data-week='2021-01-14']", timeout=20_000)
        old = page.get_attribute("#map", "data-version")
        for button, week in [("Previous", "01-07"), ("Next", "01-14"), ("Previous", "01-07")]:
            page.get_by_role("button", name=f"{button} week").click()
            page.wait_for_selector(f"#map[data-week='2021-{week}']")
        assert area_label(page, alpha).startswith("Alpha: 70.0 per 100,000")

        # The new version revises Alpha's 7 January from 10 cases to 110.
        rows = [
            row.replace(",2021-01-07,10", ",2021-01-07,110") if row.startswith(alpha) else row
            for row in next_day_rows()
        ]
        path = write(tmp_path, "revised.csv", rows)
        result = run(env, "update", str(path), "--accept-revisions")
        assert result.exit_code == 0, result.stderr
        new = store_of(env).current_name()
        # The reader was on an earlier week: it stays there, with the new figures.
        page.wait_for_selector(f"#map[data-version='{new}']", timeout=30_000)
        assert page.get_attribute("#map", "data-week") == "2021-01-07"
        assert area_label(page, alpha).startswith("Alpha: 170.0 per 100,000")
        # A week away and back: the new version's figures, not those seen before.
        for button, week in [("Next", "01-14"), ("Previous", "01-07")]:
            page.get_by_role("button", name=f"{button} week").click()
            page.wait_for_selector(f"#map[data-week='2021-{week}']")
        assert area_label(page, alpha).startswith("Alpha: 170.0 per 100,000")
        assert new != old and watch.errors == []
