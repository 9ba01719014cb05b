"""Indicators are versioned like the Covid data (issue 25).

A running 2-worker server: `mapserver add` of a new version of an indicator switches
every worker on every URL within seconds, no response mixes versions (each names its
release in X-Data-Version, and the same release always gives the same body), and an
embed pinned to the first version (`v=`, as the map page's embed code gives it) still
answers that version's figures byte for byte (the embed adding only a link to the latest).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import requests

from .browser import running_server
from .conftest import SHARED_DATA

ONS = SHARED_DATA / "indicators" / "ons_els_preventable-cardiovascular-mortality-england.csv"
CVD = "preventable-cardiovascular-mortality-england"
# Seconds from the end of `mapserver add` to every worker on every URL, only so that a
# broken switch fails instead of hanging: the time a switch takes is printed here and
# measured by bench/shared_indicators.py, not asserted (the suite runs many servers at once).
SWITCH_LIMIT = 60.0
URLS = [
    f"/map/england?indicator={CVD}",
    f"/embed/london?indicator={CVD}",
    f"/api/rates?region=england&indicator={CVD}",
    f"/api/rates.csv?region=north-west&indicator={CVD}",
    "/api/indicators",
    "/map/anglia",
]


def second_version(folder: Path) -> Path:
    """The ONS file with every figure half as large again (limits too)."""
    frame = pd.read_csv(ONS, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for column in ("observation", "lci_95", "uci_95"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        frame[column] = (numbers * 1.5).map(lambda x: "" if pd.isna(x) else repr(float(x)))
    path = folder / "cvd-revised.csv"
    frame.to_csv(path, index=False)
    return path


def cli(env: dict, *args: str) -> None:
    """`mapserver ARGS` with these settings; it must succeed."""
    result = subprocess.run(
        [sys.executable, "-m", "mapserver.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def add(env: dict, path: Path) -> None:
    cli(env, "add", str(path))


def get(base: str, url: str) -> requests.Response:
    # A new connection each time, so that both workers answer.
    response = requests.get(base + url, timeout=60, headers={"Connection": "close"})
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response


def cvd_version(base: str) -> str:
    listed = get(base, "/api/indicators").json()
    return next(item["version"] for item in listed if item["id"] == CVD)


def test_a_new_indicator_version_switches_every_worker(tmp_path):
    env = {"MAPSERVER_STORE_DIR": str(tmp_path / "store"), "MAPSERVER_WATCH_EVERY": "0.5"}
    add(env, ONS)
    revised = second_version(tmp_path)
    with running_server(env, timeout=120, workers=2) as base:
        first = cvd_version(base)
        page = get(base, URLS[0]).text
        pinned = html.unescape(
            re.search(r'value="pinned" data-code="[^"]*" data-src="([^"]+)"', page).group(1)
        )
        assert f"v={first}" in pinned
        pinned = pinned[pinned.index("/embed/") :]
        embed = get(base, pinned)
        assert "Data as of" in embed.text  # the "as published" note
        values = re.search(r'"(/values/[^"]+)"', html.unescape(embed.text)).group(1)
        assert f"/values/{first}/" in values
        published = {pinned: embed.content, values: get(base, values).content}

        bodies: dict[tuple[str, str], set[bytes]] = defaultdict(set)
        last_old: dict[str, float] = {}
        late: list[str] = []  # old answers after the add (before the switch)
        answers = 0

        def ask(url: str) -> str:
            nonlocal answers
            response = get(base, url)
            release = response.headers["X-Data-Version"]
            bodies[(url, release)].add(response.content)
            answers += 1
            if release == old_release and added is not None:
                last_old[url] = time.monotonic() - added
                late.append(url)
            return release

        def sweep(rounds: int) -> set[str]:
            return {ask(url) for _ in range(rounds) for url in URLS}

        added = None
        old_release = get(base, "/healthz").json()["release"]
        assert sweep(3) == {old_release}
        add(env, revised)
        added = time.monotonic()
        workers: dict[int, str] = {}
        turn = 0
        # Health from each worker, and the URLs in turn, until both workers serve the new
        # release.
        while time.monotonic() - added < SWITCH_LIMIT:
            health = get(base, "/healthz").json()
            workers[health["worker"]] = health["release"]
            if len(workers) == 2 and old_release not in workers.values():
                break
            ask(URLS[turn % len(URLS)])
            turn += 1
            time.sleep(0.02)  # (flat out, the asking took CPU from the workers switching)
        every_worker = time.monotonic() - added
        new_release = get(base, "/healthz").json()["release"]
        assert new_release != old_release
        # Every URL, many times, from both workers: the new version only.
        assert sweep(10) == {new_release}
        switched = max(last_old.values(), default=0.0)
        releases = {release for _, release in bodies}
        mixed = [key for key, found in bodies.items() if len(found) != 1]
        print(
            f"\nworkers {sorted(workers)} on the new version {every_worker:.2f} s after add;"
            f" {len(late)} old answers after it, the last {switched:.2f} s after;"
            f" {answers} answers; releases"
            f" {sorted(releases)}; URLs with more than one body for a release: {mixed}"
        )
        assert len(workers) == 2
        assert every_worker < SWITCH_LIMIT and switched < SWITCH_LIMIT
        assert releases == {old_release, new_release}
        assert mixed == []  # a release always answers the same body: no mixed responses
        for url in URLS[:4]:  # the indicator's figures changed
            assert bodies[(url, old_release)] != bodies[(url, new_release)]
        second = cvd_version(base)
        assert second != first
        assert f"/values/{second}/" in get(base, URLS[0]).text
        assert f"/values/{first}/" not in get(base, URLS[0]).text

        # The embed pinned to the first version, and its figures, are as published; the
        # embed gains one thing, a link to the latest version (the desk, issue 26).
        latest = re.compile(rb' <a class="latest" href="[^"]+" target="_top">[^<]+</a>')
        for url, body in published.items():
            for _ in range(4):
                now = get(base, url).content
                assert latest.sub(b"", now) == body
                assert (latest.search(now) is not None) == (url == pinned)
        # ... and the live embed code of the same map pins the second.
        page = get(base, URLS[0]).text
        assert f"v={second}" in html.unescape(page)


LYME = "lyme-disease-notifications"


def lyme_file(folder: Path, fenland: int) -> Path:
    """The Fingertips rows of test_indicators, with Fenland's 2022 count as given."""
    from .test_formats import FINGERTIPS_HEADER, table, write
    from .test_indicators import fingertips_rows

    rows = fingertips_rows()
    for row in rows:
        if "E07000010" in row and "2022" in row:
            row[row.index("10")] = str(fenland)
    return write(folder / f"lyme-{fenland}.csv", table(FINGERTIPS_HEADER, rows))


def add_quietly(store: Path, path: Path, kept: int = 2) -> None:
    from click.testing import CliRunner

    from mapserver.cli import main

    env = {"MAPSERVER_STORE_DIR": str(store), "MAPSERVER_VERSIONS_KEPT": str(kept)}
    result = CliRunner(env=env).invoke(main, ["add", str(path)])
    assert result.exit_code == 0, result.output


def lyme_version(client) -> str:
    listed = client.get("/api/indicators").get_json()
    return next(item["version"] for item in listed if item["id"] == LYME)


def test_versions_are_pinned_pruned_and_kept_pinned(tmp_path):
    from .test_indicators import client_for

    store = tmp_path / "store"
    add_quietly(store, lyme_file(tmp_path, 10))
    client = client_for(store)
    first = lyme_version(client)
    assert (store / "indicators" / LYME / first / "indicator.json").is_file()
    assert json.loads((store / "indicators" / "current.json").read_text()) == {
        "indicators": {LYME: first}
    }
    pinned = f"/embed/england?indicator={LYME}&period=2022&v={first}"
    published = client.get(pinned)
    assert published.status_code == 200
    assert (store / "pins" / first).exists()
    made = []
    for fenland in (11, 12, 13):
        add_quietly(store, lyme_file(tmp_path, fenland))
        made.append(lyme_version(client))  # the test client follows at its next request
    second, third, fourth = made
    assert len({first, *made}) == 4
    kept = {p.name for p in (store / "indicators" / LYME).iterdir() if p.is_dir()}
    # two kept (MAPSERVER_VERSIONS_KEPT), and the pinned one: the second was pruned
    assert kept == {first, third, fourth}
    # As published, but for the link to the latest version that a newer one brought
    again = client.get(pinned).data
    latest = rb' <a class="latest" href="[^"]+" target="_top">[^<]+</a>'
    assert re.search(latest, again) and not re.search(latest, published.data)
    assert re.sub(latest, b"", again) == published.data
    values = re.search(r'"(/values/[^"]+)"', html.unescape(published.text)).group(1)
    assert f"/values/{first}/" in values
    assert client.get(values).status_code == 200
    gone = client.get(pinned.replace(first, second))
    assert gone.status_code == 404
    assert fourth in gone.text and "pruned" in gone.text
    assert client.get(values.replace(first, second)).status_code == 404
    page = client.get(f"/map/england?indicator={LYME}").text
    assert f"/values/{fourth}/" in page


def test_a_store_kept_before_versions_is_served_and_migrated(tmp_path):
    from .test_indicators import client_for

    store = tmp_path / "store"
    add_quietly(store, lyme_file(tmp_path, 10))
    root = store / "indicators"
    version = json.loads((root / "current.json").read_text())["indicators"][LYME]
    # The layout before versions: the files in indicators/<id>/, no current.json.
    for item in (root / LYME / version).iterdir():
        item.rename(root / LYME / item.name)
    (root / LYME / version).rmdir()
    (root / "current.json").unlink()
    client = client_for(store)
    old = lyme_version(client)
    assert client.get(f"/embed/england?indicator={LYME}&v={old}").status_code == 200
    add_quietly(store, lyme_file(tmp_path, 11))
    versions = json.loads((root / "current.json").read_text())["indicators"]
    assert versions[LYME] == lyme_version(client) != old
    assert not (root / LYME / "observations.csv.xz").exists()
    assert (root / LYME / old / "observations.csv.xz").is_file()
    assert client.get(f"/embed/england?indicator={LYME}&v={old}").status_code == 200
