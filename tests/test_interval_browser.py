"""95% intervals on a phone, in Debian's chromium: the sparkline's band and the table's bars."""

from __future__ import annotations

import json
import re

import pytest

from .browser import SCREENSHOTS
from .test_indicator_browser import CVD, api, find, open_page, settle
from .test_publishing import run_axe

pytestmark = pytest.mark.browser

RUTLAND = "E06000017"  # a small population: a wide interval


def points(path: str) -> list[tuple[float, float]]:
    """The (x, y) points of an SVG path made of M, L and Z."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_the_sparkline_has_its_band_and_the_table_its_interval_bars(indicator_server, new_page):
    expected = api(indicator_server, "england")[RUTLAND]
    page, watch = open_page(new_page, f"{indicator_server}/embed/england?indicator={CVD}")
    popup = find(page, "rutland")
    assert popup.locator(".popup-name").inner_text() == "Rutland"
    band = popup.locator(".popup-trend .sparkline .sparkline-band")
    band.wait_for(timeout=10_000)
    sparkline = popup.locator(".sparkline")
    label = sparkline.get_attribute("aria-label")
    assert label.endswith("The shaded band is the 95% confidence interval")
    # The band is drawn before (under) the line, and spans every point of it.
    classes = sparkline.evaluate("svg => [...svg.children].map(c => c.getAttribute('class'))")
    assert classes.index("sparkline-band") < classes.index("sparkline-line")
    line = points(popup.locator(".sparkline-line").get_attribute("d"))
    shade = points(band.get_attribute("d"))
    assert len(line) == 12 and len(shade) == 24  # 12 periods, no gaps: one run
    for x, y in line:
        column = [ys for xs, ys in shade if abs(xs - x) < 0.05]
        assert len(column) == 2, x
        assert min(column) < y < max(column), (x, y, column)  # (y grows downwards)
    # The y axis reaches the band's top: its highest upper limit touches the top pad.
    assert min(y for _, y in shade) == pytest.approx(3.0)
    assert min(y for _, y in line) > 3.0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    popup.screenshot(path=str(SCREENSHOTS / "interval-sparkline-375.png"))
    violations = run_axe(page)
    assert violations == [], json.dumps([(v["id"], v["help"]) for v in violations])

    page.keyboard.press("Escape")
    page.get_by_role("button", name="Table").click()
    table = page.locator("table.figures")
    table.wait_for()
    headers = table.locator("thead th").all_inner_texts()
    assert "95% CI" in headers
    column = headers.index("95% CI")
    assert table.locator("thead th").nth(column).get_attribute("scope") == "col"
    row = table.locator(f"tbody tr[data-code='{RUTLAND}']")
    cell = row.locator("td, th").nth(column)
    assert cell.inner_text().strip() == f"{expected['lower']:.1f} to {expected['upper']:.1f}"
    bar = cell.locator("svg.ci-bar")
    assert bar.get_attribute("aria-hidden") == "true"
    assert bar.locator(".ci-bar-range").count() == bar.locator(".ci-bar-rate").count() == 1
    assert bar.locator(".ci-bar-national").count() == 1  # England's figure
    # Every row with limits has its bar, on one scale: no range beyond its end.
    count = table.locator("tbody tr").count()
    assert table.locator("svg.ci-bar").count() == count
    ends = page.evaluate(
        "() => [...document.querySelectorAll('.ci-bar-range')].map(l => +l.getAttribute('x2'))"
    )
    assert max(ends) == pytest.approx(57.0)
    page.screenshot(path=str(SCREENSHOTS / "interval-table-375.png"))
    violations = run_axe(page)
    assert violations == [], json.dumps(
        [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    )
    assert watch.errors == [] and watch.foreign_requests() == []
