"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary
directory, listening only on a unix socket there, stopped and removed at the end.

PostgreSQL refuses to run as root: as root the cluster is run as the `postgres` user.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_names = itertools.count(1)


def postgres_bin() -> Path | None:
    """The directory of Debian's PostgreSQL programs (the newest), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major)
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _major(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    """A TCP port nothing listens on now (it names the cluster's socket file)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield the URL of its `postgres` database (superuser `postgres`)."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed (make test installs Debian's postgresql)")
    root = Path(tempfile.mkdtemp(prefix="mapserver-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    quiet = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                   "--no-sync", "-E", "UTF8"]),
        **quiet,
    )  # fmt: skip
    # No TCP at all: the socket in the temporary directory is the only way in.
    options = f"-p {port} -k {root} -c listen_addresses='' -c fsync=off"
    start = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
             str(root / "log"), "start"]  # fmt: skip
    try:
        subprocess.run(_as_owner(start), **quiet)
        yield f"postgresql+psycopg://postgres@/postgres?host={root}&port={port}"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(cluster_url: str) -> str:
    """A new empty database in the cluster; its URL."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_names)}"
    host_and_port = cluster_url.split("?", 1)[1]
    params = dict(part.split("=", 1) for part in host_and_port.split("&"))
    with psycopg.connect(
        dbname="postgres", user="postgres", host=params["host"], port=params["port"],
        autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(f'CREATE DATABASE "{name}"')
    return cluster_url.replace("/postgres?", f"/{name}?", 1)
