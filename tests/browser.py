"""Helpers for the browser tests: a real `mapserver serve` process and Debian's chromium."""

from __future__ import annotations

import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "output" / "screenshots"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    env: dict,
    timeout: float = 60.0,
    command: list[str] | None = None,
    cwd: Path | None = None,
    clean_env: bool = False,
    workers: int = 1,
):
    """Start `mapserver serve` in a subprocess; yield its base URL once /healthz answers.

    `command` replaces the serve command ({port} in it is replaced by the port);
    `clean_env` drops every MAPSERVER_* variable of this process from the server's.
    """
    port = free_port()
    if command is None:
        command = [sys.executable, "-m", "mapserver.cli", "serve", "--port", "{port}"]
        command += ["--workers", str(workers)]
    command = [part.replace("{port}", str(port)) for part in command]
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not (clean_env and key.startswith("MAPSERVER_"))
    }
    # stderr to a file, not a pipe: a full pipe would block a talkative server
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**inherited, **env},
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
            start_new_session=True,  # so the whole group (make, gunicorn, workers) stops
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(process, base, timeout, errors)
            yield base
        finally:
            _stop_group(process)


def _wait_for_health(process, base: str, timeout: float, errors) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"server exited: {errors.read()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            # (not listening yet; or listening, its workers not yet answering on a busy
            # machine: the socket takes connections before a worker accepts them)
            pass
        if time.monotonic() > deadline:
            errors.seek(0)
            raise RuntimeError(f"no answer from /healthz in time: {errors.read()[-3000:]}")
        time.sleep(0.2)


def _stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def loopback_server(handler):
    """An http.server with `handler` on a free loopback port, in a thread; its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@contextmanager
def static_server(directory: Path):
    """Serve a folder on a second loopback origin, like any plain static web server."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None
    with loopback_server(handler) as base:
        yield base


class PageWatch:
    """Records a page's requests and console errors while a test drives it."""

    def __init__(self, page, base: str):
        self.page = page
        self.allowed = urlsplit(base).netloc
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def foreign_requests(self) -> list[str]:
        """Requests to any host other than the server under test."""
        return [
            url
            for url in self.requests
            if not url.startswith("data:") and urlsplit(url).netloc != self.allowed
        ]
