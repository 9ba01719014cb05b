"""A newcomer's routes: a fresh clone with `make serve`, and the wheel in a clean venv.

Both start from nothing but this repository: no ../shared beside them, no mirror, no
MAPSERVER_* settings. They install from the package registries (pip's and npm's caches
make a second run quicker), so they are the slowest tests of the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .browser import PageWatch, running_server

ROOT = Path(__file__).resolve().parents[1]
WEEK = "2021-02-21"
INSTALL_TIMEOUT = 900  # seconds: a cold pip cache downloads geopandas, matplotlib, ...


def _figures(base: str, region: str) -> dict[str, float]:
    records = requests.get(
        f"{base}/api/rates", params={"region": region, "week": WEEK}, timeout=20
    ).json()
    return {record["name"]: record["rate"] for record in records}


def test_fresh_clone_serves_with_the_readme_command(tmp_path):
    """`git clone` (the committed tree) into an empty folder, then the README's `make serve`."""
    clone = tmp_path / "newcomer" / "mapserver"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    assert not (clone.parent / "shared").exists()
    # (without byte-compiling the packages it installs: most of the install's CPU, and
    # Python compiles what the server imports; the command is otherwise the README's)
    command = ["make", "serve", "PORT={port}", "PIP_OPTIONS=--no-compile"]
    with running_server({}, INSTALL_TIMEOUT, command, cwd=clone, clean_env=True) as base:
        embed = requests.get(f"{base}/embed/england?week={WEEK}", timeout=30)
        assert embed.status_code == 200
        figures = _figures(base, "england")
        assert figures["Corby"] == 358.6
        assert figures["Peterborough"] == 273.9
        health = requests.get(f"{base}/healthz", timeout=10).json()
        assert health["last_date"] == "2023-12-13"
    assert not (clone / "var").exists()  # nothing was fetched


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    subprocess.run(command, check=True, timeout=INSTALL_TIMEOUT)
    (built,) = out.glob("mapserver-*.whl")
    return built


@pytest.mark.browser
def test_wheel_in_a_clean_venv_serves_every_asset(wheel, tmp_path, new_page):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    # The wheel's dependencies come from the test's own environment, by a path line that
    # pip and Python read after the venv's own packages (.pth files *in* that directory,
    # such as the checkout's editable install, are not read): resolving and unpacking
    # them again took a minute, and the fresh-clone test above installs them from
    # pyproject.toml as a newcomer does. The wheel itself goes in with nothing else.
    (site / "site-packages" / "test-dependencies.pth").write_text(
        next(p for p in sys.path if p.endswith("site-packages")) + "\n"
    )
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=INSTALL_TIMEOUT)
    where = [str(venv / "bin" / "python"), "-c", "import mapserver; print(mapserver.__file__)"]
    imported = subprocess.run(where, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert imported.stdout.startswith(str(site / "site-packages" / "mapserver"))
    empty = tmp_path / "empty"
    empty.mkdir()
    command = [str(venv / "bin" / "mapserver"), "serve", "--port", "{port}", "--workers", "1"]
    with running_server({}, 120, command, cwd=empty, clean_env=True) as base:
        page = new_page(viewport={"width": 1000, "height": 800})
        watch = PageWatch(page, base)
        failed = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.goto(f"{base}/embed/east-of-england?week={WEEK}")
        page.wait_for_selector("#map[data-ready='true']", timeout=30_000)
        assert page.locator("#map path.area").count() == 45
        assert failed == []
        assert watch.foreign_requests() == []
        assert watch.errors == []
        assert _figures(base, "anglia")["Corby"] == 358.6
    # the server ran from the wheel alone: nothing of the checkout, nothing written here
    assert list(empty.iterdir()) == []
    installed = next(site.glob("site-packages/mapserver"))
    assert (installed / "_bundled" / "data" / "regions.toml").is_file()
    assert (installed / "figures" / "poisson_limits.npy").is_file()  # limits_table.py
    assert shutil.which("mapserver", path=str(venv / "bin"))
