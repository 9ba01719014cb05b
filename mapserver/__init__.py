"""mapserver: choropleth maps of 7-day incidence rates by local authority."""

from __future__ import annotations

from .core.version import __version__

__all__ = ["__version__", "create_app"]


def create_app(config: dict | None = None):
    """Build the Flask app; `config` overrides settings (see mapserver.config) and Flask keys."""
    from .web import build_app

    return build_app(config)


def __getattr__(name: str):
    # The notebook API loads geopandas and folium: only when it is asked for.
    if name in ("folium_map", "load", "region_frame"):
        from .maps import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
