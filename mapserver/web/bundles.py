"""Front-end files joined into a few bundles, named by a hash of their content.

topojson-client comes from npm: installed, never committed, and served by the app
itself. The map is drawn by our own lite.js, not Leaflet (a sixth of its bytes). One
script and one stylesheet per page keep an embed to a handful of requests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import rcssmin
import rjsmin

from ..core.errors import ConfigError
from ..core.resources import resource

TOPOJSON_CLIENT = resource("node_modules/topojson-client/dist/topojson-client.min.js").parent
STATIC = resource("static")

SOURCES = {
    "map.js": [TOPOJSON_CLIENT / "topojson-client.min.js",
               STATIC / "js" / "format.js", STATIC / "js" / "lite.js", STATIC / "js" / "map.js",
               STATIC / "js" / "frame.js",
               STATIC / "js" / "labels.js", STATIC / "js" / "search.js",
               STATIC / "js" / "facts.js", STATIC / "js" / "live.js"],
    "map.css": [STATIC / "css" / "lite.css", STATIC / "css" / "map.css",
                STATIC / "css" / "search.css"],
    "nojs.css": [STATIC / "css" / "nojs.css"],
    "desk.css": [STATIC / "css" / "desk.css"],
    "desk.js": [STATIC / "js" / "desk.js"],
    "page.js": [STATIC / "js" / "page.js"],
    "favicon.svg": [STATIC / "favicon.svg"],
    "loader.js": [STATIC / "js" / "loader.js"],
}  # fmt: skip
MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Bundle:
    """One served file: its bytes, type and content hash."""

    name: str
    body: bytes
    mimetype: str
    version: str

    @property
    def path(self) -> str:
        """Its path under the site root: assets/<hash>/<name>."""
        return f"assets/{self.version}/{self.name}"


def _read(path: Path) -> bytes:
    if not path.exists():
        hint = " (run `npm ci`, or `make install`)" if "node_modules" in path.parts else ""
        raise ConfigError(f"front-end file missing: {path}{hint}")
    return path.read_bytes()


def _minified(path: Path, body: bytes) -> bytes:
    """Our own scripts and styles without comments and spaces (about a quarter fewer
    bytes once compressed); the libraries come minified already."""
    if STATIC not in path.parents:
        return body
    if path.suffix == ".js":
        return rjsmin.jsmin(body)
    if path.suffix == ".css":
        return rcssmin.cssmin(body)
    return body


def build_bundles() -> dict[str, Bundle]:
    """Read and join every bundle's sources."""
    bundles = {}
    for name, paths in SOURCES.items():
        body = b"\n".join(_minified(path, _read(path)).rstrip() for path in paths) + b"\n"
        version = hashlib.sha256(body).hexdigest()[:12]
        bundles[name] = Bundle(name, body, MIMETYPES[Path(name).suffix], version)
    return bundles
