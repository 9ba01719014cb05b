"""The Flask app factory: settings, data, blueprints and the error table."""

from __future__ import annotations

import functools

from flask_openapi3 import OpenAPI

from ..core.config import load_settings
from ..core.resources import PACKAGE_DIR
from ..update.live import Registry
from . import (
    api,
    desk_routes,
    desk_session,
    embedding,
    errors,
    oembed,
    origin,
    pages,
    postcodes,
)
from .apidoc import make_app
from .cache import ResponseCache
from .current import LiveState
from .download import blueprint as download_blueprint
from .images import blueprint as images_blueprint
from .in_flight import IN_FLIGHT
from .ogc import blueprint as ogc_blueprint
from .ogc_schema import blueprint as ogc_schema_blueprint
from .state import MapState


def build_app(config: dict | None = None) -> OpenAPI:
    """Create the app, load the data once, and register every blueprint.

    The app is flask-openapi3's Flask: each route's parameters are validated against their
    declarations (params.py), which also write /openapi.json (apidoc.py).
    """
    config = dict(config or {})
    flask_keys = {k: config.pop(k) for k in list(config) if k.isupper()}
    settings = load_settings(config)
    app = make_app(
        "mapserver",
        static_folder=None,  # front-end files are served as hashed bundles (bundles.py)
        template_folder=str(PACKAGE_DIR / "templates"),
    )
    app.config.update(flask_keys)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # The current data version, kept current by a watcher in each process (live.py); a
    # new version's bundles and geometry are compressed before it starts answering (the
    # first indicators' outlines are drawn before, their compressed geometry follows).
    # Every version the app loads shares one response cache (one budget of memory).
    cache = ResponseCache()
    versions = Registry(
        settings,
        functools.partial(MapState.load, cache=cache),
        lambda loaded: loaded.data_version,
        MapState.warm_cache,
        MapState.refreshed,
        MapState.compress_indicators,
    )
    app.extensions["mapserver"] = LiveState(versions)
    for blueprint in (
        pages.blueprint,
        api.blueprint,
        oembed.blueprint,
        images_blueprint,
        download_blueprint,
        embedding.blueprint,
        ogc_blueprint,
        ogc_schema_blueprint,
    ):
        app.register_api(blueprint)
    # The desk (/desk): signed-in pages, never cached, outside the OpenAPI document; its
    # views (and the database they need) are imported on its first request.
    app.register_blueprint(desk_routes.blueprint)
    desk_session.init_app(app, settings)
    # A request body may be as large as an upload the desk reads (multipart's framing
    # aside); past that Flask answers 413 before reading it, and the desk says why.
    limit = int(settings.upload_limit_mb * 1_000_000) + 64_000
    app.config.update(MAX_CONTENT_LENGTH=limit, MAX_FORM_MEMORY_SIZE=limit)
    embedding.init_app(app)
    origin.init_app(app)
    postcodes.init_app(app)
    errors.init_app(app)
    # (counted, so that a worker's warming waits for the requests it is answering)
    app.wsgi_app = IN_FLIGHT.wrap(app.wsgi_app)
    return app
