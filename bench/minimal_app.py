"""A minimal Flask app that returns fixed bytes, served exactly as `mapserver serve` serves.

Run: python bench/minimal_app.py PORT BODY_FILE HEADERS_JSON [WORKERS]

Every path answers 200 with BODY_FILE's bytes and the headers in HEADERS_JSON: all of
mapserver's own headers (Content-Type, Content-Encoding, ETag, Cache-Control, CSP, ...).
The server is mapserver.serve.serve itself with the app factory swapped, so the gunicorn
settings (gthread workers, threads, preload, access log) are the ones mapserver uses,
whatever they become.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flask import Flask, Response


def build_app(body: bytes, headers: dict) -> Flask:
    """A Flask app whose every GET returns body with headers."""
    app = Flask("minimal")
    content_type = headers.get("Content-Type", "text/html; charset=utf-8")
    extra = {key: value for key, value in headers.items() if key != "Content-Type"}

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def fixed(path: str) -> Response:
        return Response(body, content_type=content_type, headers=extra)

    return app


def main(port: str, body_file: str, headers_file: str, workers: str = "2") -> None:
    """Serve the fixed response on 127.0.0.1:PORT under mapserver's gunicorn settings."""
    from mapserver.web import serve

    app = build_app(Path(body_file).read_bytes(), json.loads(Path(headers_file).read_text()))
    serve.serve("127.0.0.1", int(port), int(workers), app_factory=lambda: app)


if __name__ == "__main__":
    main(*sys.argv[1:])
