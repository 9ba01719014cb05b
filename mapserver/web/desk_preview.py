"""The desk's preview: a draft's figures drawn as its embed would draw them, from the
StoredIndicator the domain's preview gives (never written to the store), as one
self-contained page with its own Content-Security-Policy; and its league table."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import OrderedDict

from ..core.errors import MapserverError
from ..figures.bands import DEFAULT_K
from ..update.description import Description
from ..update.desk import preview
from ..update.indicators import Checked
from ..words import tables
from ..words.published import published_words
from .current import MapQuery, state
from .download import download_html
from .options import parse_presentation
from .state import MapState

# The inline elements a browser runs or applies: the map's script and style (the JSON
# data blocks are not run, and need no hash).
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)
# The last few drafts' checks and preview states, in this process: the describe page and
# its two frames ask for the same within a second (a cache: any server can rebuild them).
REMEMBERED = 8
_remembered: OrderedDict = OrderedDict()
_lock = threading.Lock()


def remembered(key: tuple, build):
    """`build()`'s answer, kept for the next REMEMBERED different keys."""
    with _lock:
        if key in _remembered:
            _remembered.move_to_end(key)
            return _remembered[key]
    found = build()
    with _lock:
        _remembered[key] = found
        while len(_remembered) > REMEMBERED:
            _remembered.popitem(last=False)
    return found


def preview_state(checked: Checked, description: Description) -> tuple[MapState, MapQuery]:
    """The draft's figures as a map state, and the map its description asks for (its
    region, period and scheme; England and the latest period where it says none)."""
    stored, version = preview(checked, description)
    base = state()
    current = remembered(
        ("state", base.data_version, version), lambda: base.preview(stored, version)
    )
    dataset = current.dataset
    cleaned = description.cleaned()
    try:
        week = dataset.parse_week(cleaned.period) if cleaned.period else dataset.default_week
        region = dataset.region(cleaned.region or "england")
    except MapserverError:
        week, region = dataset.default_week, dataset.region("england")
    scheme = cleaned.scheme or dataset.default_scheme
    query = MapQuery(region, week, scheme, DEFAULT_K, indicator=dataset.indicator_id)
    return current, query


def preview_page(current: MapState, query: MapQuery, description: Description) -> tuple[str, str]:
    """The preview's HTML (the embed's figure, every resource inline, with the editor's
    words, highlighted areas and labels) and the CSP that lets exactly its own script and
    style run, framed by the desk alone."""
    cleaned = description.cleaned()
    options = {"highlight": ",".join(cleaned.highlight), "labels": cleaned.labels}
    try:
        presentation = parse_presentation(
            {name: value for name, value in options.items() if value}, query.region
        )
    except MapserverError:  # (the description's problems say why)
        presentation = None
    words = published_words(current.dataset.indicator)
    html = download_html(current, query, presentation, words)
    hashes = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes[tag].append(f"'sha256-{digest}'")
    scripts = " ".join(hashes["script"]) or "'none'"
    styles = " ".join(hashes["style"]) or "'none'"
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )
    return html, policy


def preview_table(current: MapState, query: MapQuery) -> tuple[list[dict], int]:
    """The preview's league table: each area with a figure, as the map page's table gives
    it; and how many of the region's areas have none (or only a withheld one)."""
    dataset = current.dataset
    figures = dataset.region_figures(query.region, query.week)
    withheld = (
        frozenset(figures.index[figures["suppressed"].astype(bool)])
        if "suppressed" in figures
        else frozenset()
    )
    rows = tables.display_rows(tables.league_table(figures), dataset.decimals, withheld)
    shown = [row for row in rows if row["rate_sort"] != ""]
    return shown, len(rows) - len(shown)
