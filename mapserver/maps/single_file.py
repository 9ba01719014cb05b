"""One self-contained HTML file of a map: scripts, styles, geometry and figures inline.

It is the embed page with every resource put inside it, so it opens from disk with no
server and no network and can be uploaded to any CMS as it is. The map is drawn by the
same script bundle as the web maps (lite.js, topojson-client and static/js), which
reads its TopoJSON, values and history from <script type="application/json"> elements
instead of fetching them (map.js: getJSON("#id")). No Flask here.
"""

from __future__ import annotations

import json

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..core.resources import PACKAGE_DIR
from ..core.version import __version__
from .choropleth import ATTRIBUTION, TITLE

TEMPLATES = PACKAGE_DIR / "templates"
GEOMETRY_ID, VALUES_ID, HISTORY_ID = "map-geometry", "map-values", "map-history"


def inline_json(data) -> Markup:
    """JSON that is safe inside a <script> element: no "<", so no "</script>"."""
    if isinstance(data, bytes | bytearray):
        data = json.loads(data)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace("\u2028", "\\u2028"))


def inline_code(text: bytes | str, tag: str) -> Markup:
    """Our own script or stylesheet for inlining; refuses text that would end its element."""
    code = text.decode("utf-8") if isinstance(text, bytes) else text
    if f"</{tag}" in code.lower():
        raise ValueError(f"cannot inline code containing </{tag}")
    return Markup(code)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def single_file_html(
    *,
    region,
    geometry: bytes | dict,
    values: dict,
    history: dict,
    script: bytes | str,
    style: bytes | str,
    description: str,
    data_version: str = "",
    presentation=None,
    published=None,
) -> str:
    """The page: the embeds' map figure with every resource inline (`region`: a Region;
    `presentation` and `published`: the embed's options and an editor's words, if any)."""
    template = _environment().get_template("single.html")
    return template.render(
        title=values.get("title", TITLE),
        region=region,
        week_text=values["week_text"],
        legend_title=values.get("legend_title", "Cases per 100,000"),
        description=description,
        attribution=values.get("attribution", ATTRIBUTION),
        presentation=presentation,
        published=published,
        image_url=None,
        full_url=None,
        tiles=None,
        geometry_url=f"#{GEOMETRY_ID}",
        values_url=f"#{VALUES_ID}",
        values_template=f"#{VALUES_ID}",
        history_template=f"#{HISTORY_ID}",
        first_week=values["week"],
        last_week=values["week"],
        geometry=inline_json(geometry),
        values=inline_json(values),
        history=inline_json(history),
        script=inline_code(script, "script"),
        style=inline_code(style, "style"),
        version=__version__,
        data_version=data_version,
    )
