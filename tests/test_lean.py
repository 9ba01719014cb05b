"""The lean (format 2) values and geometry that pages load: the first format's figures,
area by area, with the names moved to the geometry, whose version follows them."""

from __future__ import annotations

import json
import shutil

import brotli
import pytest

from mapserver import create_app
from mapserver.maps.lean import Places, column, expand, lean_values, read_lean

from .conftest import SHARED_DATA, TINY, tiny_config
from .loaded import page_attribute
from .test_indicators import CVD, ONS, add, client_for
from .test_suppression import BRECKLAND, CORBY, FENLAND, RUTLAND, added

# The figures a suppressed area must not carry (its days_known, country and flag stay).
FIGURES = ("rate", "cases", "band", "change_pct", "rank", "rank_of", "lower", "upper")


@pytest.fixture(scope="module")
def client():
    return create_app({"data_dir": SHARED_DATA}).test_client()


def both(client, page: str) -> tuple[dict, dict, dict]:
    """The first format of a page's values (the same URL without .v2), the lean values
    the page loads, and the lean TopoJSON it loads."""
    html = client.get(page).get_data(as_text=True)
    lean_url, geometry_url = (
        page_attribute(html, "data-values"),
        page_attribute(html, "data-geometry"),
    )
    assert ".v2.json" in lean_url and geometry_url.endswith(".v2.topojson")
    first = client.get(lean_url.replace(".v2.json", ".json"))
    lean, topology = client.get(lean_url), client.get(geometry_url)
    assert first.status_code == lean.status_code == topology.status_code == 200
    return first.get_json(), lean.get_json(), topology.get_json()


def first_areas(first: dict) -> dict[str, dict]:
    """Each area's fields in the first format."""
    fields = first["fields"]
    return {code: dict(zip(fields, row, strict=True)) for code, row in first["areas"].items()}


def lean_areas(lean: dict, topology: dict) -> dict[str, dict]:
    """Each area's fields in lean values, read here by hand (not with lean.read_lean): the
    areas the geometry names, in its order; a column is a list or a value with exceptions."""
    named = [
        item
        for item in topology["objects"]["areas"]["geometries"]
        if "name" in item.get("properties", {})
    ]
    out = {}
    for i, item in enumerate(named):
        area = {"name": lean["names"][i] if "names" in lean else item["properties"]["name"]}
        for field, spec in lean["columns"].items():
            if isinstance(spec, list):
                assert len(spec) == len(named), field
                area[field] = spec[i]
            else:
                area[field] = spec.get("except", {}).get(str(i), spec["value"])
        out[item["id"]] = area
    return out


def assert_the_same(first: dict, lean: dict, topology: dict) -> dict[str, dict]:
    """The lean values give every area every figure of the first format, identically."""
    assert lean["format"] == 2 and lean["geometry"] == topology["version"]
    old, new = first_areas(first), lean_areas(lean, topology)
    assert sorted(new) == sorted(old)
    # JSON text, so that 1, 1.0 and True are not taken for one another
    different = [
        code
        for code in old
        if json.dumps(new[code], sort_keys=True) != json.dumps(old[code], sort_keys=True)
    ]
    assert different == []
    # and the rest (legend, notes, labels, total ...) as the package reads it back
    assert read_lean(lean, topology) == first
    return new


@pytest.mark.parametrize(
    "page",
    [
        "/embed/england?week=2021-02-21",
        "/embed/england?week=2021-02-14",
        "/embed/england?week=2021-02-21&scheme=quantiles&k=7",
        "/embed/london?week=2021-02-21&scheme=compared-99.8",
        # October 2020's hole: incomplete weeks, so days_known and rank_of vary
        "/embed/east-midlands?week=2020-10-15",
        "/map/anglia?week=2021-02-21",
    ],
)
def test_lean_values_carry_the_first_formats_figures(client, page):
    first, lean, topology = both(client, page)
    assert_the_same(first, lean, topology)
    assert "areas" not in lean and "fields" not in lean


def test_incomplete_weeks_are_exceptions_to_a_common_value(client):
    first, lean, topology = both(client, "/embed/east-midlands?week=2020-10-15")
    days = lean["columns"]["days_known"]
    assert days["value"] == 7 and 0 < len(days["except"]) < 10
    corby = list(lean_areas(lean, topology)).index(CORBY)
    assert days["except"][str(corby)] == first_areas(first)[CORBY]["days_known"] < 7


def test_every_regions_geometry_names_its_areas_as_the_values_did(client):
    """For every region of the real data: the lean geometry names the areas of the first
    format's values, with their names, and in the order their labels are tried, so that
    the week's values carry neither names nor that order."""
    regions = client.application.extensions["mapserver"].dataset.regions
    shortened = {}
    for slug in regions:
        first, lean, topology = both(client, f"/embed/{slug}?week=2021-02-21")
        names = {code: area["name"] for code, area in first_areas(first).items()}
        named = {
            item["id"]: item["properties"]["name"]
            for item in topology["objects"]["areas"]["geometries"]
            if "name" in item.get("properties", {})
        }
        assert named == names, slug
        order = [item["id"] for item in topology["objects"]["areas"]["geometries"]][: len(named)]
        top = first["labels"]["top"]
        assert [code for code in order if code not in top] == first["labels"]["others"], slug
        assert "names" not in lean and set(lean["labels"]) == {"top"}, slug
        short = {
            item["id"]: item["properties"]["short"]
            for item in topology["objects"]["areas"]["geometries"]
            if "short" in item.get("properties", {})
        }
        assert short == first["labels"]["short"], slug
        shortened |= short
    assert shortened["E06000023"] == "Bristol"  # (from "Bristol, City of")


def test_an_indicator_s_lean_values_carry_its_figures(tmp_path_factory):
    """The ONS indicator on the 2023 districts: its denominators order its labels, so its
    lean values say their own order. Asked for on the 2024 districts, it is drawn on the
    Covid cases' view of them, whose lean geometry the page names."""
    store = tmp_path_factory.mktemp("ons") / "store"
    assert add(store, str(ONS)).exit_code == 0
    client = client_for(store)
    for page in (
        f"/embed/england?indicator={CVD}",
        f"/map/north-west?indicator={CVD}",
        f"/embed/east-midlands?indicator={CVD}&vintage=2024",
    ):
        first, lean, topology = both(client, page)
        assert_the_same(first, lean, topology)
        assert lean["unit"] == first["unit"] == "per 100,000 population"
        assert "others" in lean["labels"]  # (not the Covid population's order)


def test_names_and_order_unlike_the_geometry_s_are_in_the_values():
    """Where the week's names, short names or label order differ from the geometry's,
    the lean values say them; where they agree, they are left out."""
    places = Places("v", {"E1": 0, "E2": 1, "E3": 2}, {"E1": "A", "E2": "B", "E3": "C"}, {})
    values = {
        "title": "T",
        "fields": ["name", "rate", "suppressed"],
        "areas": {"E3": ["C", None, True], "E1": ["A", 2.5, False], "E2": ["B", 1.0, False]},
        "notes": {"E2": "with E3"},
        "labels": {"top": ["E1"], "others": ["E2", "E3"], "short": {}},
    }
    codes = places.codes(values["areas"])
    lean = lean_values(values, places, codes)
    assert lean["columns"] == {"rate": [2.5, 1.0, None], "suppressed": [False, False, True]}
    assert (lean["notes"], lean["labels"]) == ({"1": "with E3"}, {"top": [0]})
    assert "names" not in lean
    topology = {
        "version": "v",
        "objects": {
            "areas": {
                "geometries": [
                    {"id": code, "properties": {"name": places.names[code]}} for code in codes
                ]
            }
        },
    }
    assert read_lean(lean, topology) == values
    other = {
        **values,
        "areas": {**values["areas"], "E1": ["A, City of", 2.5, False]},
        "labels": {"top": ["E1"], "others": ["E3", "E2"], "short": {"E1": "A"}},
    }
    lean = lean_values(other, places, codes)
    assert lean["names"] == ["A, City of", "B", "C"]
    assert lean["labels"] == {"top": [0], "others": [2, 1], "short": {"0": "A"}}
    assert read_lean(lean, topology) == other
    with pytest.raises(ValueError, match="another version"):
        read_lean(lean, {**topology, "version": "w"})


def test_a_column_of_one_value_is_written_once():
    assert column([7, 7, 7, 5]) == {"value": 7, "except": {"3": 5}}
    assert column([0, 0]) == {"value": 0}
    assert column([1, True, 1.0, 1]) == [1, True, 1.0, 1]  # True and 1.0 are not 1
    assert column([None, 2, 3, None]) == [None, 2, 3, None]
    assert expand({"value": 7, "except": {"3": 5}}, 4) == [7, 7, 7, 5]


def test_suppressed_areas_carry_no_figures(tmp_path_factory):
    store = added(tmp_path_factory.mktemp("suppressed"), "--suppress-below", "3")
    client = create_app({"store_dir": store, "watch_every": "0"}).test_client()
    embed = "/embed/{}?indicator=rare-disease&period={}"
    for region, period, withheld in [
        ("east-of-england", "2023-12-31", {FENLAND}),
        ("east-midlands", "2023-12-31", {RUTLAND, CORBY}),
        ("east-of-england", "2022-12-31", set()),
    ]:
        first, lean, topology = both(client, embed.format(region, period))
        areas = assert_the_same(first, lean, topology)
        suppressed = {code for code, area in areas.items() if area["suppressed"]}
        assert suppressed >= withheld and (withheld or not suppressed)
        for code in suppressed:
            assert [areas[code][name] for name in FIGURES] == [None] * len(FIGURES), code
        assert lean["suppressed_reason"] == "fewer than 3 cases"
    assert areas[BRECKLAND]["suppressed"] is False and areas[BRECKLAND]["band"] is None


def test_the_lean_geometry_version_follows_the_names(tmp_path):
    """A district renamed in the lookup: the same shapes (geometry version), a new lean
    geometry version, so a cached lean geometry never gives the old name."""
    renamed = tmp_path / "tiny"
    shutil.copytree(TINY, renamed)
    lookup = renamed / "lookup.csv"
    lookup.write_text(lookup.read_text().replace(",Alpha,", ",Alpha Vale,", 1))
    before = create_app(tiny_config()).test_client()
    after = create_app(tiny_config(data_dir=renamed)).test_client()
    geometry = [c.get("/healthz").get_json()["geometry_version"] for c in (before, after)]
    assert geometry[0] == geometry[1]
    pages = [
        c.get("/embed/england?week=2021-01-14").get_data(as_text=True) for c in (before, after)
    ]
    urls = [page_attribute(page, "data-geometry") for page in pages]
    assert urls[0] != urls[1]
    names = [
        {
            item["id"]: item.get("properties", {}).get("name")
            for item in c.get(url).get_json()["objects"]["areas"]["geometries"]
        }
        for c, url in zip((before, after), urls, strict=True)
    ]
    assert (names[0]["E06000901"], names[1]["E06000901"]) == ("Alpha", "Alpha Vale")
    # each server answers for its own lean geometry only
    assert before.get(urls[1]).status_code == 404 and after.get(urls[0]).status_code == 404


def _on_the_wire(response) -> int:
    """A response's bytes as sent: status line, headers and (brotli) body."""
    headers = sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items())
    return len("HTTP/1.1 200 OK\r\n\r\n") + headers + len(response.get_data())


def test_another_week_of_the_england_embed_is_at_most_8_kb(client):
    """The page and its week's values (the geometry is cached from the first week), with
    brotli, as the server sends them (quality 11)."""
    br = {"Accept-Encoding": "br"}
    for week in ("2021-02-21", "2021-02-14"):
        page = client.get(f"/embed/england?week={week}", headers=br)
        html = brotli.decompress(page.get_data()).decode()
        values = client.get(page_attribute(html, "data-values"), headers=br)
        assert values.headers["Content-Encoding"] == "br"
        assert _on_the_wire(page) + _on_the_wire(values) <= 8_000, week
