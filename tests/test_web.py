"""The Flask app through its test client: every route, bad input, escaping, caching."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest

from mapserver import create_app

from .conftest import SHARED_DATA, TINY, tiny_config
from .loaded import loaded_values

WEEK = "2021-02-21"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def client():
    app = create_app({"data_dir": SHARED_DATA, "TESTING": True})
    return app.test_client()


def geometry_url(html: str) -> str:
    return re.search(r'data-geometry="([^"]+)"', html).group(1)


def values_url(html: str) -> str:
    return re.search(r'data-values="([^"]+)"', html).group(1)


def page_values(client, page: str) -> dict:
    """The values resource that a page's map loads, as fields keyed by name."""
    values = loaded_values(client, client.get(page).get_data(as_text=True))
    fields = values["fields"]
    values["by_code"] = {
        code: dict(zip(fields, row, strict=True)) for code, row in values["areas"].items()
    }
    return values


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/map/anglia",
        f"/map/east-of-england?week={WEEK}",
        f"/map/E12000006?week={WEEK}&scheme=quantiles&k=7",
        "/embed/england",
        f"/embed/anglia?week={WEEK}&scheme=natural-breaks",
        f"/embed/london?week={WEEK}&scheme=equal-interval&k=3",
    ],
)
def test_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Contains OS data © Crown copyright and database right 2019" in html
    assert "Open Government Licence v3.0" in html
    # every script and stylesheet comes from this server
    for url in re.findall(r'\s(?:src|href)="([^"]+)"', html):
        own = url.startswith("http://localhost/")  # links to this server's own image
        assert own or not url.startswith(("http:", "https:", "//")), url
    assert client.get(geometry_url(html)).status_code == 200
    assert client.get(values_url(html)).status_code == 200


def test_map_page_has_pickers_table_total_and_embed_code(client):
    html = client.get(f"/map/anglia?week={WEEK}").get_data(as_text=True)
    option = '<option value="2021-02-21" data-href="/map/anglia?week=2021-02-21" selected>'
    assert html.count(option) == 1
    assert 'name="scheme"' in html and 'name="k"' in html
    assert html.count('<tr data-code="') == 53
    # highest first: Corby then Peterborough
    codes = re.findall(r'<tr data-code="([^"]+)"', html)
    assert codes[:2] == ["E07000150", "E06000031"]
    assert "7,783 cases" in html and "107.2" in html
    code = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "&lt;iframe title=" in code and 'width="100%"' in code.replace("&#34;", '"')
    assert "loading=&#34;lazy&#34;" in code or 'loading="lazy"' in code
    assert "/embed/anglia?week=2021-02-21" in code
    for region in ("north-east", "south-west", "wales", "anglia"):
        assert f'href="/map/{region}?week=2021-02-21"' in html


def test_index_links_every_region(client):
    html = client.get("/").get_data(as_text=True)
    assert "England" in html
    for slug in ("england", "london", "yorkshire-and-the-humber", "scotland", "anglia"):
        assert f'href="/map/{slug}?' in html


def test_api_rates_json_matches_csv_and_has_flags(client):
    records = client.get(f"/api/rates?region=east-of-england&week={WEEK}").get_json()
    assert len(records) == 45
    peterborough = records[0]
    assert peterborough["code"] == "E06000031"
    assert peterborough["rate"] == 273.9 and peterborough["rank"] == 2
    assert peterborough["rank_of"] == 315
    assert peterborough["region"] == "east-of-england" and peterborough["complete"] is True
    text = client.get(f"/api/rates.csv?region=east-of-england&week={WEEK}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == (
        "code,name,cases,rate,previous_cases,previous_rate,change,change_pct,rank,rank_of,"
        "lower,upper,lower_998,upper_998,national,compared,compared_998"
    )
    # 554 cases in 202,259 people: exact Poisson 95% limits 251.6 to 297.7 per 100,000
    assert (rows[0]["lower"], rows[0]["upper"]) == ("251.6", "297.7")
    assert (peterborough["lower"], peterborough["upper"]) == (251.6, 297.7)
    assert rows[0]["compared"] == peterborough["compared"] == "higher"
    assert [r["code"] for r in rows] == [r["code"] for r in records]
    assert float(rows[0]["rate"]) == peterborough["rate"]


def test_values_resource_has_the_figures(client):
    values = page_values(client, f"/embed/east-of-england?week={WEEK}")
    area = values["by_code"]["E06000031"]
    assert (area["name"], area["rate"], area["cases"]) == ("Peterborough", 273.9, 554)
    assert (area["previous_rate"], area["change_pct"]) == (268.0, 2.2)
    assert (area["rank"], area["rank_of"]) == (2, 315)
    assert values["countries"][area["country"]] == "England"
    assert values["colours"][area["band"]] == "#12407F"  # 200–399
    assert values["week_text"] == "7 days to 21 February 2021"
    assert [item["label"] for item in values["legend"]][:3] == ["0–9", "10–49", "50–99"]


def test_merged_area_says_it_is_covered(client):
    values = page_values(client, f"/embed/london?week={WEEK}")
    city = values["by_code"]["E09000001"]
    hackney = values["by_code"]["E09000012"]
    assert city["rate"] == hackney["rate"] is not None
    assert "Hackney and City of London" in values["notes"]["E09000001"]


def test_missing_week_shows_no_data_swatch(client):
    values = page_values(client, "/embed/east-midlands?week=2020-10-20")
    corby = values["by_code"]["E07000150"]
    assert corby["rate"] is None and corby["band"] is None and corby["days_known"] == 0
    assert values["legend"][-1]["label"] == "No data"


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["first_date"] == "2020-01-30" and body["last_date"] == "2023-12-13"
    assert len(body["data_version"]) == 12


def test_geometry_is_the_same_bytes_for_two_weeks(client):
    first = client.get("/embed/england?week=2021-02-21").get_data(as_text=True)
    second = client.get("/embed/england?week=2021-01-10").get_data(as_text=True)
    assert geometry_url(first) == geometry_url(second)
    one = client.get(geometry_url(first))
    two = client.get(geometry_url(second))
    assert one.data == two.data
    assert "immutable" in one.headers["Cache-Control"]
    assert client.get(values_url(first)).data != client.get(values_url(second)).data
    ids = {g["id"] for g in one.get_json()["objects"]["areas"]["geometries"]}
    # England's 317 districts, plus the Welsh and Scottish ones on the border for context
    assert len({code for code in ids if code.startswith("E")}) == 317
    assert {"W06000023", "S12000026"} <= ids  # Powys, Scottish Borders
    assert "S12000036" not in ids  # Edinburgh is not next to England


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/map/england?week=21-02-2021", 400, "YYYY-MM-DD"),
        ("/map/england?week=2021-02-30", 400, "not a real date"),
        ("/embed/england?scheme=rainbow", 400, "scheme must be one of"),
        ("/embed/england?scheme=quantiles&k=2", 400, "from 3 to 9"),
        ("/embed/england?scheme=quantiles&k=10", 400, "from 3 to 9"),
        ("/map/england?k=five", 400, "from 3 to 9"),
        ("/map/atlantis", 404, "unknown region"),
        ("/embed/atlantis", 404, "unknown region"),
        ("/map/england?week=2019-06-01", 404, "between 2020-02-05 and 2023-12-08"),
        ("/embed/england?week=2024-01-01", 404, "between 2020-02-05 and 2023-12-08"),
        ("/no/such/page", 404, "not found"),
    ],
)
def test_bad_page_parameters_give_an_html_error(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert message.lower() in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/rates?region=england&week=20210221", 400, "YYYY-MM-DD"),
        ("/api/rates", 400, "region is required"),
        ("/api/rates.csv?region=narnia", 404, "unknown region"),
        ("/api/rates?region=england&week=2019-06-01", 404, "between 2020-02-05"),
        ("/values/{version}/england/2021-02-21/quantiles-1.json", 400, "from 3 to 9"),
        ("/values/{version}/england/2021-02-21/pie-5.json", 400, "scheme must be one of"),
        ("/values/{version}/narnia/2021-02-21.json", 404, "unknown region"),
        ("/values/{version}/england/2021-02-31.json", 400, "not a real date"),
        ("/values/000000000000/england/2021-02-21.json", 404, "no data version"),
    ],
)
def test_bad_api_parameters_give_a_json_error(client, path, status, message):
    version = client.get("/healthz").get_json()["data_version"]
    response = client.get(path.format(version=version))
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert message in response.get_json()["error"]


def test_unknown_geometry_version_is_404(client):
    assert client.get("/geo/000000000000/england.topojson").status_code == 404


def test_assets_are_bundles_served_by_the_app(client):
    html = client.get("/embed/england").get_data(as_text=True)
    scripts = re.findall(r'<script defer src="([^"]+)"', html)
    # (Where scripts do not run, a <noscript> link adds one that hides the dead controls.)
    fallback = re.findall(r'<noscript><link rel="stylesheet" href="([^"]+)"></noscript>', html)
    styles = re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', re.sub(r"<noscript>.*?</noscript>", "", html)
    )
    # One script: topojson-client, our small renderer (lite.js) and our code; no Leaflet.
    assert len(scripts) == 1 and len(styles) == 1
    assert len(fallback) == 1 and fallback[0].endswith("/nojs.css")
    assert "display: none" in client.get(fallback[0]).get_data(as_text=True).replace(
        ":none", ": none"
    )
    ours = client.get(scripts[0]).get_data(as_text=True)
    assert "topojson" in ours and "readAreas" in ours and "MS.lite" in ours
    assert "Leaflet" not in ours
    assert "leaflet-container" in client.get(styles[0]).get_data(as_text=True)
    assert client.get("/assets/000000000000/map.js").status_code == 404


def test_hostile_area_name_is_escaped(tmp_path):
    for name in ("cases.csv", "population.csv", "boundaries.geojson", "regions.toml"):
        shutil.copy(TINY / name, tmp_path / name)
    # every Alpha name, the district's and the series', becomes an HTML tag
    lookup = re.sub(r",Alpha(?=,|\n)", f',"{HOSTILE}"', (TINY / "lookup.csv").read_text())
    (tmp_path / "lookup.csv").write_text(lookup)
    app = create_app(tiny_config(data_dir=tmp_path, regions_file=tmp_path / "regions.toml"))
    client = app.test_client()
    html = client.get("/map/northland").get_data(as_text=True)
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # in JSON the name is data, delivered as application/json and inserted as text
    values = page_values(client, "/embed/northland")
    assert values["by_code"]["E06000901"]["name"] == HOSTILE


def test_no_basemap_by_default_tiles_as_a_setting(client):
    assert "data-tiles" not in client.get("/embed/england").get_data(as_text=True)
    app = create_app(
        tiny_config(tiles="https://tiles.example/{z}/{x}/{y}.png", tiles_attribution="© Tiles")
    )
    html = app.test_client().get("/embed/northland").get_data(as_text=True)
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in html
    assert 'data-tiles-attribution="© Tiles"' in html
