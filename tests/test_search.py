"""Find an area: the search box on pages and embeds, and the optional postcode lookup."""

from __future__ import annotations

import pytest

from mapserver import create_app
from mapserver.core.errors import ConfigError
from mapserver.ingest.postcodes import looks_like_postcode, outward, read_postcodes

from .conftest import TESTS, tiny_config

POSTCODES = TESTS / "fixtures" / "postcodes" / "postcodes.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PE1 1XX", True), ("pe11xx", True), ("PE1", True), ("SW1A 1AA", True), ("M1", True),
     ("E06000031", False), ("Peterborough", False), ("PE1 1X", False), ("", False)],
)  # fmt: skip
def test_what_looks_like_a_postcode(text, expected):
    assert looks_like_postcode(text) is expected


def test_outward_code():
    assert [outward(p) for p in ("PE1 1XX", "SW1A1AA", "M11AE", "CB10", "pe1")] == [
        "PE1",
        "SW1A",
        "M1",
        "CB10",
        "PE1",
    ]


def test_lookup_by_full_postcode_then_district():
    lookup = read_postcodes(POSTCODES)
    assert lookup.find("ab1 2cd") == ("AB12CD", "E06000901")
    assert lookup.find("AB2 7XY") == ("AB2", "E06000903")  # only its district is in the file
    assert lookup.find("AB2") == ("AB2", "E06000903")
    assert lookup.find("AB1 9ZZ") is None  # AB1 appears only as a full postcode


def test_a_postcode_file_without_the_columns_is_a_config_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("pc,district_code\nAB1,E06000901\n")
    with pytest.raises(ConfigError, match="no postcode column"):
        read_postcodes(bad)
    with pytest.raises(ConfigError, match="not found"):
        read_postcodes(tmp_path / "missing.csv")


def app_client(**overrides):
    return create_app({**tiny_config(**overrides), "TESTING": True}).test_client()


def test_postcode_api_with_a_file():
    client = app_client(postcodes=str(POSTCODES))
    body = client.get("/api/postcode?q=ab1%202cd").get_json()
    assert body == {"query": "ab1 2cd", "matched": "AB12CD", "code": "E06000901", "name": "Alpha"}
    assert client.get("/api/postcode?q=AB2 1AA").get_json()["code"] == "E06000903"
    missing = client.get("/api/postcode?q=QQ1 1QQ")
    assert missing.status_code == 200 and missing.get_json()["code"] is None
    assert client.get("/api/postcode?q=Alpha").status_code == 400
    page = client.get("/embed/england?week=2021-01-14").get_data(as_text=True)
    assert 'data-postcodes="/api/postcode"' in page and "or postcode" in page


def test_without_a_postcode_file_the_server_says_so():
    client = app_client()
    response = client.get("/api/postcode?q=AB1 2CD")
    assert response.status_code == 404
    assert "postcode search is not available" in response.get_json()["error"]
    page = client.get("/embed/england?week=2021-01-14").get_data(as_text=True)
    assert "data-postcodes" not in page


def test_the_search_box_is_on_pages_and_embeds_unless_switched_off():
    client = app_client()
    for path in ("/map/england?week=2021-01-14", "/embed/england?week=2021-01-14"):
        html = client.get(path).get_data(as_text=True)
        assert 'role="combobox"' in html and 'aria-controls="area-search-list"' in html
        assert 'role="listbox"' in html and 'role="status"' in html
    html = client.get("/embed/england?week=2021-01-14&search=0").get_data(as_text=True)
    assert 'role="combobox"' not in html
    assert client.get("/embed/england?search=no").status_code == 400


def test_a_configured_postcode_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="postcode file not found"):
        create_app({**tiny_config(postcodes=str(tmp_path / "none.csv"))})
