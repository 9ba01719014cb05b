"""Helpers for the browser tests: a real `mapserver serve` process and Debian's chromium."""

from __future__ import annotations

import contextlib
import fcntl
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


def start_server(
    env: dict,
    timeout: float,
    errors,
    command: list[str] | None = None,
    cwd: Path | None = None,
    clean_env: bool = False,
    workers: int = 1,
) -> tuple[subprocess.Popen, str]:
    """Start `mapserver serve` in its own process group, stderr to `errors`; the process
    and its base URL once /healthz answers (the group is stopped if it never does)."""
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
    except BaseException:
        _stop_group(process)
        raise
    return process, base


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
    # stderr to a file, not a pipe: a full pipe would block a talkative server
    with tempfile.TemporaryFile(mode="w+") as errors:
        process, base = start_server(env, timeout, errors, command, cwd, clean_env, workers)
        try:
            yield base
        finally:
            _stop_group(process)


SHARED_DIR = "mapserver_shared_dir"  # the key of the workers' input naming the folder


@contextmanager
def shared_server(config, name: str, env: dict, prepare=None, timeout: float = 60.0):
    """One `mapserver serve` for every xdist worker of the run that asks for `name`.

    The first worker to ask starts it (after `prepare(folder)`, which returns more
    settings), the others find its URL; the controller stops it when the run ends
    (`stop_shared_servers`). Outside xdist, this process starts and stops it.
    """
    shared = getattr(config, "workerinput", {}).get(SHARED_DIR)
    if shared is None:
        with tempfile.TemporaryDirectory() as folder:
            extra = prepare(Path(folder)) if prepare else {}
            with running_server({**env, **extra}, timeout) as base:
                yield base
        return
    root = Path(shared)
    url = root / f"{name}.url"
    # Held only while the first worker starts it: the others wait for its URL, then all
    # go on with the lock released.
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # (released when the file closes)
        if not url.exists():
            folder = root / name
            folder.mkdir(exist_ok=True)
            extra = prepare(folder) if prepare else {}
            with open(folder / "stderr.txt", "w+") as errors:
                process, base = start_server({**env, **extra}, timeout, errors)
            with open(root / "pids", "a") as pids:
                pids.write(f"{process.pid}\n")
            url.write_text(base)
        base = url.read_text()
    yield base


def stop_shared_servers(folder: Path) -> None:
    """Stop the process groups that shared_server started under `folder`."""
    pids_file = folder / "pids"
    pids = [int(line) for line in pids_file.read_text().split()] if pids_file.exists() else []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for pid in pids:
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            if _running(pid):
                os.killpg(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether the process is alive (a zombie, ended and not yet reaped, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


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


DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # (Playwright's own default)


class PagePool:
    """Chromium pages kept open from test to test, one browser context for each set of
    context options. A new page costs chromium a renderer process, 0.4 to 1 s of CPU; a
    page navigated again costs about 0.15 s. A page comes back blank, with no cookies,
    permissions, cache, routes, media emulation or listeners of the test that had it."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts: dict[tuple, object] = {}
        self.idle: dict[tuple, list] = {}
        self.sessions: dict[object, object] = {}  # each page's CDP session (its cache)
        self.lent: dict[object, tuple[tuple, list]] = {}  # its context key, listeners added

    def take(self, viewport: dict | None = None, **options):
        """A blank page at `viewport`, in the context made with `options`."""
        key = tuple(sorted(options.items()))
        if key not in self.contexts:
            self.contexts[key] = self.browser.new_context(**options)
            self.idle[key] = []
        if self.idle[key]:
            page = self.idle[key].pop()
        else:
            page = self.contexts[key].new_page()
            self.sessions[page] = page.context.new_cdp_session(page)
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        self.lent[page] = (key, self._note_listeners(page))
        return page

    @staticmethod
    def _note_listeners(page) -> list:
        """The listeners the test adds from now on (removed when it gives the page back)."""
        added = []
        for name in ("on", "once"):
            register = getattr(type(page), name).__get__(page)

            def noted(event, handler, register=register):
                added.append((event, handler))
                register(event, handler)

            setattr(page, name, noted)
        return added

    def give_back(self, page) -> None:
        """Make the page blank again and keep it for the next test (or drop it if it
        closed, or will not be reset)."""
        from playwright.sync_api import Error

        key, added = self.lent.pop(page)
        if page.is_closed():
            self.sessions.pop(page)
            return
        del page.on, page.once
        try:
            for event, handler in added:
                page.remove_listener(event, handler)
            page.unroute_all(behavior="ignoreErrors")
            page.goto("about:blank")
            page.emulate_media(media="null")
            page.mouse.move(0, 0)
            page.context.clear_cookies()
            page.context.clear_permissions()
            self.sessions[page].send("Network.clearBrowserCache")
        except Error:
            self.sessions.pop(page)
            page.close()
            return
        self.idle[key].append(page)

    def close(self) -> None:
        """Close every context the pool opened."""
        for context in self.contexts.values():
            context.close()
