"""mapserver: choropleth maps of 7-day incidence rates by local authority."""

from __future__ import annotations

__version__ = "0.1.0"


def create_app(config: dict | None = None):
    """Build the Flask app; `config` overrides settings (see mapserver.config) and Flask keys."""
    from .web import build_app

    return build_app(config)


def __getattr__(name: str):
    # The notebook API loads geopandas and folium: only when it is asked for.
    if name in ("folium_map", "load", "region_frame"):
        from . import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
