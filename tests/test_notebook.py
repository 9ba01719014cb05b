"""The notebook API: load(), region_frame() and folium_map(), offline and online."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mapserver import create_app
from mapserver.maps import notebook
from mapserver.maps.choropleth import ATTRIBUTION

from .conftest import SHARED_DATA, TINY, tiny_config

WEEK = "2021-02-21"
PETERBOROUGH = "E06000031"
HOSTILE = "<img src=x onerror=alert(1)>"
TINY_FILES = {
    "boundaries": "boundaries.geojson",
    "cases": "cases.csv",
    "population": "population.csv",
    "lookup": "lookup.csv",
}


class Assets(HTMLParser):
    """Every <script src> and <link href> of a page, and the legend's labels and colours."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.legend: list[tuple[str, str]] = []
        self._swatch: str | None = None
        self._in_label = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        wanted = {"script": "src", "link": "href"}.get(tag)
        if wanted and attrs.get(wanted):
            self.urls.append(attrs[wanted])
        if "legend-swatch" in (attrs.get("class") or ""):
            self._swatch = attrs["style"].removeprefix("background:")
        self._in_label = "legend-label" in (attrs.get("class") or "")

    def handle_data(self, data):
        if self._in_label:
            self.legend.append((data, self._swatch))
            self._in_label = False


def legend_of(fmap) -> list[tuple[str, str]]:
    """(label, colour) of each legend entry of a folium_map, as drawn."""
    (control,) = [child for child in fmap._children.values() if hasattr(child, "html")]
    parser = Assets()
    parser.feed(control.html)
    return parser.legend


def tiny_data(directory: Path = TINY):
    """The hand-made data set, loaded through the notebook API."""
    regions = directory / "regions.toml"
    return notebook.load(directory, **TINY_FILES, regions_file=regions, lag_days=0)


@pytest.fixture(scope="module")
def tiny_web():
    """The server on the hand-made data, to compare with the web maps' resources."""
    return create_app(tiny_config()).test_client()


@pytest.fixture(scope="module")
def real_app():
    return create_app({"data_dir": SHARED_DATA})


def web_values(client, region: str, query: str = "") -> dict:
    """The values resource the web map of a region draws from (found from its embed)."""
    page = client.get(f"/embed/{region}?{query}").get_data(as_text=True)
    url = re.search(r'data-values="([^"]+)"', page).group(1).replace("&amp;", "&")
    return client.get(url).get_json()


def test_region_frame_joins_boundaries_and_figures():
    frame = notebook.region_frame("england", "2021-01-14", data=tiny_data())
    assert list(frame.index) == ["E06000901", "E06000902", "E06000903", "E06000904"]
    assert frame.crs.to_epsg() == 4326
    assert not frame.geometry.is_empty.any()
    # worked by hand in tests/test_rates.py: 70 cases over 100,000 people, etc.
    alpha, bravo, delta = (frame.loc[code] for code in ("E06000901", "E06000902", "E06000904"))
    assert (alpha["rate"], alpha["cases"], alpha["rank"], alpha["rank_of"]) == (70.0, 70, 1, 3)
    assert (bravo["rate"], bravo["change_pct"], bravo["colour"]) == (0.0, -100.0, "#e0e543")
    assert delta["note"] == "Figures are for Charlie and Delta, reported together"
    assert (delta["rate"], delta["colour"], delta["country"]) == (70.0, "#399384", "England")
    # 95% limits, exact Poisson: 70 in 100,000 gives 54.6 to 88.4; none in 50,000, 0 to 7.4.
    assert (alpha["lower"], alpha["upper"], alpha["compared"]) == (54.6, 88.4, "similar")
    assert (bravo["lower"], bravo["upper"], bravo["compared"]) == (0.0, 7.4, "lower")


def test_weeks_as_dates_and_bad_input():
    import datetime

    from mapserver.core.errors import BadParameter, UnknownRegion, WeekOutOfRange

    data = tiny_data()
    frame = notebook.region_frame("england", datetime.date(2021, 1, 14), data=data)
    assert set(frame["week"]) == {"2021-01-14"}
    assert set(notebook.region_frame("england", data=data)["week"]) == {"2021-01-14"}
    with pytest.raises(WeekOutOfRange):
        notebook.region_frame("england", "2021-02-14", data=data)
    with pytest.raises(UnknownRegion):
        notebook.folium_map("atlantis", data=data)
    with pytest.raises(BadParameter):
        notebook.folium_map("england", scheme="rainbow", data=data)


def test_region_frame_marks_an_incomplete_week_as_no_data():
    frame = notebook.region_frame("wales", "2021-01-14", data=tiny_data())
    echo = frame.loc["W06000901"]
    assert echo["rate"] is None or echo["rate"] != echo["rate"]  # None or NaN
    assert echo["days_known"] == 6
    assert echo["colour"] == "#d7d7d7"


@pytest.mark.parametrize("region", ["wales", "england"])
def test_legend_lists_the_web_legends_bands_and_colours(tiny_web, region):
    web = web_values(tiny_web, region, "week=2021-01-14")["legend"]
    fmap = notebook.folium_map(region, "2021-01-14", data=tiny_data())
    assert legend_of(fmap) == [(item["label"], item["colour"]) for item in web]
    if region == "wales":  # Echo has no complete week
        assert legend_of(fmap)[-1] == ("No data", "#d7d7d7")
    else:
        assert [colour for _, colour in legend_of(fmap)][:3] == ["#e0e543", "#74bb68", "#399384"]


@pytest.mark.parametrize(("scheme", "k"), [("quantiles", 4), ("natural-breaks", 6)])
def test_legend_of_data_driven_schemes_matches_the_web(real_app, scheme, k):
    query = f"week={WEEK}&scheme={scheme}&k={k}"
    web = web_values(real_app.test_client(), "anglia", query)["legend"]
    data = real_app.extensions["mapserver"].dataset
    fmap = notebook.folium_map("anglia", WEEK, scheme, k, data=data)
    assert legend_of(fmap) == [(item["label"], item["colour"]) for item in web]
    assert len(web) == k


def assets_of(fmap) -> list[str]:
    parser = Assets()
    parser.feed(fmap.get_root().render())
    return parser.urls


def test_no_jquery_bootstrap_or_font_awesome():
    online = notebook.folium_map("england", "2021-01-14", data=tiny_data())
    offline = notebook.folium_map("england", "2021-01-14", data=tiny_data(), offline=True)
    assert assets_of(online) == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
    ]
    assert assets_of(offline) == []
    html = offline.get_root().render()
    for name in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert name not in html.lower()
    # folium's own defaults are left alone for other maps
    import folium

    assert len(folium.Map.default_js) > 1
    assert "L.version" in html or "Leaflet" in html  # Leaflet is in the page itself


def test_attribution_and_fitted_bounds():
    html = notebook.folium_map("england", "2021-01-14", data=tiny_data()).get_root().render()
    assert ATTRIBUTION.replace("©", "\\u00a9") in html or ATTRIBUTION in html
    assert "setPrefix(false)" in html
    assert "fitBounds" in html


def test_hostile_names_are_escaped_in_the_page(tmp_path):
    data = hostile_copy(tmp_path)
    html = notebook.folium_map("northland", "2021-01-14", data=data).get_root().render()
    assert HOSTILE not in html
    assert "<img" not in html
    # It is there, escaped for HTML (popup and tooltip) inside escaped JSON.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_notebook_display_and_cheap_app_import():
    fmap = notebook.folium_map("england", "2021-01-14", data=tiny_data(), offline=True)
    shown = fmap._repr_html_()
    assert "iframe" in shown and "cdn.jsdelivr.net" not in shown
    code = (
        "import sys, mapserver; mapserver.create_app; "
        "print(sorted(m for m in ('folium', 'geopandas', 'flask') if m in sys.modules)); "
        "print(mapserver.folium_map.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "mapserver.maps.notebook"]


def hostile_copy(tmp_path: Path):
    for name in ("cases.csv", "population.csv", "boundaries.geojson", "regions.toml"):
        shutil.copy(TINY / name, tmp_path / name)
    lookup = re.sub(r",Alpha(?=,|\n)", f',"{HOSTILE}"', (TINY / "lookup.csv").read_text())
    (tmp_path / "lookup.csv").write_text(lookup)
    return tiny_data(tmp_path)


def watch_offline(page, directory: Path) -> tuple[list[str], list[str]]:
    """Block every request outside `directory`; return (requests, console errors)."""
    requests, errors = [], []
    allowed = directory.resolve().as_uri() + "/"
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )
    return requests, errors


@pytest.mark.browser
def test_offline_folium_map_in_chromium(real_app, new_page, tmp_path):
    current = real_app.extensions["mapserver"]
    fmap = notebook.folium_map("east-of-england", WEEK, data=current.dataset, offline=True)
    saved = tmp_path / "east-of-england.html"
    fmap.save(str(saved))
    records = real_app.test_client().get(f"/api/rates?region=east-of-england&week={WEEK}")
    expected = next(row for row in records.get_json() if row["code"] == PETERBOROUGH)

    page = new_page(viewport={"width": 1000, "height": 700})
    requests, errors = watch_offline(page, tmp_path)
    page.goto(saved.as_uri())
    page.wait_for_selector("path.area")
    assert page.locator("path.area").count() == 45
    assert page.locator("path.context").count() > 0  # neighbours, for context

    page.locator(f'path[data-code="{PETERBOROUGH}"]').click()
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for(timeout=5_000)
    assert popup.locator(".popup-name").inner_text() == "Peterborough"
    assert float(popup.locator(".popup-rate-value").inner_text()) == expected["rate"] == 273.9
    rank = popup.locator(".popup-rank").inner_text()
    assert rank == f"{expected['rank']}nd of {expected['rank_of']} in England"
    assert rank == "2nd of 315 in England"
    web_legend = web_values(real_app.test_client(), "east-of-england", f"week={WEEK}")["legend"]
    labels = page.locator(".map-legend .legend-label").all_inner_texts()
    assert labels == [item["label"] for item in web_legend]
    assert ATTRIBUTION in page.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(tmp_path / "shot.png"))

    assert requests == [saved.as_uri()]
    assert errors == []


@pytest.mark.browser
def test_hostile_name_shows_as_text_in_folium_popup_and_tooltip(new_page, tmp_path):
    data = hostile_copy(tmp_path)
    saved = tmp_path / "hostile.html"
    notebook.folium_map("northland", "2021-01-14", data=data, offline=True).save(str(saved))
    page = new_page(viewport={"width": 800, "height": 600})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests, errors = watch_offline(page, tmp_path)
    page.goto(saved.as_uri())
    shape = page.locator('path[data-code="E06000901"]')
    shape.hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5_000)
    assert tip.locator("strong").inner_text() == HOSTILE
    assert tip.locator("img").count() == 0
    shape.click()
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for(timeout=5_000)
    assert popup.locator(".popup-name").inner_text() == HOSTILE
    assert page.locator("img").count() == 0
    assert shape.get_attribute("aria-label") == f"{HOSTILE}: 70.0 per 100,000"
    assert dialogs == [] and errors == []
    assert requests == [saved.as_uri()]
