"""The Flask app factory: settings, data, blueprints and the error table."""

from __future__ import annotations

import functools

from flask import Flask

from ..core.config import load_settings
from ..core.resources import PACKAGE_DIR
from ..update.live import Registry
from . import api, embedding, errors, oembed, origin, pages, postcodes
from .cache import ResponseCache
from .download import blueprint as download_blueprint
from .images import blueprint as images_blueprint
from .ogc import blueprint as ogc_blueprint
from .state import LiveState, MapState


def build_app(config: dict | None = None) -> Flask:
    """Create the app, load the data once, and register every blueprint."""
    config = dict(config or {})
    flask_keys = {k: config.pop(k) for k in list(config) if k.isupper()}
    settings = load_settings(config)
    app = Flask(
        "mapserver",
        static_folder=None,  # front-end files are served as hashed bundles (bundles.py)
        template_folder=str(PACKAGE_DIR / "templates"),
    )
    app.config.update(flask_keys)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # The current data version, kept current by a watcher in each process (live.py); a
    # new version's bundles and geometry are compressed before it starts answering.
    # Every version the app loads shares one response cache (one budget of memory).
    cache = ResponseCache()
    versions = Registry(
        settings,
        functools.partial(MapState.load, cache=cache),
        lambda loaded: loaded.data_version,
        MapState.warm_cache,
    )
    app.extensions["mapserver"] = LiveState(versions)
    for module in (pages, api):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(oembed.blueprint)
    app.register_blueprint(images_blueprint)
    app.register_blueprint(download_blueprint)
    app.register_blueprint(embedding.blueprint)
    app.register_blueprint(ogc_blueprint)
    embedding.init_app(app)
    origin.init_app(app)
    postcodes.init_app(app)
    errors.init_app(app)
    return app
