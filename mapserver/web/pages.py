"""HTML pages: the home page, full map pages and iframe embeds, built once and cached."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request

from .cache import cached, make_entry
from .links import Links
from .options import parse_presentation
from .render import render_embed, render_map_page
from .state import parse_query, state

blueprint = Blueprint("pages", __name__)
LIVE = Links()


def _map_page(region: str):
    current = state()
    query = parse_query(region, request.args)
    options = parse_presentation(request.args, query.region)
    slug, week, scheme, k = query.region.slug, query.week, query.scheme, query.k
    # The embed code names this server, so the host is part of the cache key.
    host = request.host_url.rstrip("/")
    embed_src = host + LIVE.page("embed", slug, week, scheme, k, options.params())
    page_url = host + LIVE.page("map", slug, week, scheme, k)
    image_url = host + LIVE.image(slug, week, scheme, k)
    key = ("map", request.path == "/", query, options, host, current.data_version)

    def build():
        html = render_map_page(
            current,
            query,
            LIVE,
            embed_src,
            image_url=image_url,
            oembed_url="/oembed?" + urlencode({"url": page_url, "format": "json"}),
            presentation=options,
            loader_url=host + "/embed.js",
            page_url=page_url,
        )
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, current.builds.bounded(build))


@blueprint.get("/")
@cached
def index():
    """The England map for the default week, with links to every region."""
    return _map_page("england")


@blueprint.get("/map/<region>")
@cached
def map_page(region: str):
    """The full page: map, pickers, league table, total and embed code."""
    return _map_page(region)


@blueprint.get("/embed/<region>")
@cached
def embed(region: str):
    """The map alone, made to fill an iframe."""
    current = state()
    query = parse_query(region, request.args)
    options = parse_presentation(request.args, query.region)
    key = ("embed", query, options, current.data_version)

    def build():
        image = LIVE.image(query.region.slug, query.week, query.scheme, query.k)
        html = render_embed(current, query, LIVE, options, image)
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, current.builds.bounded(build))
