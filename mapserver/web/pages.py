"""HTML pages: the home page, full map pages and iframe embeds, built once and cached."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request

from .cache import make_entry, respond
from .links import Links
from .render import render_embed, render_map_page
from .state import parse_query, state

blueprint = Blueprint("pages", __name__)
LIVE = Links()


def _map_page(region: str):
    current = state()
    query = parse_query(region, request.args)
    # The embed code names this server, so the host is part of the cache key.
    embed_src = request.host_url.rstrip("/") + LIVE.page(
        "embed", query.region.slug, query.week, query.scheme, query.k
    )
    key = ("map", request.path == "/", query, embed_src, current.data_version)

    host = request.host_url.rstrip("/")
    page_url = host + LIVE.page("map", query.region.slug, query.week, query.scheme, query.k)
    image_url = host + LIVE.image(query.region.slug, query.week, query.scheme, query.k)
    oembed_url = "/oembed?" + urlencode({"url": page_url, "format": "json"})

    def build():
        html = render_map_page(
            current, query, LIVE, embed_src, image_url=image_url, oembed_url=oembed_url
        )
        return make_entry(html, "text/html", current.last_modified)

    return respond(request, current.cache.get(key, build))


@blueprint.get("/")
def index():
    """The England map for the default week, with links to every region."""
    return _map_page("england")


@blueprint.get("/map/<region>")
def map_page(region: str):
    """The full page: map, pickers, league table, total and embed code."""
    return _map_page(region)


@blueprint.get("/embed/<region>")
def embed(region: str):
    """The map alone, made to fill an iframe."""
    current = state()
    query = parse_query(region, request.args)
    key = ("embed", query, current.data_version)

    def build():
        return make_entry(render_embed(current, query, LIVE), "text/html", current.last_modified)

    return respond(request, current.cache.get(key, build))
