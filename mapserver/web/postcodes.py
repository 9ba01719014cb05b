"""Postcode search for the "Find an area" box: /api/postcode?q=, if a file is configured."""

from __future__ import annotations

from flask import abort, current_app, jsonify
from flask_openapi3 import APIBlueprint, OpenAPI

from ..ingest.postcodes import PostcodeLookup, read_postcodes
from .apidoc import TAGS, json_resource
from .current import state
from .params import PostcodeParams

blueprint = APIBlueprint("postcodes", __name__, abp_tags=[TAGS["data"]])
EXTENSION = "mapserver.ingest.postcodes"
NOT_AVAILABLE = "postcode search is not available on this server (no MAPSERVER_POSTCODES file)"


def init_app(app: OpenAPI) -> None:
    """Read the postcode file named by the settings, if any, once at start-up."""
    settings = app.extensions["mapserver"].settings
    path = settings.path("postcodes") if settings.postcodes else None
    app.extensions[EXTENSION] = read_postcodes(path) if path else None
    app.register_api(blueprint)


def lookup() -> PostcodeLookup | None:
    """The app's postcode lookup, or None when no file is configured."""
    return current_app.extensions.get(EXTENSION)


@blueprint.get(
    "/api/postcode",
    operation_id="postcode",
    summary="The local authority of a postcode or postcode district (MAPSERVER_POSTCODES)",
    responses=json_resource(
        "The district's code and name (null when the postcode is not in the file); 404 when "
        "the server has no postcode file",
        "Postcode",
        400,
        404,
    ),
)
def postcode(query: PostcodeParams):
    """The local authority of a postcode or postcode district (code null if unknown)."""
    query = query.q
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
