"""HTML pages: the home page, full map pages and iframe embeds."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from markupsafe import escape

from .. import tables
from ..bands import K_RANGE
from ..choropleth import ATTRIBUTION, TITLE
from .state import MapQuery, parse_query, state

blueprint = Blueprint("pages", __name__)

SCHEME_NAMES = {
    "dashboard": "UK dashboard bands",
    "quantiles": "Quantiles",
    "natural-breaks": "Natural breaks (Jenks)",
    "equal-interval": "Equal intervals",
}
EMBED_HEIGHT = 560


def _map_context(query: MapQuery) -> dict:
    current = state()
    return {
        "query": query,
        "region": query.region,
        "title": TITLE,
        "week_text": tables.format_week(query.week),
        "attribution": ATTRIBUTION,
        "geometry_url": url_for(
            "api.geometry", version=current.geometry_version, region=query.region.slug
        ),
        "values_url": url_for("api.values", region=query.region.slug, **query.params()),
        "tiles": current.settings.tiles,
        "tiles_attribution": current.settings.tiles_attribution,
    }


def embed_code(query: MapQuery, embed_url: str) -> str:
    """The <iframe> a newsroom pastes into an article."""
    label = f"{TITLE}, {query.region.title}, {tables.format_week(query.week)}"
    return (
        f'<iframe title="{escape(label)}" src="{escape(embed_url)}" width="100%" '
        f'height="{EMBED_HEIGHT}" loading="lazy" style="border:0"></iframe>'
    )


def _regions_nav() -> list:
    return list(state().dataset.regions.values())


def _map_page(query: MapQuery):
    dataset = state().dataset
    figures = dataset.region_figures(query.region, query.week)
    embed_url = url_for("pages.embed", region=query.region.slug, _external=True, **query.params())
    return render_template(
        "map.html",
        **_map_context(query),
        regions=_regions_nav(),
        weeks=dataset.weeks(query.week),
        schemes=SCHEME_NAMES,
        k_values=range(K_RANGE[0], K_RANGE[1] + 1),
        league=tables.display_rows(tables.league_table(figures)),
        total=dataset.region_total(query.region, query.week),
        embed_code=embed_code(query, embed_url),
        csv_url=url_for("api.rates_csv", region=query.region.slug, **query.params()),
    )


@blueprint.get("/")
def index():
    """The England map for the default week, with links to every region."""
    return _map_page(parse_query("england", request.args))


@blueprint.get("/map/<region>")
def map_page(region: str):
    """The full page: map, pickers, league table, total and embed code."""
    return _map_page(parse_query(region, request.args))


@blueprint.get("/embed/<region>")
def embed(region: str):
    """The map alone, made to fill an iframe."""
    query = parse_query(region, request.args)
    full_url = url_for("pages.map_page", region=query.region.slug, **query.params())
    return render_template("embed.html", **_map_context(query), full_url=full_url)
