"""Many indicators in one store: lists read each version's indicator.json alone, and each
worker keeps only the last few indicators it used loaded (MAPSERVER_INDICATORS_IN_MEMORY)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from mapserver import create_app
from mapserver.cli import main
from mapserver.store.indicator_store import Shelf
from mapserver.web.worker import Recent

from .test_indicator_versions import LYME, lyme_file


def add(store: Path, path: Path, id: str | None = None) -> None:
    args = ["add", str(path), *(["--id", id] if id else [])]
    result = CliRunner(env={"MAPSERVER_STORE_DIR": str(store)}).invoke(main, args)
    assert result.exit_code == 0, result.output


def app_for(store: Path, **settings):
    return create_app({"store_dir": store, "watch_every": "0", **settings})


def version_folder(store: Path, id: str = LYME) -> Path:
    root = store / "indicators"
    return root / id / json.loads((root / "current.json").read_text())["indicators"][id]


def listed(client) -> dict:
    """What the lists say of the indicator: /api/indicators, the OGC collection, the menu."""
    api = next(item for item in client.get("/api/indicators").get_json() if item["id"] == LYME)
    ogc = client.get("/ogc/collections").get_json()["collections"]
    collection = next(item for item in ogc if item["id"] == LYME)
    page = client.get("/map/england").text
    menu = page[page.index('aria-label="Indicators"') :].split("</nav>", 1)[0]
    return {"api": api, "extent": collection["extent"]["temporal"], "menu": menu}


def test_indicator_json_holds_the_periods_that_the_lists_need(tmp_path):
    store = tmp_path / "store"
    add(store, lyme_file(tmp_path, 10))
    meta = json.loads((version_folder(store) / "indicator.json").read_text())
    # The Fingertips rows of test_indicators: 2022 and an older year, newest first.
    assert [p["key"] for p in meta["periods"]][0] == "2022"
    assert meta["periods"][0]["end"] == "2022-12-31"
    assert meta["id"] == LYME and meta["title"]
    before = listed(app_for(store).test_client())
    assert before["api"]["latest"]["key"] == "2022"
    assert [p["key"] for p in before["api"]["periods"]] == [p["key"] for p in meta["periods"]]
    assert before["extent"]["interval"][0][1] == "2022-12-31T00:00:00Z"
    assert f"indicator={LYME}" in before["menu"] and ">2022<" in before["menu"]

    # Without its observations, the lists are the same: they never read them.
    bare = tmp_path / "bare"
    shutil.copytree(store, bare)
    (version_folder(bare) / "observations.csv.xz").unlink()
    assert listed(app_for(bare).test_client()) == before

    # A version written before indicator.json held the periods: read from its observations.
    old = tmp_path / "old"
    shutil.copytree(store, old)
    path = version_folder(old) / "indicator.json"
    path.write_text(json.dumps({k: v for k, v in meta.items() if k != "periods"}))
    assert listed(app_for(old).test_client()) == before


def test_each_worker_keeps_only_the_last_indicators_it_used(tmp_path):
    store = tmp_path / "store"
    for id in ("lyme-a", "lyme-b", "lyme-c"):
        add(store, lyme_file(tmp_path, 10), id)
    app = app_for(store, indicators_in_memory=2)
    client = app.test_client()
    state = app.extensions["mapserver"]
    ours = state.cache

    def loaded() -> list[str]:
        return [key[2] for key in state.worker.indicator_states.order() if key[0] is ours]

    assert len(client.get("/api/indicators").get_json()) == 4  # none loaded for the list
    assert loaded() == []
    for id in ("lyme-a", "lyme-b", "lyme-c"):
        assert client.get(f"/embed/england?indicator={id}").status_code == 200
    assert loaded() == ["lyme-b", "lyme-c"]  # the first used went first
    # ... and is read again when asked for.
    again = client.get("/embed/england?indicator=lyme-a&week=2022-12-31")
    assert again.status_code == 200
    assert loaded() == ["lyme-c", "lyme-a"]


def test_the_shelf_keeps_the_observations_of_the_last_versions_read(tmp_path):
    store = tmp_path / "store"
    for id in ("lyme-a", "lyme-b"):
        add(store, lyme_file(tmp_path, 10), id)
    root = store / "indicators"
    shelf = Shelf(root, size=1)
    versions = {id: version_folder(store, id).name for id in ("lyme-a", "lyme-b")}
    first = shelf.load("lyme-a", versions["lyme-a"])[0]
    assert shelf.load("lyme-a", versions["lyme-a"])[0] is first  # kept
    shelf.load("lyme-b", versions["lyme-b"])
    reread = shelf.load("lyme-a", versions["lyme-a"])[0]
    assert reread is not first and reread.frame.equals(first.frame)  # read again


def test_recent_forgets_the_least_recently_used():
    recent = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # now the most recent
    recent.put("c", 3)
    assert recent.order() == ["a", "c"] and recent.get("b") is None
    assert len(Recent(0).order()) == 0 and Recent(0).size == 1


def test_a_version_pruned_while_loaded_is_a_404(tmp_path):
    store = tmp_path / "store"
    add(store, lyme_file(tmp_path, 10))
    first = version_folder(store).name
    client = app_for(store).test_client()
    assert client.get(f"/embed/england?indicator={LYME}").status_code == 200  # loaded
    env = {"MAPSERVER_STORE_DIR": str(store), "MAPSERVER_VERSIONS_KEPT": "1"}
    for fenland in (11, 12):
        result = CliRunner(env=env).invoke(main, ["add", str(lyme_file(tmp_path, fenland))])
        assert result.exit_code == 0, result.output
    assert not (store / "indicators" / LYME / first).exists()
    gone = client.get(f"/embed/england?indicator={LYME}&v={first}")
    assert gone.status_code == 404 and "pruned" in gone.text
