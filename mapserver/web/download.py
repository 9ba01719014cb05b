"""The map as one self-contained HTML file, to download: built once per query, cached."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint

from ..maps.single_file import single_file_html
from .apidoc import TAGS, page
from .cache import cached, make_entry
from .current import MapQuery, parse_query, query_state
from .params import MapParams, RegionPath
from .render import describe
from .state import MapState

blueprint = APIBlueprint("download", __name__, abp_tags=[TAGS["pages"]])


def download_html(current: MapState, query: MapQuery, presentation=None, published=None) -> str:
    """The single-file HTML of a map (what the Download HTML link and `mapserver html` give;
    the desk's preview adds the embed's options and the editor's words)."""
    region, week = query.region, query.week
    return single_file_html(
        region=region,
        # The lean formats, as the web maps load them (lean.py).
        geometry=current.lean_geometry(region),
        values=current.lean_values(region, week, query.scheme, query.k),
        history=current.history(region, week),
        script=current.bundles["map.js"].body,
        style=current.bundles["map.css"].body,
        description=describe(current.dataset, query, current.dataset.region_figures(region, week)),
        data_version=current.data_version,
        presentation=presentation,
        published=published,
    )


def download_filename(query: MapQuery) -> str:
    """anglia-2021-02-21.html, or anglia-2021-02-21-quantiles-5.html."""
    name = f"{query.region.slug}-{query.week:%Y-%m-%d}"
    if query.scheme != "dashboard":
        name += f"-{query.scheme}-{query.k}"
    return f"{name}.html"


@blueprint.get(
    "/download/<region>.html",
    operation_id="downloadHtml",
    summary="The map as one self-contained HTML file (an attachment)",
    responses=page(),
)
@cached
def download(path: RegionPath, query: MapParams):
    """The map with its scripts, styles, geometry and figures inline, as an attachment."""
    query = parse_query(path.region, query)
    current = query_state(query)
    key = ("download", query, current.data_version)

    def build():
        disposition = f'attachment; filename="{download_filename(query)}"'
        return make_entry(
            download_html(current, query),
            "text/html",
            current.last_modified,
            headers=(("Content-Disposition", disposition),),
        )

    return current.cache.get(key, build)
