"""HTML pages: the home page, full map pages and iframe embeds, built once and cached."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_openapi3 import APIBlueprint

from .apidoc import TAGS, page
from .cache import cached, make_entry
from .current import parse_query, query_state, state
from .options import parse_presentation
from .origin import absolute_base, absolute_url, live_links
from .params import PageParams, RegionPath
from .pinning import embed_choices, pinned_params, pinned_suffix
from .render import latest_url, render_embed, render_map_page

blueprint = APIBlueprint("pages", __name__, abp_tags=[TAGS["pages"]])


def _image_labels(options) -> dict:
    """The image URL's labels parameter: the page's choice, when not the default."""
    return {"labels": options.labels} if "labels" in options.params() else {}


def indicator_index(links, slug: str) -> list | None:
    """The Covid cases and every other indicator, each with its latest period and a link
    to the region's map of it (None when there is only the Covid cases)."""
    base = state()
    kept = base.indicators.versions if base.indicators is not None else {}
    if not kept:
        return None
    out = []
    for name in [None, *kept]:
        dataset = base.indicator_state(name).dataset
        extra = {"indicator": name} if name else {}
        latest = dataset.period_text(dataset.default_week)
        out.append((dataset, links.page("map", slug, extra=extra), latest))
    return out


def _kept_stamp() -> tuple:
    """Which indicators are kept, in which versions: the index on a page follows them."""
    kept = state().indicators
    if kept is None:
        return ()
    return kept.key


def _map_page(region: str, params: PageParams):
    query = parse_query(region, params)
    current = query_state(query)
    options = parse_presentation(params, query.region)
    slug, week, scheme, k = query.region.slug, query.week, query.scheme, query.k
    # The embed code names this server (MAPSERVER_PUBLIC_URL, or the request's allowed
    # host), so the base is part of the cache key, and so is the site root.
    links = live_links()
    base = absolute_base()
    vintage = query.vintage_params()
    # Every indicator is versioned as the cases are: the embed pins its version.
    version = current.data_version
    codes = embed_choices(links, query, options.params() | vintage, version)
    pinned = query.version is not None or params.week is not None
    embed_src = codes["pinned" if pinned else "live"]
    page_url = absolute_url(
        links.page("map", slug, week, scheme, k, vintage | pinned_params(query))
    )
    image_url = absolute_url(
        links.image(slug, week, scheme, k, extra=vintage | _image_labels(options))
    )
    image_url += pinned_suffix(query)
    key = ("map", request.path == "/", query, options, base, links.root)
    key += (current.data_version, pinned, _kept_stamp())

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
            embed_choices=codes,
            pinned=pinned,
            indicators=indicator_index(links, slug),
        )
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, current.builds.bounded(build))


@blueprint.get("/", operation_id="home", summary="The England map page", responses=page())
@cached
def index(query: PageParams):
    """The England map for the default week, with links to every region."""
    return _map_page("england", query)


@blueprint.get(
    "/map/<region>", operation_id="mapPage", summary="A region's full map page", responses=page()
)
@cached
def map_page(path: RegionPath, query: PageParams):
    """The full page: map, pickers, league table, total and embed code."""
    return _map_page(path.region, query)


@blueprint.get(
    "/embed/<region>",
    operation_id="embed",
    summary="A region's map for an iframe",
    responses=page(),
)
@cached
def embed(path: RegionPath, query: PageParams):
    """The map alone, made to fill an iframe."""
    params = query
    query = parse_query(path.region, params)
    current = query_state(query)
    options = parse_presentation(params, query.region)
    links = live_links()
    # A pinned indicator embed links to the latest version once there is a newer one.
    latest = latest_url(current, query, links)
    key = ("embed", query, options, links.root, current.data_version, latest)

    def build():
        # The <noscript> image shows the labels the embed asks for.
        labels = query.vintage_params() | _image_labels(options)
        image = links.image(query.region.slug, query.week, query.scheme, query.k, extra=labels)
        image += pinned_suffix(query)
        html = render_embed(current, query, links, options, image)
        return make_entry(html, "text/html", current.last_modified)

    return current.cache.get(key, current.builds.bounded(build))
