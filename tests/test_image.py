"""Static map images: pixels against the values resource, SVG text, width, errors, caching."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely
from PIL import Image
from pyproj import Transformer
from shapely.ops import polylabel

from mapserver import create_app
from mapserver.core.errors import BadParameter
from mapserver.maps import image
from mapserver.maps.image_draw import CONTEXT_COLOUR
from mapserver.web.current import parse_query, state
from mapserver.web.images import image_inputs, projected_areas

from .conftest import SHARED_DATA

WEEK = "2021-02-21"
PNG = f"/image/east-of-england.png?week={WEEK}"
SVG_NS = "{http://www.w3.org/2000/svg}"
TO_WGS84 = Transformer.from_crs(image.BNG, "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def app():
    return create_app({"data_dir": SHARED_DATA, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


def assert_colour(png: Image.Image, column: float, row: float, expected: str) -> None:
    actual = png.getpixel((int(column), int(row)))
    assert all(abs(a - b) <= 2 for a, b in zip(actual, rgb(expected), strict=True)), (
        f"pixel ({column:.0f}, {row:.0f}) is {actual}, expected {expected}"
    )


def values_resource(client, region: str, week: str) -> dict:
    version = client.get("/healthz").get_json()["data_version"]
    values = client.get(f"/values/{version}/{region}/{week}.json").get_json()
    fields = values["fields"]
    values["by_code"] = {
        code: dict(zip(fields, row, strict=True)) for code, row in values["areas"].items()
    }
    return values


def test_png_pixels_have_the_web_maps_band_colours(app, client):
    # without labels: a label is drawn over the very points this test samples
    response = client.get(PNG + "&labels=none")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    png = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert png.width == image.DEFAULT_WIDTH
    assert 0.6 * png.width <= png.height <= 1.6 * png.width

    values = values_resource(client, "east-of-england", WEEK)
    peterborough, norwich = values["by_code"]["E06000031"], values["by_code"]["E07000148"]
    # worked by hand from the dashboard bands: 273.9 is in 200–399, 89.6 in 50–99
    assert peterborough["rate"] == 273.9
    assert values["colours"][peterborough["band"]] == "#12407F"
    assert 50 <= norwich["rate"] < 100
    assert values["colours"][norwich["band"]] == "#399384"

    with app.test_request_context(PNG):
        inputs = image_inputs(state(), parse_query("east-of-england", {"week": WEEK}), "none")
        areas = projected_areas(state())
    layout = image.map_layout(**inputs, width=image.DEFAULT_WIDTH)
    assert (layout.width, layout.height) == png.size
    for code, colour in (("E06000031", "#12407F"), ("E07000148", "#399384")):
        # the point farthest from the district's edges, as lon/lat
        inside = polylabel(areas.geometry[code], tolerance=10)
        lon, lat = TO_WGS84.transform(inside.x, inside.y)
        column, row = image.pixel_for(lon, lat, layout)
        assert_colour(png, column, row, colour)


def test_render_squares_fill_context_and_tall_regions():
    """The pure renderer on hand-made squares: fill colour, grey context, height limit."""
    squares = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"]},
        geometry=[
            shapely.box(-2.0, 52.0, -1.9, 52.1),
            shapely.box(-1.9, 52.0, -1.8, 52.1),
            shapely.box(-1.8, 52.0, -1.7, 52.1),
        ],  # fmt: skip
        crs="EPSG:4326",
    ).set_index("code", drop=False)
    legend = [
        {"label": "100–199", "colour": "#2067AB"},
        {"label": "No data", "colour": "#d7d7d7", "no_data": True},
    ]
    # A alone is 6.9 km wide and 11.1 km tall: the image is capped at 1.6 times its
    # width, so the frame widens and shows a strip of B (outside the region) in grey.
    args = (squares, {"A": "#2067AB"}, legend, "Title", "Subtitle", "Source line")
    png = Image.open(io.BytesIO(image.render_map_image(*args, width=600, fmt="png")))
    png = png.convert("RGB")
    layout = image.map_layout(*args, width=600)
    assert png.size == (600, layout.height) == (600, 960)
    assert_colour(png, *image.pixel_for(-1.95, 52.05, layout), "#2067AB")
    column, row = image.pixel_for(-1.895, 52.05, layout)
    assert column < layout.map_box.left + layout.map_box.width - 5
    assert_colour(png, column, row, CONTEXT_COLOUR)
    # C is out of the frame
    assert image.pixel_for(-1.75, 52.05, layout)[0] > layout.map_box.left + layout.map_box.width
    assert [item.label for item in layout.legend] == ["100–199", "No data"]


def test_svg_is_valid_titled_and_the_same_each_render(app, client):
    response = client.get(f"/image/east-of-england.svg?week={WEEK}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == "1200" and root.get("viewBox").startswith("0 0 1200 ")
    title = root.find(f"{SVG_NS}title").text
    assert title == "Covid-19 cases per 100,000, 7 days to 21 February 2021"
    desc = root.find(f"{SVG_NS}desc").text
    assert "East of England" in desc
    assert "Contains OS data © Crown copyright and database right 2019" in desc
    assert "Open Government Licence v3.0" in desc
    text = response.get_data(as_text=True)
    assert "<!-- Covid-19 cases per 100,000, 7 days to 21 February 2021 -->" in text
    # a fresh render (not the cached one) gives the same bytes
    with app.test_request_context():
        inputs = image_inputs(state(), parse_query("east-of-england", {"week": WEEK}))
    assert image.render_map_image(**inputs, width=1200, fmt="svg") == response.data


def test_svg_legend_has_every_label_and_no_data(client):
    response = client.get("/image/east-midlands.svg?week=2020-10-20")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    desc = root.find(f"{SVG_NS}desc").text
    text = response.get_data(as_text=True)
    for label in ("0–9", "10–49", "50–99", "100–199", "200–399", "400–799", "1,600+", "No data"):
        assert label in desc
        assert f"<!-- {label} -->" in text  # drawn on the image, not only described


@pytest.mark.parametrize("width", [300, 2000])
def test_width_limits_are_accepted(client, width):
    response = client.get(f"/image/london.png?week={WEEK}&width={width}")
    assert response.status_code == 200
    png = Image.open(io.BytesIO(response.data))
    assert png.width == width
    assert 0.6 * width <= png.height <= 1.6 * width


@pytest.mark.parametrize("width", ["299", "2001", "abc", "1200.0", "-500", "+800", " 800"])
def test_bad_width_is_400_with_a_reason(client, width):
    response = client.get("/image/london.png", query_string={"week": WEEK, "width": width})
    assert response.status_code == 400
    assert "width must be a whole number of pixels from 300 to 2000" in response.get_data(
        as_text=True
    )


def test_parse_width():
    assert image.parse_width(None) == image.parse_width("") == 1200
    assert image.parse_width("300") == 300
    with pytest.raises(BadParameter, match="not '0300x'"):
        image.parse_width("0300x")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/image/london.png?week=21-02-2021", 400),
        ("/image/london.png?week=2021-02-30", 400),
        (f"/image/london.png?week={WEEK}&scheme=rainbow", 400),
        (f"/image/london.svg?week={WEEK}&scheme=quantiles&k=12", 400),
        ("/image/london.png?week=2030-01-06", 404),
        (f"/image/atlantis.png?week={WEEK}", 404),
        (f"/image/london.gif?week={WEEK}", 404),
    ],
)
def test_bad_queries(client, path, status):
    assert client.get(path).status_code == status


def test_etag_304_and_cache(app, client):
    cache = app.extensions["mapserver"].cache
    path = f"/image/london.png?week={WEEK}&scheme=quantiles&k=5"
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=300")
    assert "Last-Modified" in first.headers
    hits = cache.hits
    second = client.get(path)
    assert cache.hits == hits + 1
    assert second.data == first.data and second.headers["ETag"] == etag
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    # the same map in SVG is another resource
    assert client.get(path.replace(".png", ".svg")).headers["ETag"] != etag


def test_app_start_does_not_import_matplotlib():
    code = (
        "import sys; from mapserver import create_app; "
        f"create_app({{'data_dir': {str(SHARED_DATA)!r}}}); "
        "print('matplotlib' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
