"""Place labels: points inside every area, which areas come first, greedy placement."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from mapserver import create_app
from mapserver.core.errors import BadParameter
from mapserver.ingest.boundaries import read_boundaries
from mapserver.maps import image
from mapserver.maps.geometry import topology_to_geodataframe
from mapserver.maps.labels import (
    Candidate,
    label_order,
    label_points,
    label_text,
    largest_polygon,
    overlaps,
    parse_mode,
    place_labels,
    short_name,
)
from mapserver.web.current import parse_query, state
from mapserver.web.images import image_inputs
from mapserver.web.options import Presentation, parse_presentation

from .conftest import SHARED_DATA

WEEK = "2021-02-21"
REAL_BOUNDARIES = SHARED_DATA / "boundaries" / "lad19_uk_buc_ons.shp"
COUNTRIES = ("england", "scotland", "wales", "northern-ireland")


def frame(shapes: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(shapes)}, geometry=list(shapes.values()), crs="EPSG:4326"
    ).set_index("code", drop=False)


# --- label points on hand-made shapes ---------------------------------------------------


def test_a_concave_area_gets_a_point_inside_where_its_centroid_is_outside():
    # A "U" 0.3 degrees wide: its centroid falls in the gap between the arms.
    u = shapely.Polygon(
        [(-1.0, 52.0), (-0.7, 52.0), (-0.7, 52.3), (-0.75, 52.3), (-0.75, 52.05),
         (-0.95, 52.05), (-0.95, 52.3), (-1.0, 52.3)]
    )  # fmt: skip
    assert not u.contains(u.centroid)
    points = label_points(frame({"U": u}), frame({"U": u}))
    assert u.contains(shapely.Point(points["U"]))


def test_a_split_area_is_labelled_in_its_largest_part():
    big = shapely.box(-1.0, 52.0, -0.8, 52.2)
    island = shapely.box(-0.5, 52.0, -0.49, 52.01)
    area = shapely.MultiPolygon([island, big])
    points = label_points(frame({"A": area}), frame({"A": area}))
    assert big.contains(shapely.Point(points["A"]))
    assert largest_polygon(area).equals(big)


def test_the_point_is_inside_both_the_source_and_the_shown_shape():
    # the shown (simplified) square is shifted east: only their overlap holds the point
    source = shapely.box(-1.0, 52.0, -0.8, 52.2)
    shown = shapely.box(-0.9, 52.0, -0.7, 52.2)
    point = shapely.Point(label_points(frame({"A": source}), frame({"A": shown}))["A"])
    assert source.contains(point) and shown.contains(point)
    assert -0.9 < point.x < -0.8
    # rounded to 3 decimals (about 70 m), as it fits
    assert point.x == round(point.x, 3) and point.y == round(point.y, 3)


def test_largest_polygon_of_nothing_is_none():
    assert largest_polygon(shapely.Polygon()) is None
    assert largest_polygon(shapely.LineString([(0, 0), (1, 1)])) is None


# --- which areas, and their words ---------------------------------------------------------


def test_label_order_top_rates_then_population_with_covered_areas_last():
    table = pd.DataFrame(
        {
            "district_name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"],
            "rate": [50.0, 300.0, 120.0, None, 300.0, 300.0],
            "complete": [True, True, True, False, True, True],
            "population": [90_000, 10_000, 400_000, 500_000, 20_000, 20_000],
            # Foxtrot is covered by Echo's series: same rate, never a top area of its own
            "covered": [False, False, False, False, False, True],
        },
        index=["A", "B", "C", "D", "E", "F"],
    )
    order = label_order(table, top=3)
    # 300 (Bravo), 300 (Echo) by name, then 120 (Charlie); Delta has no rate
    assert order["top"] == ["B", "E", "C"]
    # the rest by population: Delta 500k, Alpha 90k, then the covered Foxtrot last
    assert order["others"] == ["D", "A", "F"]
    assert order["short"] == {}


def test_labels_shorten_city_of_and_county_of():
    assert short_name("Bristol, City of") == "Bristol"
    assert short_name("Herefordshire, County of") == "Herefordshire"
    assert short_name("Kingston upon Hull, City of") == "Kingston upon Hull"
    # a comma that is part of the name stays
    assert short_name("Bournemouth, Christchurch and Poole") == (
        "Bournemouth, Christchurch and Poole"
    )
    assert label_text("Bristol, City of", 245.06, with_rate=True) == "Bristol 245.1"
    table = pd.DataFrame(
        {
            "district_name": ["Bristol, City of", "Bath and North East Somerset"],
            "rate": [245.0, 100.0],
            "complete": [True, True],
            "population": [463_400, 193_282],
            "covered": [False, False],
        },
        index=["E06000023", "E06000022"],
    )
    assert label_order(table)["short"] == {"E06000023": "Bristol"}


def test_label_text():
    assert label_text("Corby", 358.6, with_rate=True) == "Corby 358.6"
    assert label_text("Leeds", 1234.56, with_rate=True) == "Leeds 1,234.6"
    assert label_text("Corby", None, with_rate=True) == "Corby"
    assert label_text("Corby", 358.6, with_rate=False) == "Corby"


@pytest.mark.parametrize(
    ("text", "mode"), [(None, "top"), ("", "top"), ("all", "all"), ("none", "none")]
)
def test_parse_mode(text, mode):
    assert parse_mode(text) == mode


@pytest.mark.parametrize("text", ["ALL", "some", "1", "top "])
def test_parse_mode_rejects_other_values(text):
    with pytest.raises(BadParameter, match="labels must be one of none, top, all"):
        parse_mode(text)


# --- greedy placement -------------------------------------------------------------------


def test_overlaps():
    assert overlaps((0, 0, 10, 10), (5, 5, 15, 15))
    assert not overlaps((0, 0, 10, 10), (10, 0, 20, 10))  # touching edges do not overlap
    assert overlaps((0, 0, 10, 10), (11, 0, 20, 10), gap=2)


def test_placement_keeps_the_first_and_drops_a_weak_label_it_would_hide():
    first = Candidate("A", "Alpha", 50, 50, 40, 10, strong=False)
    second = Candidate("B", "Bravo", 60, 52, 40, 10, strong=False)
    far = Candidate("C", "Charlie", 150, 50, 40, 10, strong=False)
    placed = place_labels([first, second, far], (0, 0, 200, 100))
    assert [p.candidate.code for p in placed] == ["A", "C"]
    assert placed[0].box == (30, 45, 70, 55)  # centred on its anchor


def test_a_strong_label_moves_above_instead_of_being_dropped():
    first = Candidate("A", "Alpha", 50, 50, 40, 10, strong=True)
    second = Candidate("B", "Bravo", 55, 50, 40, 10, strong=True)
    placed = place_labels([first, second], (0, 0, 200, 100))
    assert [p.candidate.code for p in placed] == ["A", "B"]
    # centred, half a height up or down, beside: all within 2 px of Alpha (45-55 high,
    # 30-70 wide); a whole height plus 2 px up clears it: top 45 - 10 - 2 = 33
    assert placed[1].box == (35, 33, 75, 43)
    assert not overlaps(placed[0].box, placed[1].box)


def test_labels_stay_inside_the_frame_and_avoid_obstacles():
    edge = Candidate("A", "Alpha", 5, 50, 40, 10, strong=True)  # would stick out left
    weak = Candidate("B", "Bravo", 195, 50, 40, 10, strong=False)  # would stick out right
    outside = Candidate("C", "Charlie", 250, 50, 20, 10, strong=True)  # anchor off the map
    hidden = Candidate("D", "Delta", 100, 10, 20, 10, strong=False)  # under a control
    placed = place_labels([edge, weak, outside, hidden], (0, 0, 200, 100), [(80, 0, 120, 30)])
    assert [p.candidate.code for p in placed] == ["A"]
    assert placed[0].box == (0, 45, 40, 55)  # moved in to the frame's edge


# --- the real map: every UK area ----------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    return create_app({"data_dir": SHARED_DATA, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def test_every_uk_label_point_is_inside_its_source_and_shown_polygon(app, client):
    source = read_boundaries(REAL_BOUNDARIES)
    with app.app_context():
        version = state().geometry_version
    checked = set()
    for country in COUNTRIES:
        topology = client.get(f"/geo/{version}/{country}.topojson").get_json()
        shown = topology_to_geodataframe(topology)
        for item in topology["objects"]["areas"]["geometries"]:
            point = item.get("properties", {}).get("label")
            if point is None:
                continue  # a neighbour in another country, drawn for context
            code = item["id"]
            lonlat = shapely.Point(point)
            assert source.geometry[code].contains(lonlat), code
            assert shapely.make_valid(shown.geometry[code]).contains(lonlat), code
            checked.add(code)
    assert checked == set(source.index) and len(checked) == 382


def test_values_name_the_top_areas_and_the_rest_by_population(client):
    version = client.get("/healthz").get_json()["data_version"]
    values = client.get(f"/values/{version}/anglia/{WEEK}.json").get_json()
    name = values["fields"].index("name")
    top = [values["areas"][code][name] for code in values["labels"]["top"]]
    assert top[:2] == ["Corby", "Peterborough"]
    assert set(values["labels"]["top"]) | set(values["labels"]["others"]) == set(values["areas"])
    # Central Bedfordshire (288,648 in mid-2019) is Anglia's most populous district
    assert values["areas"][values["labels"]["others"][0]][name] == "Central Bedfordshire"


def test_presentation_carries_labels(app):
    with app.app_context():
        region = state().dataset.region("anglia")
    assert parse_presentation({}, region).labels == "top"
    assert parse_presentation({"labels": "all"}, region).params() == {"labels": "all"}
    assert Presentation().params() == {}
    with pytest.raises(BadParameter):
        parse_presentation({"labels": "many"}, region)


@pytest.mark.parametrize("path", ["/embed/anglia", "/map/anglia", "/image/anglia.png"])
def test_bad_labels_parameter_is_400(client, path):
    response = client.get(f"{path}?week={WEEK}&labels=many")
    assert response.status_code == 400
    assert b"labels must be one of none, top, all" in response.data


def test_pages_pass_the_labels_choice_to_the_map(client):
    assert 'data-labels="all"' in client.get(f"/embed/anglia?week={WEEK}&labels=all").text
    assert 'data-labels="top"' in client.get(f"/embed/anglia?week={WEEK}").text
    page = client.get(f"/map/anglia?week={WEEK}&labels=none").text
    assert 'data-labels="none"' in page and "labels=none" in page  # in the embed code too
    embed = client.get(f"/embed/anglia?week={WEEK}&labels=none").text
    assert f"/image/anglia.png?week={WEEK}&amp;labels=none" in embed  # the <noscript> image


# --- the server-rendered image ------------------------------------------------------------


def layout_for(app, region: str, mode: str, width: int) -> image.Layout:
    with app.test_request_context():
        inputs = image_inputs(state(), parse_query(region, {"week": WEEK}), mode)
    return image.map_layout(**inputs, width=width)


def assert_apart_and_inside(layout: image.Layout) -> None:
    box = layout.map_box
    boxes = [placed.box for placed in layout.labels]
    for left, top, right, bottom in boxes:
        assert box.left <= left and right <= box.left + box.width
        assert box.top <= top and bottom <= box.top + box.height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not overlaps(a, b), (a, b)


@pytest.mark.parametrize(
    ("region", "width"), [("anglia", 1200), ("england", 300), ("england", 1200)]
)
def test_image_labels_the_top_areas_apart_and_inside_the_map(app, region, width):
    layout = layout_for(app, region, "top", width)
    texts = [placed.candidate.text for placed in layout.labels]
    assert texts[:2] == ["Corby 358.6", "Peterborough 273.9"]
    assert_apart_and_inside(layout)


def test_image_labels_all_adds_names_without_overlap_and_none_has_none(app):
    every = layout_for(app, "anglia", "all", 1200)
    assert len(every.labels) > 20
    assert "Central Bedfordshire" in [placed.candidate.text for placed in every.labels]
    assert_apart_and_inside(every)
    assert layout_for(app, "anglia", "none", 1200).labels == ()


def test_image_draws_the_label_text_with_a_halo(app, client):
    layout = layout_for(app, "anglia", "top", 1200)
    left, top, right, bottom = next(p.box for p in layout.labels if p.candidate.code == "E06000031")
    crop = (int(left), int(top), int(right), int(bottom))

    def ink_and_paper(query: str) -> tuple[int, int]:
        png = Image.open(io.BytesIO(client.get(f"/image/anglia.png?week={WEEK}{query}").data))
        pixels = np.asarray(png.convert("RGB").crop(crop), dtype=int).reshape(-1, 3)
        ink = int((np.abs(pixels - 0x1A) <= 40).all(axis=1).sum())
        paper = int((pixels >= 245).all(axis=1).sum())
        return ink, paper

    ink, paper = ink_and_paper("")
    ink_before, paper_before = ink_and_paper("&labels=none")
    # no area that week is near black (1,600+): dark pixels in the box are the text, and
    # the white ones beyond the thin borders are its halo
    assert ink_before == 0 and ink > 50
    assert paper > paper_before + 50
    # the SVG draws text as glyph outlines; its description names what is labelled
    svg = client.get(f"/image/anglia.svg?week={WEEK}").text
    assert "Labelled: Corby 358.6, Peterborough 273.9, Wellingborough 238.4." in svg
