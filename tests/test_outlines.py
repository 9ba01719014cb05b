"""Prepared outlines (maps/outlines.py): kept on disk, read back only for the same areas
and the same code, and the same as those built afresh."""

from __future__ import annotations

import json

import pytest
import shapely

from mapserver.core.config import load_settings
from mapserver.ingest.boundaries import read_boundaries
from mapserver.maps import geometry, outlines
from mapserver.maps.outlines import outlines_key, prepared_outlines

from .conftest import SHARED_DATA, TINY


@pytest.fixture
def areas():
    return read_boundaries(TINY / "boundaries.geojson")


def _no_builds(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(geometry, "build_topology", refuse)


def test_real_outlines_read_back_are_those_built(tmp_path, monkeypatch):
    areas = read_boundaries(SHARED_DATA / "boundaries" / "lad19_uk_buc_ons.shp")
    built = prepared_outlines(areas, None)
    kept = prepared_outlines(areas, tmp_path)
    _no_builds(monkeypatch)
    read = prepared_outlines(areas, tmp_path)
    assert read == kept == built
    assert geometry.topology_bytes(read[0]) == geometry.topology_bytes(built[0])
    assert len(read[1]) == len(areas) == 382
    assert len(list((tmp_path / "outlines").glob("*.json"))) == 1


def test_other_names_shapes_or_codes_are_other_outlines(areas, tmp_path, monkeypatch):
    key = outlines_key(areas)
    renamed = areas.copy()
    renamed.loc[renamed.index[0], "name"] = "Somewhere Else"
    moved = areas.copy()  # one district's outline a hundred metres east
    moved.loc[moved.index[0], "geometry"] = shapely.affinity.translate(
        areas.geometry.iloc[0], 0.001, 0
    )
    fewer = areas.iloc[1:]
    keys = {key, outlines_key(renamed), outlines_key(moved), outlines_key(fewer)}
    assert len(keys) == 4
    assert outlines_key(areas.copy()) == key
    prepared_outlines(areas, tmp_path)
    topology, _ = prepared_outlines(renamed, tmp_path)  # not the first one's file
    names = [item["properties"]["name"] for item in topology["objects"]["areas"]["geometries"]]
    assert "Somewhere Else" in names


def test_other_code_is_other_outlines(areas, monkeypatch):
    key = outlines_key(areas)
    outlines._code_version.cache_clear()
    monkeypatch.setattr(outlines, "FORMAT", outlines.FORMAT + 1)
    try:
        assert outlines_key(areas) != key
    finally:
        outlines._code_version.cache_clear()


def test_a_damaged_file_is_built_again_and_replaced(areas, tmp_path):
    good = prepared_outlines(areas, tmp_path)
    (kept,) = (tmp_path / "outlines").glob("*.json")
    kept.write_text(kept.read_text()[:100])  # cut short
    assert prepared_outlines(areas, tmp_path) == good
    assert json.loads(kept.read_text())["points"] == good[1]
    kept.write_text(json.dumps({"format": outlines.FORMAT, "topology": [], "points": {}}))
    assert prepared_outlines(areas, tmp_path) == good


def test_a_folder_that_cannot_be_written_only_costs_the_build(areas, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be")
    assert prepared_outlines(areas, blocked) == prepared_outlines(areas, None)


def test_the_cache_folder_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_settings({}, environ={}).outlines_cache == tmp_path / "xdg" / "mapserver"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "mapserver"
    assert load_settings({}, environ={}).outlines_cache == expected
    assert load_settings({"cache_dir": "off"}, environ={}).outlines_cache is None
    assert load_settings({"cache_dir": str(tmp_path)}, environ={}).outlines_cache == tmp_path
    seen = load_settings({}, environ={"MAPSERVER_CACHE_DIR": "OFF"})
    assert seen.outlines_cache is None
