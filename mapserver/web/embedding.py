"""Publishing embeds: the Content-Security-Policy and the iframe loader script."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response
from flask_openapi3 import APIBlueprint

from .apidoc import TAGS, ok
from .cache import cached, make_entry
from .current import state

blueprint = APIBlueprint("embedding", __name__, abp_tags=[TAGS["pages"]])
LOADER_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


def content_security_policy(frame_ancestors: str, tiles: str | None) -> str:
    """The CSP for every HTML page: only this server's scripts, styles and data."""
    images = "'self' data:"
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        images += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


@blueprint.get(
    "/embed.js",
    operation_id="embedLoader",
    summary="The script that resizes embeds in a host page",
    responses=ok("JavaScript", "text/javascript", {"type": "string"}),
)
@cached
def loader():
    """A small script for host pages: resizes this server's iframes to fit their content."""
    current = state()

    def build():
        body = current.bundles["loader.js"].body
        return make_entry(body, "text/javascript", current.last_modified, LOADER_CACHE_CONTROL)

    return current.cache.get(("loader", current.bundles["loader.js"].version), build)


def init_app(app: Flask) -> None:
    """Add the CSP to HTML responses, and nosniff to every response."""
    settings = app.extensions["mapserver"].settings
    policy = content_security_policy(settings.frame_ancestors, settings.tiles)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # Every response, not only pages: a JSON error quotes the request's text, which a
        # browser must not sniff as anything but JSON.
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html" or response.status_code == 304:
            response.headers["Content-Security-Policy"] = policy
            response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response
