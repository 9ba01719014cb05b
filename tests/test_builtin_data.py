"""The built-in data set: the manifests' files, compressed, read with no data directory."""

from __future__ import annotations

import hashlib
import lzma
import tomllib
import zipfile
from pathlib import Path

import pytest

from mapserver.core.config import BUILTIN_FILES, load_settings
from mapserver.core.resources import resource
from mapserver.figures.covid import load_dataset
from mapserver.ingest.sources import load_manifest


def _builtin_entries() -> list[dict]:
    with open(resource("data/builtin.toml"), "rb") as handle:
        return tomllib.load(handle)["file"]


def _members(path: Path) -> dict[str, bytes]:
    """The decompressed bytes of a built-in file, by file name."""
    if path.suffix == ".xz":
        return {path.stem: lzma.decompress(path.read_bytes())}
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_builtin_files_decompress_to_the_manifest_files():
    manifest = {entry.path: entry for entry in load_manifest()}
    entries = _builtin_entries()
    assert {entry["setting"]: entry["path"] for entry in entries} == BUILTIN_FILES
    for entry in entries:
        members = _members(resource(entry["path"]))
        assert sorted(members) == sorted(Path(p).name for p in entry["manifest_paths"])
        for manifest_path in entry["manifest_paths"]:
            body = members[Path(manifest_path).name]
            assert hashlib.sha256(body).hexdigest() == manifest[manifest_path].sha256
            assert len(body) == manifest[manifest_path].size


def test_without_a_data_dir_the_builtin_set_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing in the working directory to fall back on
    settings = load_settings(environ={})
    assert settings.builtin
    for name, relative in BUILTIN_FILES.items():
        assert settings.path(name) == resource(relative)
    dataset = load_dataset(settings)
    week = dataset.parse_week("2021-02-21")
    figures = dataset.region_figures(dataset.region("anglia"), week)
    top = figures.head(2)
    assert list(top["name"]) == ["Corby", "Peterborough"]
    assert [round(rate, 1) for rate in top["rate"]] == [358.6, 273.9]


def test_builtin_and_shared_data_give_the_same_figures(real):
    builtin = load_dataset(load_settings(environ={}))
    week = builtin.parse_week("2021-02-21")
    ours = builtin.figures(week)
    theirs = real.figures(week)
    assert ours.equals(theirs)


@pytest.mark.parametrize("name", ["cases", "population", "lookup", "boundaries"])
def test_a_data_dir_still_names_the_manifest_paths(tmp_path, name):
    settings = load_settings({"data_dir": tmp_path}, environ={})
    assert not settings.builtin
    assert settings.path(name).parent.parent == tmp_path
    assert settings.fetch_dir == tmp_path
