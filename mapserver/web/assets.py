"""Front-end libraries served by the app itself, from Python packages and npm installs."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet
from flask import Blueprint, abort, send_from_directory

from ..config import PROJECT_ROOT

blueprint = Blueprint("assets", __name__)

LIBRARIES = {
    # Leaflet from the xstatic-leaflet wheel on PyPI
    "leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
    # topojson-client from npm (package.json), installed by `make install`
    "topojson-client": PROJECT_ROOT / "node_modules" / "topojson-client" / "dist",
}
ONE_YEAR = 31_536_000


@blueprint.get("/vendor/<library>/<path:filename>")
def vendor(library: str, filename: str):
    """A file of a front-end library, e.g. /vendor/leaflet/leaflet.js."""
    if library not in LIBRARIES:
        abort(404)
    return send_from_directory(LIBRARIES[library], filename, max_age=ONE_YEAR)
