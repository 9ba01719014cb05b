"""Indicator versions shared through PostgreSQL (store/shared_indicators.py, issue 26):
pushed from one store root, pulled into another with the same bytes and current.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from mapserver.core.config import load_settings
from mapserver.ingest.indicator import Indicator
from mapserver.store import indicator_store
from mapserver.store.database import Database
from mapserver.store.indicator_store import StoredIndicator, write
from mapserver.store.shared_indicators import (
    Follower,
    SharedStoreError,
    generation,
    pull,
    push,
)

FLU = "flu-admissions"


def stored(count: int, log: tuple[str, ...] = ("added flu.csv",)) -> StoredIndicator:
    """A two-area indicator by hand; `count` is Fenland's (it changes the version)."""
    indicator = Indicator(FLU, "Flu admissions", "per 100,000", 100_000, 1, "count")
    frame = pd.DataFrame(
        {
            "code": ["E07000010", "E07000011"],
            "name": ["Fenland", "Huntingdonshire"],
            "period": ["2022", "2022"],
            "start": pd.to_datetime(["2022-01-01", "2022-01-01"]),
            "end": pd.to_datetime(["2022-12-31", "2022-12-31"]),
            "count": [count, 7],
            "denominator": [100_000.0, 180_000.0],
        }
    ).reindex(columns=indicator_store.COLUMNS)
    national = frame.iloc[:1].assign(code="E92000001", name="England")
    return StoredIndicator(indicator, frame, national, log)


def files_of(root) -> dict[str, bytes]:
    """Every file under an indicators root, by relative path (locks and staging aside)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


@pytest.fixture
def shared(postgres_cluster):
    from .postgres import fresh_database

    database = Database(fresh_database(postgres_cluster))
    database.upgrade()
    yield database
    database.dispose()


def test_a_pushed_version_is_pulled_with_the_same_bytes_and_current_json(shared, tmp_path):
    a, b = tmp_path / "a" / "indicators", tmp_path / "b" / "indicators"
    first = write(a, stored(10))
    assert generation(shared) == 0
    assert push(shared, a, FLU, first) == 1
    assert pull(shared, b) == [FLU]
    assert files_of(b) == files_of(a)
    assert set(files_of(b)) == {
        "current.json",
        f"{FLU}/added.log",
        f"{FLU}/{first}/indicator.json",
        f"{FLU}/{first}/observations.csv.xz",
        f"{FLU}/{first}/national.csv.xz",
    }
    assert json.loads((b / "current.json").read_text()) == {"indicators": {FLU: first}}
    # the version's date comes along, so versions sort alike on every server
    assert (b / FLU / first).stat().st_mtime_ns // 1000 == (
        a / FLU / first
    ).stat().st_mtime_ns // 1000
    # and the pulled store reads back as the same indicator
    assert indicator_store.load(b / FLU / first).indicator.title == "Flu admissions"


def test_a_pull_is_idempotent(shared, tmp_path):
    a, b = tmp_path / "a" / "indicators", tmp_path / "b" / "indicators"
    push(shared, a, FLU, write(a, stored(10)))
    assert pull(shared, b) == [FLU]
    before = {p: p.stat().st_mtime_ns for p in b.rglob("*") if not p.name.startswith(".")}
    assert pull(shared, b) == []
    after = {p: p.stat().st_mtime_ns for p in b.rglob("*") if not p.name.startswith(".")}
    assert after == before  # nothing written again


def test_a_second_version_switches_current_and_the_first_stays_kept(shared, tmp_path):
    a, b = tmp_path / "a" / "indicators", tmp_path / "b" / "indicators"
    first = write(a, stored(10))
    push(shared, a, FLU, first)
    pull(shared, b)
    second = write(a, stored(12, ("added flu.csv", "added flu-2.csv")))
    assert second != first
    assert push(shared, a, FLU, second) == 2
    assert pull(shared, b) == [FLU]
    assert json.loads((b / "current.json").read_text()) == {"indicators": {FLU: second}}
    assert files_of(b) == files_of(a)
    assert (b / FLU / "added.log").read_text() == "added flu.csv\nadded flu-2.csv\n"
    assert indicator_store.stored_versions(b, FLU) == [first, second]
    # a server starting afterwards pulls the current version alone
    c = tmp_path / "c" / "indicators"
    assert pull(shared, c) == [FLU]
    assert files_of(c) == {path: body for path, body in files_of(b).items() if first not in path}


def test_an_indicator_only_kept_locally_stays(shared, tmp_path):
    a, b = tmp_path / "a" / "indicators", tmp_path / "b" / "indicators"
    push(shared, a, FLU, write(a, stored(10)))
    other = stored(3)
    mine = write(b, replace_id(other, "local-only"))
    pull(shared, b)
    assert json.loads((b / "current.json").read_text())["indicators"]["local-only"] == mine


def replace_id(found: StoredIndicator, id: str) -> StoredIndicator:
    from dataclasses import replace

    return replace(found, indicator=replace(found.indicator, id=id))


def test_a_down_database_raises_a_clear_error(tmp_path):
    # a port nothing listens on, in a socket directory that does not exist
    url = f"postgresql+psycopg://postgres@/postgres?host={tmp_path}&port=9"
    down = Database(url)
    with pytest.raises(SharedStoreError, match="could not (read|pull from) the shared database"):
        generation(down)
    with pytest.raises(SharedStoreError, match="could not pull from the shared database"):
        pull(down, tmp_path / "indicators")
    settings = load_settings({"store_dir": str(tmp_path / "store"), "database_url": url})
    with pytest.raises(SharedStoreError, match="could not open the shared database"):
        Follower(settings).follow()
    down.dispose()


def test_the_follower_pulls_only_when_the_generation_moves(shared, tmp_path):
    a = tmp_path / "a" / "indicators"
    settings = load_settings({"store_dir": str(tmp_path / "b"), "database_url": shared.url})
    follower = Follower(settings)
    assert follower.follow() == []  # generation 0: nothing shared yet
    assert follower.follow() is None  # not moved
    first = write(a, stored(10))
    push(shared, a, FLU, first)
    assert follower.follow() == [FLU]
    assert follower.follow() is None
    assert indicator_store.read_versions(tmp_path / "b" / "indicators") == {FLU: first}


def test_no_database_url_means_no_follower_and_no_sqlalchemy(tmp_path):
    code = (
        "import sys; from mapserver.core.config import load_settings;"
        "from mapserver.update.live import Registry;"
        f"settings = load_settings({{'store_dir': {str(tmp_path / 'store')!r}}});"
        "registry = Registry(settings, lambda s: 'state', str);"
        "assert registry._follower is None;"
        "print('sqlalchemy' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def indicator_registry(settings):
    """A Registry whose state is just the kept indicators (no map data needed)."""
    from mapserver.store.indicator_store import KeptIndicators, indicators_root
    from mapserver.update.live import Registry

    return Registry(
        settings,
        lambda loaded: KeptIndicators(indicators_root(loaded)),
        lambda kept: "data",
        refresh=lambda kept: kept.changed(),
    )


def test_a_server_starting_empty_pulls_first_and_follows_later(shared, tmp_path):
    a = tmp_path / "a" / "indicators"
    first = write(a, stored(10))
    push(shared, a, FLU, first)
    settings = load_settings(
        {"store_dir": str(tmp_path / "b"), "database_url": shared.url, "watch_every": 0}
    )
    registry = indicator_registry(settings)
    assert registry.current.versions == {FLU: first}  # from the first load
    second = write(a, stored(12))
    push(shared, a, FLU, second)
    assert registry.check() is True
    assert registry.current.versions == {FLU: second}
    assert registry.follow_error is None


def test_the_watcher_keeps_the_last_state_while_the_database_is_down(tmp_path, caplog):
    down = f"postgresql+psycopg://postgres@/postgres?host={tmp_path}&port=9"
    b = tmp_path / "b" / "indicators"
    kept = write(b, stored(10))  # what the server had pulled before
    settings = load_settings({"store_dir": str(tmp_path / "b"), "database_url": down})
    registry = indicator_registry(settings)  # starts, and serves what it has
    assert registry.current.versions == {FLU: kept}
    assert registry.follow_error.startswith("could not open the shared database")
    assert registry.check() is False  # no exception, nothing switched
    assert registry.current.versions == {FLU: kept}
    errors = [r for r in caplog.records if "shared database" in r.getMessage()]
    assert len(errors) == 1  # logged once, not at every check


def test_share_with_the_database_down_says_the_version_is_kept_but_not_shared(tmp_path):
    from mapserver.store.shared_indicators import share

    down = f"postgresql+psycopg://postgres@/postgres?host={tmp_path}&port=9"
    a = tmp_path / "a" / "indicators"
    version = write(a, stored(10))
    settings = load_settings({"store_dir": str(tmp_path / "a"), "database_url": down})
    with pytest.raises(SharedStoreError, match=f"version {version} of {FLU} is kept in this"):
        share(settings, a, FLU, version)
    assert indicator_store.read_versions(a) == {FLU: version}  # still kept here
    # without a database URL there is nothing to share, and nothing is opened
    assert share(load_settings({"store_dir": str(tmp_path / "a")}), a, FLU, version) is None
    assert not (tmp_path / "a" / "mapserver.sqlite3").exists()


def test_a_pull_between_add_and_push_leaves_the_new_local_version(shared, tmp_path):
    # `mapserver add` writes the version, then pushes it: a watcher's pull in between
    # sees the database still at the version both agreed on, and must not undo the add.
    a, b = tmp_path / "a" / "indicators", tmp_path / "b" / "indicators"
    first = write(a, stored(10))
    push(shared, a, FLU, first)
    assert pull(shared, a) == []
    second = write(a, stored(12))  # kept here, not pushed yet
    assert pull(shared, a) == []
    assert indicator_store.read_versions(a) == {FLU: second}
    push(shared, a, FLU, second)
    assert pull(shared, a) == []
    assert pull(shared, b) == [FLU]
    assert indicator_store.read_versions(b) == {FLU: second}
    # ... while a version another server published is adopted over the one kept here
    third = write(b, stored(14))
    push(shared, b, FLU, third)
    assert pull(shared, a) == [FLU]
    assert indicator_store.read_versions(a) == {FLU: third}
