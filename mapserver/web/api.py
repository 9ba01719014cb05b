"""Machine-readable resources: rates as JSON and CSV, map values, geometry, health."""

from __future__ import annotations

import json
import os

import pandas as pd
from flask import abort, jsonify
from flask_openapi3 import APIBlueprint

from ..figures.bands import DEFAULT_K, parse_scheme
from ..figures.rates import FIGURE_COLUMNS
from ..words import key_facts, tables
from .apidoc import TAGS, errors, json_resource, ok
from .cache import IMMUTABLE, cached, make_entry
from .current import VERSION_FORMAT, parse_query, query_state, registry, state, state_for
from .params import (
    AssetPath,
    GeometryPath,
    LeanGeometryPath,
    RatesParams,
    ValuesParams,
    ValuesPath,
    ValuesSchemePath,
)

blueprint = APIBlueprint("api", __name__)
INDICATOR = "#/components/schemas/Indicator"
DATA, MAP_DATA = [TAGS["data"]], [TAGS["map data"]]
VALUES = json_resource("Values", "MapValues", 400, 404)
LEAN_VALUES = json_resource("Values", "LeanValues", 400, 404)
TOPOJSON = json_resource("TopoJSON", "Topology", 400, 404)


def compact_json(data) -> str:
    """JSON with no spaces and no NaN, as every resource is served."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _rates_entry(params: RatesParams, kind: str, mimetype: str, render, headers=lambda q: ()):
    """The region's league table for the requested week, rendered by `render`."""
    query = parse_query(params.region, params)
    current = query_state(query)

    def build():
        figures = current.dataset.region_figures(query.region, query.week)
        body = render(figures, query)
        return make_entry(body, mimetype, current.last_modified, headers=headers(query))

    key = (kind, query.region.slug, query.week, current.data_version)
    return current.cache.get(key, current.builds.bounded(build))


def _records(figures, query) -> list[dict]:
    """The Covid columns, or an indicator's (count, denominator, value and limits)."""
    if query.indicator is None:
        return tables.records(figures, query.region.slug, query.week)
    dataset = query_state(query).dataset
    return tables.indicator_records(dataset, figures, query.region.slug, query.week)


@blueprint.get(
    "/api/rates",
    operation_id="rates",
    summary="A region's areas by rate, JSON records",
    tags=DATA,
    responses=json_resource(
        "Records, highest rate first (another indicator's: IndicatorRecord)",
        {
            "type": "array",
            "items": {
                "anyOf": [
                    {"$ref": "#/components/schemas/RateRecord"},
                    {"$ref": "#/components/schemas/IndicatorRecord"},
                ]
            },
        },
        400,
        404,
    ),
)
@cached
def rates_json(query: RatesParams):
    """The region's areas by rate, as a JSON list of records."""
    return _rates_entry(
        query,
        "rates.json",
        "application/json",
        lambda figures, query: compact_json(_records(figures, query)),
    )


def _csv_disposition(query) -> tuple[tuple[str, str], ...]:
    filename = f"rates-{query.region.slug}-{query.week:%Y-%m-%d}.csv"
    return (("Content-Disposition", f'inline; filename="{filename}"'),)


@blueprint.get(
    "/api/rates.csv",
    operation_id="ratesCsv",
    summary="The same as CSV",
    tags=DATA,
    responses=ok(
        "CSV with a header row: " + ", ".join(FIGURE_COLUMNS), "text/csv", {"type": "string"}
    )
    | errors("json", 400, 404),
)
@cached
def rates_csv(query: RatesParams):
    """The region's areas by rate, as CSV with the columns of `mapserver rates`."""
    return _rates_entry(
        query,
        "rates.csv",
        "text/csv",
        lambda figures, query: tables.to_csv(
            tables.league_table(figures)
            if query.indicator is None
            else pd.DataFrame(_records(figures, query))
        ),
        _csv_disposition,
    )


@blueprint.get(
    "/api/indicators",
    operation_id="indicators",
    summary="Every indicator served, the Covid cases first: id, title, unit and periods",
    tags=DATA,
    responses=ok("Indicators", "application/json", {"type": "array", "items": {"$ref": INDICATOR}}),
)
@cached
def indicators():
    """Every indicator served: id, title, unit and periods (newest first)."""
    current = state()

    def build():
        # Each with the version it is served from (what `v=` pins it to); the others
        # from their metadata alone, without reading their observations.
        body = [{**tables.indicator_summary(current.dataset), "version": current.data_version}]
        body += [
            {**tables.indicator_summary(item), "version": item.version}
            for item in current.indicator_listings()
        ]
        # Brotli 11 takes 0.6-0.9 s for a list of 1,500 indicators (1.3 MB), where
        # brotli 5 takes 10 ms, its repeated periods compressing as well: fast settings.
        body = compact_json(body)
        return make_entry(body, "application/json", current.last_modified, fast=True)

    return current.cache.get(("indicators", current.release), build)


@blueprint.get(
    "/api/facts",
    operation_id="facts",
    summary="A region's key facts for a week, as figures and sentences",
    tags=DATA,
    responses=json_resource(
        "Key facts: the highest areas, the region total, the rest of the region, rises and "
        "falls, incomplete areas, and the sentences made from them",
        "Facts",
        400,
        404,
    ),
)
@cached
def facts_json(query: RatesParams):
    """The region's key facts for the week: figures and plain-English sentences."""
    return _rates_entry(
        query,
        "facts.json",
        "application/json",
        lambda figures, query: compact_json(
            key_facts.region_facts(query_state(query).dataset, query.region, query.week).to_dict()
        ),
    )


def _version_state(version: str):
    """The state of a data version named in a URL; any version kept answers (live.py)."""
    if not VERSION_FORMAT.match(version):
        abort(404, description=f"no data version {version}")
    return state_for(version)


def _week_view(path: ValuesPath, params: ValuesParams):
    """The state of a values URL on its week's vintage (or `vintage=`), region and week."""
    version, indicator = path.version, params.indicator
    if indicator:
        # An indicator's URLs name its own version: the current one or any kept.
        base = state()
        if not VERSION_FORMAT.match(version) or not base.indicators.has(indicator, version):
            abort(404, description=f"no version {version} of indicator {indicator}")
        current = base.indicator_state(indicator, version)
    else:
        current = _version_state(version)
    week_end = current.dataset.parse_week(path.week)
    asked = None if params.vintage is None else str(params.vintage)
    current = current.view(current.dataset.vintage_for(week_end, asked))
    return current, current.dataset.region(path.region), week_end


def _values(path: ValuesPath, params: ValuesParams, scheme: str, classes: int, lean: bool = False):
    version = path.version
    current, chosen, week_end = _week_view(path, params)
    make = current.lean_values if lean else current.values

    def build():
        body = compact_json(make(chosen, week_end, scheme, classes))
        # The URL names the data version, so its content never changes.
        return make_entry(body, "application/json", current.last_modified, IMMUTABLE)

    key = ("values-lean" if lean else "values", chosen.slug, week_end, scheme, classes, version)
    return current.cache.get(key, current.builds.bounded(build))


@blueprint.get(
    "/values/<version>/<region>/<week>.json",
    operation_id="values",
    summary="A map's figures and colours for a week (dashboard bands)",
    tags=MAP_DATA,
    responses=VALUES,
)
@cached
def values(path: ValuesPath, query: ValuesParams):
    """Colours, legend and figures for one region and week, UK dashboard bands."""
    return _values(path, query, "dashboard", DEFAULT_K)


@blueprint.get(
    "/values/<version>/<region>/<week>/<scheme>-<int:k>.json",
    operation_id="valuesScheme",
    summary="The same with a data-driven scheme",
    tags=MAP_DATA,
    responses=VALUES,
)
@cached
def values_scheme(path: ValuesSchemePath, query: ValuesParams):
    """The same with a data-driven scheme and k classes."""
    return _values(path, query, *parse_scheme(path.scheme, path.k))


@blueprint.get(
    "/values/<version>/<region>/<week>.v2.json",
    operation_id="valuesLean",
    summary="A map's figures for a week in format 2: columns in the lean geometry's order",
    tags=MAP_DATA,
    responses=LEAN_VALUES,
)
@cached
def values_lean(path: ValuesPath, query: ValuesParams):
    """The same figures in format 2: columns in the lean geometry's order (lean.py)."""
    return _values(path, query, "dashboard", DEFAULT_K, lean=True)


@blueprint.get(
    "/values/<version>/<region>/<week>/<scheme>-<int:k>.v2.json",
    operation_id="valuesSchemeLean",
    summary="Format 2 with a data-driven scheme",
    tags=MAP_DATA,
    responses=LEAN_VALUES,
)
@cached
def values_scheme_lean(path: ValuesSchemePath, query: ValuesParams):
    """Format 2 with a data-driven scheme and k classes."""
    return _values(path, query, *parse_scheme(path.scheme, path.k), lean=True)


@blueprint.get(
    "/values/<version>/<region>/<week>/history.json",
    operation_id="history",
    summary="12 weeks of rates per area",
    tags=MAP_DATA,
    responses=json_resource("Rates", "History", 400, 404),
)
@cached
def history(path: ValuesPath, query: ValuesParams):
    """Each district's rate over the 12 weeks to `week`, for the popups' sparklines."""
    current, chosen, week_end = _week_view(path, query)

    def build():
        body = compact_json(current.history(chosen, week_end))
        return make_entry(body, "application/json", current.last_modified, IMMUTABLE)

    key = ("history", chosen.slug, week_end, path.version)
    return current.cache.get(key, current.builds.bounded(build))


def _geometry_state(version: str, lean: bool):
    """The state in memory whose geometry (or lean geometry) has this version."""
    # Any version in memory may hold it: pages built from an older version still draw;
    # so may any vintage in use, or an indicator kept beside the data, built now if no
    # page has asked this worker for it yet (another worker may have served the page).
    for build in (None, _vintages, _indicators):
        for loaded in registry().loaded():
            if build is not None:
                build(loaded)
            for current in loaded.all_views():
                found = current.places.version if lean else current.geometry_version
                if found == version:
                    return current
    abort(404, description=f"no geometry version {version}")


def _vintages(loaded) -> None:
    for vintage in loaded.dataset.vintages_in_use():
        loaded.view(vintage)


def _indicators(loaded) -> None:
    # An indicator is drawn on the Covid cases' view of its vintage: no need to read it.
    if loaded.indicators is not None and loaded.indicators.versions:
        loaded.every_vintage()


@blueprint.get(
    "/geo/<version>/<region>.topojson",
    operation_id="geometry",
    summary="Simplified boundaries of a region and its neighbours",
    tags=MAP_DATA,
    responses=TOPOJSON,
)
@cached
def geometry(path: GeometryPath):
    """The region's simplified boundaries; the URL names the geometry version."""
    current = _geometry_state(path.version, lean=False)
    return current.geometry_entry(current.dataset.region(path.region))


@blueprint.get(
    "/geo/<version>/<region>.v2.topojson",
    operation_id="geometryLean",
    summary="The same with each of the region's areas named, in the order of format 2 values",
    tags=MAP_DATA,
    responses=TOPOJSON,
)
@cached
def geometry_lean(path: LeanGeometryPath):
    """The same with the areas' names, the region's first in the lean values' order."""
    current = _geometry_state(path.version, lean=True)
    return current.lean_geometry_entry(current.dataset.region(path.region))


@blueprint.get(
    "/assets/<version>/<name>",
    operation_id="asset",
    summary="A script bundle, stylesheet or icon, named by its hash",
    tags=MAP_DATA,
    responses={200: {"description": "The file", "content": {"*/*": {"schema": {}}}}}
    | errors("json", 404),
)
@cached
def asset(path: AssetPath):
    """A front-end bundle (script, stylesheet, icon), named by its content hash."""
    bundle = state().bundles.get(path.name)
    if bundle is None or bundle.version != path.version:
        abort(404, description=f"no asset {path.version}/{path.name}")
    return state().asset_entry(bundle)


@blueprint.get(
    "/live.json",
    operation_id="live",
    summary="The current data version and weeks, for open live embeds (revalidate with ETag)",
    tags=DATA,
    responses=ok("The current version", "application/json", "Live"),
)
@cached
def live():
    """The current data version and weeks, for open live embeds (ETag'd, revalidated)."""
    current = state()

    def build():
        dataset = current.dataset
        body = {
            "data_version": current.data_version,
            "geometry_version": current.geometry_version,
            "default_week": f"{dataset.default_week:%Y-%m-%d}",
            "last_week": f"{dataset.last_week:%Y-%m-%d}",
        }
        return make_entry(compact_json(body), "application/json", current.last_modified, "no-cache")

    return current.cache.get(("live", current.data_version), build)


@blueprint.get(
    "/healthz",
    operation_id="health",
    summary="Health and data versions",
    tags=DATA,
    responses=ok("Healthy", "application/json", "Health"),
)
def healthz():
    """200 with the data version and the date range."""
    current = state()
    dataset = current.dataset
    versions = registry()
    response = jsonify(
        {
            "status": "ok",
            "data_version": dataset.version,
            # the data version and the indicators' versions that answer (X-Data-Version)
            "release": current.release,
            "indicators": current.indicators.versions if current.indicators is not None else {},
            # when this process loaded the current version, and last read the pointer
            "data_loaded_at": versions.loaded_at.isoformat(timespec="seconds"),
            "data_checked_at": versions.checked_at.isoformat(timespec="seconds"),
            "versions_in_memory": [loaded.data_version for loaded in versions.loaded()],
            "data_error": versions.last_error,
            # the shared database, when it cannot be read (the indicators last pulled serve)
            "shared_error": versions.follow_error,
            "update_checked_at": versions.update_checked_at
            and versions.update_checked_at.isoformat(timespec="seconds"),
            "update_result": versions.update_result,
            "worker": os.getpid(),
            "geometry_version": current.geometry_version,
            "first_date": f"{dataset.first_date:%Y-%m-%d}",
            "last_date": f"{dataset.last_date:%Y-%m-%d}",
            "first_week": f"{dataset.first_week:%Y-%m-%d}",
            "default_week": f"{dataset.default_week:%Y-%m-%d}",
            "cached_responses": len(current.cache),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
