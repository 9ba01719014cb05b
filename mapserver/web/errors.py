"""One table from exception class to HTTP status; JSON for /api/, an HTML page elsewhere."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..core.errors import (
    BadParameter,
    ConfigError,
    DataError,
    FetchError,
    MapserverError,
    UnknownIndicator,
    UnknownRegion,
    UnknownVersion,
    WeekOutOfRange,
)
from .links import Links
from .origin import live_links
from .throttle import Busy

# Paths that answer errors in JSON; pages answer with an HTML page.
MACHINE_PATHS = ("/api/", "/values/", "/geo/", "/assets/", "/oembed")

STATUS = {
    BadParameter: 400,
    UnknownRegion: 404,
    WeekOutOfRange: 404,
    UnknownVersion: 404,
    UnknownIndicator: 404,
    DataError: 500,
    ConfigError: 500,
    FetchError: 500,
}


def status_of(error: MapserverError) -> int:
    """The HTTP status for an error class (500 if it is not in the table)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


# OGC API paths answer errors in the OGC exception shape {code, description}.
OGC_PATHS = ("/ogc/",)
OGC_CODES = {400: "InvalidParameterValue", 404: "NotFound"}


def error_response(message: str, status: int, live_url: str | None = None):
    """JSON for API paths, an HTML page for everything else (`live_url`: a way on)."""
    if request.path.startswith(OGC_PATHS):
        body = {"code": OGC_CODES.get(status, "ServerError"), "description": message}
        return jsonify(body), status
    if request.path.startswith(MACHINE_PATHS) or request.path == "/healthz":
        response = jsonify({"error": message, "status": status})
    else:
        current = current_app.extensions.get("mapserver")
        bundles = current.bundles if current else None
        links = live_links() if current else Links()
        response = render_template(
            "error.html",
            message=message,
            status=status,
            links=links,
            bundles=bundles,
            live_url=live_url,
        )
    return response, status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(MapserverError)
    def handle_mapserver_error(error: MapserverError):
        # A pinned map whose version is gone: offer the same map with the latest data.
        live = request.path if isinstance(error, UnknownVersion) else None
        return error_response(str(error), status_of(error), live)

    @app.errorhandler(Busy)
    def handle_busy(error: Busy):
        response, status = error_response(str(error), 503)
        response = current_app.make_response((response, status))
        response.headers["Retry-After"] = str(error.retry_after)
        # a moment's refusal, not the resource: a CDN must not keep it
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        response, status = error_response(error.description or error.name, error.code or 500)
        response = current_app.make_response((response, status))
        # A 405 says which methods the resource allows (RFC 9110), as werkzeug's own does.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
