"""Postcode search for the "Find an area" box: /api/postcode?q=, if a file is configured."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, jsonify, request

from ..core.errors import BadParameter
from ..ingest.postcodes import PostcodeLookup, looks_like_postcode, read_postcodes
from .state import state

blueprint = Blueprint("postcodes", __name__)
EXTENSION = "mapserver.ingest.postcodes"
NOT_AVAILABLE = "postcode search is not available on this server (no MAPSERVER_POSTCODES file)"


def init_app(app: Flask) -> None:
    """Read the postcode file named by the settings, if any, once at start-up."""
    settings = app.extensions["mapserver"].settings
    path = settings.path("postcodes") if settings.postcodes else None
    app.extensions[EXTENSION] = read_postcodes(path) if path else None
    app.register_blueprint(blueprint)


def lookup() -> PostcodeLookup | None:
    """The app's postcode lookup, or None when no file is configured."""
    return current_app.extensions.get(EXTENSION)


@blueprint.get("/api/postcode")
def postcode():
    """The local authority of a postcode or postcode district (code null if unknown)."""
    query = request.args.get("q", "").strip()
    if not looks_like_postcode(query):
        raise BadParameter(f"q must be a postcode or postcode district like PE1 1XX, not {query!r}")
    found = lookup()
    if found is None:
        abort(404, description=NOT_AVAILABLE)
    # A postcode missing from the file is an answer (no area), not an error.
    key, code = found.find(query) or (None, None)
    names = state().dataset.lookup["district_name"]
    name = names.get(code) if code else None
    response = jsonify({"query": query, "matched": key, "code": code, "name": name})
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
