"""oEmbed (https://oembed.com): the embed code for any map or embed URL of this server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import abort, jsonify
from flask_openapi3 import APIBlueprint
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from ..core.errors import MapserverError
from .apidoc import TAGS, errors, ok
from .current import parse_query, query_state
from .options import parse_presentation
from .origin import absolute_base, absolute_url, live_links, site_path
from .params import OEmbedParams, PageParams, declared
from .render import EMBED_HEIGHT, map_label

blueprint = APIBlueprint("oembed", __name__, abp_tags=[TAGS["pages"]])
DEFAULT_WIDTH = 640


def _map_query(url: str):
    """The MapQuery and presentation options of a map or embed URL of this server, or None."""
    path = site_path(url)
    if path is None:
        return None
    parts = urlsplit(url)
    segments = [s for s in path.split("/") if s]
    if segments == []:
        region = "england"
    elif len(segments) == 2 and segments[0] in ("map", "embed"):
        region = segments[1]
    else:
        return None
    try:
        # The URL's parameters, as its page would read them.
        params = declared(PageParams, MultiDict(parse_qs(parts.query)))
        query = parse_query(region, params)
        return query, parse_presentation(params, query.region)
    except MapserverError:
        return None


@blueprint.get(
    "/oembed",
    operation_id="oembed",
    summary="oEmbed for a map or embed URL of this server",
    responses=ok("oEmbed rich response", "application/json", "OEmbed")
    | errors("json", 400, 404, 501),
)
def oembed(query: OEmbedParams):
    """A `rich` oEmbed response with the iframe for a map or embed URL."""
    if query.format != "json":
        # oEmbed: "The provider cannot return a response in the requested format."
        abort(501, description="only format=json is supported")
    url, max_width, max_height = query.url, query.maxwidth, query.maxheight
    found = _map_query(url)
    if found is None:
        abort(404, description="url is not a map or embed page of this server")
    query, options = found
    width = min(DEFAULT_WIDTH, max_width or DEFAULT_WIDTH)
    height = min(EMBED_HEIGHT, max_height or EMBED_HEIGHT)
    slug = query.region.slug
    host = absolute_base()
    links = live_links()
    # The embed keeps the URL's presentation options (labels, highlight, theme, ...).
    extra = {**options.params(), **query.vintage_params()}
    extra |= {"v": query.version} if query.version else {}
    src = absolute_url(links.page("embed", slug, query.week, query.scheme, query.k, extra))
    current = query_state(query)
    title = map_label(current.dataset, query)
    html = (
        f'<iframe title="{escape(title)}" src="{escape(src)}" width="{width}" '
        f'height="{height}" loading="lazy" style="border:0;max-width:100%"></iframe>'
    )
    response = jsonify(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "provider_name": "mapserver",
            "provider_url": host + "/",
            "html": html,
            "width": width,
            "height": height,
            "cache_age": 300,
            "data_version": current.data_version,
        }
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
