"""What the desk gives for a published map: its permanent embed code (the iframe and the
loader), its oEmbed link and its images, all pinned to the version published; and the
desk's records of a publication (the map's row, the audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from ..store.audit import AuditEntry, record
from ..store.database import Database
from ..store.published import PublishedMap, add_map, maps_of, republish
from ..update.desk import Published, embed_params
from .current import registry
from .origin import absolute_base
from .render import embed_code


@dataclass(frozen=True)
class EmbedLinks:
    """A published version's permanent URLs and the code to paste."""

    title: str
    version: str
    embed_url: str
    page_url: str
    oembed_url: str
    png_url: str
    svg_url: str
    loader_url: str
    code: str  # the iframe, then the loader's script element


def embed_links(published: Published) -> EmbedLinks:
    """The embed code and links of a published version (update/desk.embed_params)."""
    region, params = embed_params(published)
    base = absolute_base()
    query = "?" + urlencode(params)
    embed_url = f"{base}/embed/{region}{query}"
    page_url = f"{base}/map/{region}{query}"
    loader = f"{base}/embed.js"
    title = published.stored.indicator.title
    return EmbedLinks(
        title=title,
        version=published.version,
        embed_url=embed_url,
        page_url=page_url,
        oembed_url=f"{base}/oembed?" + urlencode({"url": page_url, "format": "json"}),
        png_url=f"{base}/image/{region}.png{query}",
        svg_url=f"{base}/image/{region}.svg{query}",
        loader_url=loader,
        code=embed_code(None, embed_url, loader, title),
    )


def editors_map(db: Database, editor_id: int, indicator_id: str) -> PublishedMap | None:
    """This editor's map of an indicator, if they have published it."""
    found = [m for m in maps_of(db, editor_id) if m.indicator_id == indicator_id]
    return found[0] if found else None


def record_publication(
    db: Database, editor_id: int, published: Published, note: str = ""
) -> PublishedMap:
    """The map's row (new, or marked updated) and the audit entry for a publication; the
    servers' indicators are checked at once, so that its embed answers straight away."""
    indicator = published.stored.indicator
    found = editors_map(db, editor_id, indicator.id)
    if found is None:
        row = add_map(db, editor_id, indicator.id, indicator.title)
    else:
        row = republish(db, found.id, indicator.title)
    action = "republished" if published.republished else "published"
    record(db, AuditEntry(action, editor_id, indicator.id, published.version, note))
    registry().check_indicators()
    return row
