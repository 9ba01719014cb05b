"""Shared fixtures: the tiny hand-made data set and the real data in ../shared/data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mapserver.core.config import load_settings
from mapserver.figures.covid import load_dataset

TESTS = Path(__file__).resolve().parent
TINY = TESTS / "fixtures" / "tiny"
SHARED_DATA = TESTS.parents[1] / "shared" / "data"


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml): two workers per CPU. Most tests spend much of their
    time waiting for the servers, browsers and installs they start, and one worker per
    CPU left a third of the CPU time idle."""
    return 2 * (os.cpu_count() or 1)


# The modules that take longest (a minute or more each, mostly waiting for the servers,
# installs and browsers they start), run first: each worker takes whole modules in the
# order collected, and one of these begun last would finish alone, minutes after the rest.
LONGEST_FIRST = (
    "test_bench.py",
    "test_install.py",
    "test_bench_indicators.py",
    "test_bench_shared_indicators.py",
    "test_bench_versions.py",
    "test_two_servers.py",
    "test_indicator_versions.py",
    "test_live_server.py",
    "test_docs.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(xdist, in the controller) Tell each worker where the servers they share are noted."""
    from .browser import SHARED_DIR

    node.workerinput[SHARED_DIR] = str(_shared_dir(node.config))


def _shared_dir(config) -> Path:
    if not hasattr(config, "_mapserver_shared"):
        config._mapserver_shared = Path(tempfile.mkdtemp(prefix="mapserver-tests-"))
    return config._mapserver_shared


def pytest_unconfigure(config):
    """(the controller, once every worker is done) Stop the servers the workers shared."""
    folder = getattr(config, "_mapserver_shared", None)
    if folder is not None:
        from .browser import stop_shared_servers

        stop_shared_servers(folder)
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """The LONGEST_FIRST modules' tests first, in that order; the rest as collected."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def tiny_config(**overrides) -> dict:
    """Setting overrides for the hand-made fixture, no lag."""
    values = {
        "data_dir": TINY,
        "boundaries": "boundaries.geojson",
        "cases": "cases.csv",
        "population": "population.csv",
        "lookup": "lookup.csv",
        "regions_file": TINY / "regions.toml",
        "lag_days": 0,
    }
    values.update(overrides)
    return values


def tiny_settings(**overrides):
    """Settings pointing at the hand-made fixture, no lag, unless overridden."""
    return load_settings(tiny_config(**overrides), environ={})


@pytest.fixture
def tiny():
    """The hand-made dataset (six districts, 14 days)."""
    return load_dataset(tiny_settings())


@pytest.fixture(scope="session")
def real_settings():
    """Settings reading the real data straight from ../shared/data."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real data is expected at {SHARED_DATA}")
    return load_settings({"data_dir": SHARED_DATA}, environ={})


@pytest.fixture(scope="session")
def server(request):
    """`mapserver serve` on the real data, in a subprocess, for the browser tests: one for
    the whole run, shared by the xdist workers (browser.shared_server)."""
    from .browser import shared_server

    env = {"MAPSERVER_DATA_DIR": str(SHARED_DATA)}
    with shared_server(request.config, "server", env) as base:
        yield base


ONS_INDICATOR = (
    SHARED_DATA / "indicators" / "ons_els_preventable-cardiovascular-mortality-england.csv"
)


def _ons_store(folder: Path) -> dict:
    """A store in `folder` with the ONS indicator added; the setting that names it."""
    from click.testing import CliRunner

    from mapserver.cli import main

    store = folder / "store"
    runner = CliRunner(env={"MAPSERVER_STORE_DIR": str(store)})
    result = runner.invoke(main, ["add", str(ONS_INDICATOR)])
    assert result.exit_code == 0, result.output
    return {"MAPSERVER_STORE_DIR": str(store)}


@pytest.fixture(scope="session")
def indicator_server(request):
    """`mapserver serve` on the built-in data, with the ONS indicator added to its store
    (one for the run, as `server`)."""
    from .browser import shared_server

    with shared_server(request.config, "indicator-server", {}, prepare=_ons_store) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, launched once through Playwright."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def page_pool(browser):
    """This worker's chromium pages, kept open between tests (tests/browser.py)."""
    from .browser import PagePool

    pool = PagePool(browser)
    yield pool
    pool.close()


@pytest.fixture
def new_page(page_pool):
    """`new_page(viewport, **context_options)`: a blank chromium page for this test, given
    back to the pool when it ends (a test needing its own context makes one from
    `browser`)."""
    taken = []

    def take(viewport: dict | None = None, **options):
        taken.append(page_pool.take(viewport, **options))
        return taken[-1]

    yield take
    for page in taken:
        page_pool.give_back(page)


@pytest.fixture(scope="session")
def real(real_settings):
    """The real dataset, loaded once per test session."""
    return load_dataset(real_settings)


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for the whole run (tests/postgres.py); its URL."""
    from .postgres import cluster

    with cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty accounts database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts.sqlite3'}"
    from .postgres import fresh_database

    return fresh_database(request.getfixturevalue("postgres_cluster"))


@pytest.fixture
def cheap_hashes(monkeypatch):
    """argon2 at its cheapest for the accounts tests (the real parameters cost ~0.1-0.4 s a
    hash, and the throttling tests check dozens): still argon2id, still verified."""
    from argon2 import PasswordHasher, profiles

    from mapserver.store import accounts

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(accounts, "hasher", lambda: cheap)
