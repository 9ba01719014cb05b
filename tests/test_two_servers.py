"""Several servers, one database (issue 26): two real 2-worker servers with their own
store directories share one PostgreSQL and no file system, behind one public URL.

A map published on server A (`mapserver add` against A's store and the database) is
served by every worker of server B within 5 s, byte for byte as A serves it: the embed,
the rates, the index of indicators and the PNG image. A second version switches B as
quickly, and an embed pinned to the first version still answers the same bytes on both.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack

from mapserver.store.indicator_store import read_versions

from .browser import running_server
from .postgres import fresh_database
from .test_indicator_versions import CVD, ONS, SWITCH_LIMIT, cli, get, second_version

PUBLIC = "https://maps.example.org"
SAME = [
    f"/embed/london?indicator={CVD}",
    f"/api/rates?region=england&indicator={CVD}",
    "/api/indicators",
    f"/image/east-midlands.png?indicator={CVD}&width=600",
]


def wait_for_every_worker(servers: dict, version: str, workers: int = 2) -> dict:
    """For each server (name: (base URL, store directory)), seconds until its store's
    current.json names CVD's `version` (pulled), and until /healthz of `workers` distinct
    processes names it (served); the servers are polled in turn, from the same start."""
    started = time.monotonic()
    times = {name: [None, None] for name in servers}
    switched: dict[str, set[int]] = {name: set() for name in servers}
    while any(served is None for _, served in times.values()):
        assert time.monotonic() - started < SWITCH_LIMIT, times
        for name, (base, store) in servers.items():
            if times[name][1] is not None:
                continue
            if times[name][0] is None and read_versions(store / "indicators").get(CVD) == version:
                times[name][0] = time.monotonic() - started
            health = get(base, "/healthz").json()
            assert health["shared_error"] is None
            if health["indicators"].get(CVD) == version:
                switched[name].add(health["worker"])
            if len(switched[name]) == workers:
                times[name][1] = time.monotonic() - started
        time.sleep(0.02)  # (polling flat out took CPU from the servers it waits for)
    return times


def kept_version(store) -> str:
    """CVD's current version in a store directory (as `mapserver add` left it)."""
    return read_versions(store / "indicators")[CVD]


def test_published_on_one_server_served_by_the_other(postgres_cluster, tmp_path):
    url = fresh_database(postgres_cluster)
    shared = {"MAPSERVER_DATABASE_URL": url, "MAPSERVER_PUBLIC_URL": PUBLIC}
    cli(shared, "db", "upgrade")
    env_a = {**shared, "MAPSERVER_STORE_DIR": str(tmp_path / "a")}
    env_b = {**shared, "MAPSERVER_STORE_DIR": str(tmp_path / "b")}
    with ExitStack() as servers:
        a = servers.enter_context(running_server(env_a, timeout=180, workers=2))
        b = servers.enter_context(running_server(env_b, timeout=180, workers=2))
        assert CVD not in {item["id"] for item in get(b, "/api/indicators").json()}

        cli(env_a, "add", str(ONS))
        first = kept_version(tmp_path / "a")
        both = {"A": (a, tmp_path / "a"), "B": (b, tmp_path / "b")}
        first_times = wait_for_every_worker(both, first)
        served = {url: get(a, url) for url in SAME}
        for url, answer in served.items():
            other = get(b, url)
            assert other.content == answer.content, url
            for header in ("X-Data-Version", "ETag"):  # (an image names no release)
                assert other.headers.get(header) == answer.headers.get(header), (url, header)
        assert served[SAME[3]].content.startswith(b"\x89PNG")
        pinned = f"/embed/london?indicator={CVD}&v={first}"
        pinned_body = get(a, pinned).content
        assert get(b, pinned).content == pinned_body

        cli(env_a, "add", str(second_version(tmp_path)))
        second = kept_version(tmp_path / "a")
        assert second != first
        second_times = wait_for_every_worker(both, second)
        for url in SAME:
            assert get(b, url).content == get(a, url).content, url
        assert get(b, SAME[0]).content != served[SAME[0]].content  # the new figures
        # The pinned embed is the first version as published on both servers, alike (it
        # gains one thing once there is a newer version: a link to the latest map).
        latest = re.compile(rb' <a class="latest" href="[^"]+" target="_top">[^<]+</a>')
        for _ in range(2):  # both workers
            on_a, on_b = get(a, pinned).content, get(b, pinned).content
            assert on_a == on_b
            assert latest.sub(b"", on_a) == pinned_body
        assert not (tmp_path / "b" / "mapserver.sqlite3").exists()
    for name, times in (("first version", first_times), ("second version", second_times)):
        for server, (pulled, served) in times.items():
            print(f"\n{name}, {server}: on disk {pulled:.2f} s, every worker {served:.2f} s")
    # Every version reached B's disk and both its workers (the first one too, although each
    # worker of each server draws its districts' outlines before switching).
    for times in (first_times, second_times):
        assert times["B"][0] is not None and times["B"][1] is not None
