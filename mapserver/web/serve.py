"""Run the app under gunicorn, a production WSGI server."""

from __future__ import annotations

import gc
import threading
from socket import getfqdn, gethostname

from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """gunicorn with its options given in code; the app is built once, before forking."""

    def __init__(self, app_factory, options: dict):
        self.app_factory = app_factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Python's advice for servers that fork without exec (the gc module's docs):
        # collections off while the master loads the data, whose objects live as long as
        # the process; frozen before the fork, so that the workers' collections never
        # touch them (their pages stay shared) and never walk them; on again in each worker.
        gc.disable()
        app = self.app_factory()
        gc.freeze()
        return app


def _collect_garbage_again(server, worker) -> None:
    """In a new worker: collections on (the master turned them off to load, GunicornServer)."""
    gc.enable()


def _warm_in_background(worker) -> None:
    """After a worker forks: compress the bundles in a thread, off the request path."""
    # Any Flask app can be served this way (the benchmark's minimal app is one); only
    # mapserver's has data versions to follow and a cache to warm.
    state = worker.wsgi.extensions.get("mapserver")
    if state is None:
        return
    # A worker forked later (kill -HUP, or one replaced after a crash) starts from the
    # data the master loaded at start-up: bring it to the current version before it
    # answers, then watch the pointer (live.py).
    state.registry.check()
    state.registry.ensure_watching()
    threading.Thread(target=state.warm, name="warm-cache", daemon=True).start()


def bind_hosts(host: str) -> tuple[str, ...]:
    """Host names that reach a server bound to `host`, to add to the allowed hosts."""
    if host in ("0.0.0.0", "::", ""):
        # Every interface: the machine's own names; others go in MAPSERVER_ALLOWED_HOSTS.
        return tuple(dict.fromkeys(name.lower() for name in (gethostname(), getfqdn())))
    return (host.strip("[]").lower(),)


def serve(host: str, port: int, workers: int, threads: int | None = None, app_factory=None) -> None:
    """Serve mapserver (or the app `app_factory` makes) on host:port until interrupted.

    `threads` per worker: MAPSERVER_THREADS when None.
    """
    from ..core.config import load_settings

    settings = load_settings()
    threads = settings.threads if threads is None else threads
    if app_factory is None:
        from .. import create_app

        allowed = settings.allowed_hosts + bind_hosts(host)

        def app_factory():
            # (No scipy here: whole counts' exact limits need none, intervals.py.)
            return create_app({"allowed_hosts": allowed})

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # Load the data once in the master; workers share it copy-on-write.
        "preload_app": True,
        "accesslog": "-",
        "timeout": 60,
        "post_fork": _collect_garbage_again,
        "post_worker_init": _warm_in_background,
    }
    GunicornServer(app_factory, options).run()
