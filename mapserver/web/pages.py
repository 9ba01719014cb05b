"""HTML pages: the home page, full map pages and iframe embeds, built once and cached."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request

from .cache import cached, make_entry
from .options import parse_presentation
from .origin import absolute_base, live_links
from .render import render_embed, render_map_page
from .state import parse_query, state

blueprint = Blueprint("pages", __name__)


def _map_page(region: str):
    current = state()
    query = parse_query(region, request.args)
    options = parse_presentation(request.args, query.region)
    slug, week, scheme, k = query.region.slug, query.week, query.scheme, query.k
    # The embed code names this server (MAPSERVER_PUBLIC_URL, or the request's allowed
    # host), so the base is part of the cache key, and so is the site root.
    links = live_links()
    base = absolute_base()

    # Absolute URLs are built from the site's base plus the path below its root.
    def absolute(path: str) -> str:
        return base + "/" + path.removeprefix(links.root)

    embed_src = absolute(links.page("embed", slug, week, scheme, k, options.params()))
    page_url = absolute(links.page("map", slug, week, scheme, k))
    image_url = absolute(links.image(slug, week, scheme, k))
    key = ("map", request.path == "/", query, options, base, links.root, current.data_version)

    def build():
        html = render_map_page(
            current,
            query,
            links,
            embed_src,
            image_url=image_url,
            oembed_url=base + "/oembed?" + urlencode({"url": page_url, "format": "json"}),
            presentation=options,
            loader_url=base + "/embed.js",
            page_url=page_url,
        )
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, build)


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
    links = live_links()
    key = ("embed", query, options, links.root, current.data_version)

    def build():
        # The <noscript> image shows the labels the embed asks for.
        labels = {"labels": options.labels} if "labels" in options.params() else {}
        image = links.image(query.region.slug, query.week, query.scheme, query.k, extra=labels)
        html = render_embed(current, query, links, options, image)
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, build)
