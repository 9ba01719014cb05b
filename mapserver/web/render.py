"""HTML for map pages and embeds, for the live app and for a static export alike."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import escape

from ..figures.bands import COMPARED_SCHEMES, K_RANGE
from ..ingest.indicator import COVID_ID
from ..maps.choropleth import (
    ATTRIBUTION,
    TITLE,
    indicator_attribution,
    legend_title,
    region_legend,
    shows_vintage,
    value_heading,
)
from ..maps.labels import DEFAULT_MODE as DEFAULT_LABELS
from ..words import tables
from ..words.key_facts import region_facts
from ..words.published import published_words
from .current import MapQuery
from .links import Links, geometry_path, history_path, values_path
from .options import Presentation
from .state import MapState

SCHEME_NAMES = {
    "dashboard": "UK dashboard bands",
    "quantiles": "Quantiles",
    "natural-breaks": "Natural breaks (Jenks)",
    "equal-interval": "Equal intervals",
}
EMBED_HEIGHT = 560
LABEL_CHOICES = {
    "top": "The top areas, with their rates",
    "all": "The top areas, then other names as space allows",
    "none": "None",
}


def map_label(dataset, query: MapQuery) -> str:
    """`Covid-19 cases per 100,000, Anglia, 7 days to 21 February 2021`."""
    return f"{dataset.title}, {query.region.title}, {dataset.period_text(query.week)}"


def embed_code(query: MapQuery, src: str, loader: str | None = None, label: str = "") -> str:
    """The <iframe> a newsroom pastes into an article, with the resizing loader if known."""
    label = label or f"{TITLE}, {query.region.title}, {tables.format_week(query.week)}"
    code = (
        f'<iframe title="{escape(label)}" src="{escape(src)}" width="100%" '
        f'height="{EMBED_HEIGHT}" loading="lazy" style="border:0"></iframe>'
    )
    if loader:
        code += f'\n<script async src="{escape(loader)}"></script>'
    return code


def fallback_code(query: MapQuery, page_url: str, image_url: str, label: str = "") -> str:
    """For AMP pages: a resizable amp-iframe with the static image as its placeholder."""
    label = label or f"{TITLE}, {query.region.title}, {tables.format_week(query.week)}"
    src = page_url.replace("/map/", "/embed/", 1)
    return (
        f'<amp-iframe title="{escape(label)}" src="{escape(src)}" width="600" '
        f'height="{EMBED_HEIGHT}" layout="responsive" resizable '
        f'sandbox="allow-scripts allow-same-origin allow-popups" frameborder="0">\n'
        f'  <button overflow type="button">Show the whole map</button>\n'
        f'  <amp-img placeholder layout="fill" src="{escape(image_url)}" '
        f'alt="{escape(label)}"></amp-img>\n</amp-iframe>'
    )


def _figure_context(
    current: MapState,
    query: MapQuery,
    links: Links,
    presentation: Presentation | None,
    image_url: str | None,
) -> dict:
    region = query.region.slug
    version = current.data_version
    vintage = query.vintage_params()
    # New pages load the lean values and geometry (lean.py); the first format's URLs
    # still answer for the pages and embeds published before.
    values = values_path(version, region, query.week, query.scheme, query.k, vintage, lean=True)
    dataset = current.dataset
    figures = dataset.region_figures(query.region, query.week)
    # (drawn in the page, so that the map does not move when its values arrive)
    legend, heading = region_legend(dataset, query.region, query.week, query.scheme, query.k)
    return {
        "legend_items": legend,
        "legend_heading": heading,
        "presentation": presentation,
        "image_url": image_url,
        "description": describe(dataset, query, figures),
        "values_template": links.resource(
            values_path(version, region, "{week}", query.scheme, query.k, vintage, lean=True)
        ),
        "history_template": links.resource(history_path(version, region, "{week}", vintage)),
        "first_week": f"{dataset.first_week:%Y-%m-%d}",
        "last_week": f"{dataset.last_week:%Y-%m-%d}",
        **_stepping(dataset),
        "vintage_shown": dataset.vintage if shows_vintage(dataset) else None,
        "links": links,
        "bundles": current.bundles,
        "query": query,
        "region": query.region,
        "title": dataset.title,
        "week_text": dataset.period_text(query.week),
        "legend_title": legend_title(dataset),
        "attribution": ATTRIBUTION
        if dataset.indicator_id == COVID_ID
        else indicator_attribution(dataset),
        # A pinned ("as published") map says which data it shows.
        "data_as_of": tables.format_date(dataset.last_date) if query.version else None,
        # An editor's subtitle, notes and update line (the desk); the Covid cases have none.
        "published": None
        if dataset.indicator_id == COVID_ID
        else published_words(dataset.indicator),
        "latest_url": latest_url(current, query, links),
        "geometry_url": links.resource(geometry_path(current.places.version, region, lean=True)),
        "values_url": links.resource(values),
        "site_name": current.settings.site_name,
        "tiles": current.settings.tiles,
        "tiles_attribution": current.settings.tiles_attribution,
        # Postcode search and fresh facts need the API: not in a static export.
        "postcode_url": None if links.static or not current.settings.postcodes else "/api/postcode",
        "facts_template": None
        if links.static
        else f"/api/facts?region={region}&week={{week}}"
        + "".join(f"&{name}={value}" for name, value in vintage.items()),
    }


def latest_url(current: MapState, query: MapQuery, links: Links) -> str | None:
    """For an indicator's map pinned to a version that has since been replaced: the map
    of its latest version (the pinned one stays as published); else None."""
    base = current.covid
    if not (query.indicator and query.version) or base is None or base.indicators is None:
        return None
    if base.indicators.version(query.indicator) == current.dataset.version:
        return None
    return links.page("map", query.region.slug, None, query.scheme, query.k, query.vintage_params())


def render_embed(
    current: MapState,
    query: MapQuery,
    links: Links,
    presentation: Presentation | None = None,
    image_url: str | None = None,
) -> str:
    """The map alone, made to fill an iframe."""
    slug = query.region.slug
    pinned = query.vintage_params() | ({"v": query.version} if query.version else {})
    full_url = links.page("map", slug, query.week, query.scheme, query.k, pinned or None)
    context = _figure_context(current, query, links, presentation, image_url)
    facts = None
    if presentation and presentation.facts:
        facts = region_facts(current.dataset, query.region, query.week)
    # A live embed (not pinned, not a static copy) checks for new data versions.
    # Another indicator is not versioned with the cases: its embeds do not follow them.
    followed = not (query.version or links.static or query.indicator)
    live = links.resource("live.json") if followed else None
    return render_template(
        "embed.html",
        **context,
        full_url=full_url,
        facts=facts,
        facts_in_figure=True,
        live_url=live,
        live_every=current.settings.live_check_every,
        data_version=current.data_version,
    )


@dataclass(frozen=True)
class PageWords:
    """The words of a map page that depend on what is mapped."""

    period_name: str
    period_param: str
    during: str
    during_the: str
    unit: str
    rate_header: str
    published_values: bool = False

    def no_total(self, total: dict) -> str:
        """Why a region has no total."""
        if total.get("suppressed"):
            return (
                f"{total['suppressed']} of {total['areas']} areas have counts too small to "
                "publish, and the total would reveal them"
            )
        if self.published_values:
            return "published figures are not added up (a total is never a mean of rates)"
        return f"{total['missing']} of {total['areas']} areas lack a {self.complete_span}"

    @property
    def complete_span(self) -> str:
        """What an area needs to be ranked: `complete week` of the Covid cases' days."""
        return "complete week" if self.period_param == "week" else "figure for the period"

    def option_text(self, dataset, week) -> str:
        """A period in the picker: `21 February 2021`, or `2022 to 2024`."""
        if self.period_param == "week":
            return f"{week.day} {week:%B %Y}"
        return dataset.period_text(week)


COVID_WORDS = PageWords("Week ending", "week", "in the", "the ", "per 100,000", "Rate per 100,000")


def page_words(dataset) -> PageWords:
    """The Covid page's words, or an indicator's."""
    if dataset.indicator_id == COVID_ID:
        return COVID_WORDS
    published = dataset.indicator.kind != "count"
    unit = dataset.unit
    return PageWords(
        "Period",
        "period",
        "in",
        "",
        unit,
        value_heading(unit),
        published,
    )


def _stepping(dataset) -> dict:
    """How the timeline steps: by weeks, or through another indicator's periods."""
    if dataset.indicator_id == COVID_ID:
        return {}
    if dataset.indicator.window:  # daily counts in rolling windows: a week at a time
        return {"step_word": "week"}
    ends = sorted(f"{week:%Y-%m-%d}" for week in dataset.weeks())
    return {"step_word": "period", "period_ends": ends}


def describe(dataset, query: MapQuery, figures) -> str:
    """One sentence for search results and link previews: the highest areas and the total."""
    top = figures[figures["complete"]].head(2)
    total = dataset.region_total(query.region, query.week)
    places = dataset.decimals
    when = dataset.period_text(query.week)
    parts = [f"{dataset.title} by local authority, {query.region.title}, {when}."]
    if len(top):
        names = " and ".join(
            f"{row['name']} ({row['rate']:,.{places}f})" for _, row in top.iterrows()
        )
        parts.append(f"Highest: {names}.")
    if total["rate"] is not None:
        parts.append(f"{query.region.title} overall: {total['rate']:,.{places}f}.")
    return " ".join(parts)


def render_map_page(
    current: MapState,
    query: MapQuery,
    links: Links,
    embed_src: str,
    weeks: list | None = None,
    image_url: str | None = None,
    oembed_url: str | None = None,
    presentation: Presentation | None = None,
    loader_url: str | None = None,
    page_url: str | None = None,
    embed_choices: dict[str, str] | None = None,
    pinned: bool = False,
    indicators: list | None = None,
) -> str:
    """The full page: map, pickers, league table, total and embed code.

    `embed_choices` ({"live": src, "pinned": src}) offers both kinds of embed code;
    `pinned` says which is shown first.
    """
    dataset = current.dataset
    slug = query.region.slug
    figures = dataset.region_figures(query.region, query.week)
    vintage = query.vintage_params()
    label = map_label(dataset, query)
    words = page_words(dataset)
    weeks = [
        (
            week,
            links.page("map", slug, week, query.scheme, query.k, vintage),
            words.option_text(dataset, week),
        )
        for week in (weeks if weeks is not None else dataset.weeks(query.week))
    ]
    # Only the regions with figures in the period (the Covid cases cover every one); the
    # page's own region stays listed, as the current one.
    offered = getattr(dataset, "regions_with_figures", None)
    having = None if offered is None else {region.slug for region in offered(query.week)}
    regions = [
        (region, links.page("map", region.slug, query.week, query.scheme, query.k, vintage))
        for region in dataset.regions.values()
        if having is None or region.slug in having or region.slug == slug
    ]
    withheld = (
        frozenset(figures.index[figures["suppressed"].astype(bool)])
        if "suppressed" in figures
        else frozenset()
    )
    league = tables.display_rows(tables.league_table(figures), dataset.decimals, withheld)
    # Figures with limits: a column with each interval as text and as a small bar, at
    # 95% unless the map compares at 99.8%, so that the table and the colours agree.
    ci_level, suffix = COMPARED_SCHEMES.get(query.scheme, COMPARED_SCHEMES["compared"])
    intervals = tables.interval_cells(figures, dataset.decimals, suffix)
    if intervals is not None:
        for row, cell in zip(league, intervals, strict=True):
            row["ci"] = cell
    return render_template(
        "map.html",
        **_figure_context(current, query, links, presentation, None),
        regions=regions,
        weeks=weeks,
        words=words,
        schemes=schemes_for(figures),
        k_values=range(K_RANGE[0], K_RANGE[1] + 1),
        league=league,
        league_first=tables.rows_shown_first(len(league)),
        intervals=intervals is not None,
        ci_level=ci_level,
        ci_bar=(tables.BAR_WIDTH, tables.BAR_HEIGHT),
        total=dataset.region_total(query.region, query.week),
        embed_code=embed_code(query, embed_src, loader_url, label),
        embed_codes={
            kind: embed_code(query, src, loader_url, label)
            for kind, src in (embed_choices or {}).items()
        },
        embed_srcs=embed_choices or {},
        embed_pinned=pinned,
        fallback_code=fallback_code(query, page_url, image_url, label)
        if page_url and image_url
        else None,
        embed_src=embed_src,
        csv_url=links.csv(slug, query.week, vintage),
        download_url=links.download(slug, query.week, query.scheme, query.k, vintage),
        og_image=image_url,
        page_url=page_url,
        oembed_url=oembed_url,
        label_modes=LABEL_CHOICES,
        label_default=DEFAULT_LABELS,
        facts=region_facts(dataset, query.region, query.week),
        indicators=indicators,
        current_indicator=dataset.indicator_id,
    )


def schemes_for(figures) -> dict[str, str]:
    """The colour schemes a map page offers: the comparisons where there are limits."""
    offered = dict(SCHEME_NAMES)
    for scheme, (level, suffix) in COMPARED_SCHEMES.items():
        if f"lower{suffix}" in figures and figures[f"lower{suffix}"].notna().any():
            offered[scheme] = f"Compared with the national figure ({level}%)"
    return offered
