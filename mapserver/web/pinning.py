"""Live and pinned ("as published") URLs: a pinned one carries its data version as `v`."""

from __future__ import annotations

from urllib.parse import urlencode

from .current import MapQuery
from .links import Links
from .origin import absolute_url


def pinned_params(query: MapQuery) -> dict:
    """{"v": version} for a pinned query, {} for a live one."""
    return {"v": query.version} if query.version else {}


def pinned_suffix(query: MapQuery) -> str:
    """`&v=<version>` to add to a URL that already has a query string (or nothing)."""
    return "&" + urlencode(pinned_params(query)) if query.version else ""


def embed_choices(
    links: Links, query: MapQuery, options: dict, version: str | None
) -> dict[str, str]:
    """The embed URL that follows the latest data, and the one pinned to this week and data.

    `version`: the data version shown (an indicator's own version for an indicator);
    None pins the period only.
    """
    slug, scheme, k = query.region.slug, query.scheme, query.k
    pinned = {**options, **({"v": version} if version else {})}
    return {
        "live": absolute_url(links.page("embed", slug, None, scheme, k, options)),
        "pinned": absolute_url(links.page("embed", slug, query.week, scheme, k, pinned)),
    }
