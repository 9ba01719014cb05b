"""Run the app under gunicorn, a production WSGI server."""

from __future__ import annotations

import threading

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
        return self.app_factory()


def _warm_in_background(worker) -> None:
    """After a worker forks: compress the bundles in a thread, off the request path."""
    # Any Flask app can be served this way (the benchmark's minimal app is one); only
    # mapserver's has a cache to warm.
    state = worker.wsgi.extensions.get("mapserver")
    if state is None:
        return
    threading.Thread(target=state.warm, name="warm-cache", daemon=True).start()


def serve(host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve mapserver on host:port until interrupted."""
    from . import create_app

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # Load the data once in the master; workers share it copy-on-write.
        "preload_app": True,
        "accesslog": "-",
        "timeout": 60,
        "post_worker_init": _warm_in_background,
    }
    GunicornServer(create_app, options).run()
