"""Machine-readable resources: rates as JSON and CSV, map values, geometry, health."""

from __future__ import annotations

import json
import os

import pandas as pd
from flask import Blueprint, abort, jsonify, request

from ..core.errors import BadParameter
from ..figures.bands import parse_scheme
from ..words import key_facts, tables
from .cache import IMMUTABLE, cached, make_entry
from .state import VERSION_FORMAT, parse_query, query_state, registry, state, state_for

blueprint = Blueprint("api", __name__)


def compact_json(data) -> str:
    """JSON with no spaces and no NaN, as every resource is served."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _region_key() -> str:
    key = request.args.get("region")
    if not key:
        raise BadParameter("region is required, e.g. ?region=england")
    return key


def _rates_entry(kind: str, mimetype: str, render, headers=lambda query: ()):
    """The region's league table for the requested week, rendered by `render`."""
    query = parse_query(_region_key(), request.args)
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


@blueprint.get("/api/rates")
@cached
def rates_json():
    """The region's areas by rate, as a JSON list of records."""
    return _rates_entry(
        "rates.json",
        "application/json",
        lambda figures, query: compact_json(_records(figures, query)),
    )


def _csv_disposition(query) -> tuple[tuple[str, str], ...]:
    filename = f"rates-{query.region.slug}-{query.week:%Y-%m-%d}.csv"
    return (("Content-Disposition", f'inline; filename="{filename}"'),)


@blueprint.get("/api/rates.csv")
@cached
def rates_csv():
    """The region's areas by rate, as CSV with the columns of `mapserver rates`."""
    return _rates_entry(
        "rates.csv",
        "text/csv",
        lambda figures, query: tables.to_csv(
            tables.league_table(figures)
            if query.indicator is None
            else pd.DataFrame(_records(figures, query))
        ),
        _csv_disposition,
    )


@blueprint.get("/api/indicators")
@cached
def indicators():
    """Every indicator served: id, title, unit and periods (newest first)."""
    current = state()

    def build():
        kept = current.indicators.current()
        listed = [current] + [current.indicator_state(name) for name in kept]
        body = [tables.indicator_summary(item.dataset) for item in listed]
        return make_entry(compact_json(body), "application/json", current.last_modified)

    stamp = tuple(sorted(current.indicators.current()))
    return current.cache.get(("indicators", stamp, current.data_version), build)


@blueprint.get("/api/facts")
@cached
def facts_json():
    """The region's key facts for the week: figures and plain-English sentences."""
    return _rates_entry(
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


def _week_view(version: str, region: str, week: str):
    """The state of a values URL on its week's vintage (or `vintage=`), region and week."""
    indicator = request.args.get("indicator") or None
    if indicator:
        # An indicator's URLs name its own version; only the kept one answers.
        current = state().indicator_state(indicator)
        if current.data_version != version:
            abort(404, description=f"no version {version} of indicator {indicator}")
    else:
        current = _version_state(version)
    week_end = current.dataset.parse_week(week)
    vintage = current.dataset.vintage_for(week_end, request.args.get("vintage"))
    current = current.view(vintage)
    return current, current.dataset.region(region), week_end


def _values(version: str, region: str, week: str, scheme: str, k: str | None, lean: bool = False):
    current, chosen, week_end = _week_view(version, region, week)
    scheme, classes = parse_scheme(scheme, k)
    make = current.lean_values if lean else current.values

    def build():
        body = compact_json(make(chosen, week_end, scheme, classes))
        # The URL names the data version, so its content never changes.
        return make_entry(body, "application/json", current.last_modified, IMMUTABLE)

    key = ("values-lean" if lean else "values", chosen.slug, week_end, scheme, classes, version)
    return current.cache.get(key, current.builds.bounded(build))


@blueprint.get("/values/<version>/<region>/<week>.json")
@cached
def values(version: str, region: str, week: str):
    """Colours, legend and figures for one region and week, UK dashboard bands."""
    return _values(version, region, week, "dashboard", None)


@blueprint.get("/values/<version>/<region>/<week>/<scheme>-<int:k>.json")
@cached
def values_scheme(version: str, region: str, week: str, scheme: str, k: int):
    """The same with a data-driven scheme and k classes."""
    return _values(version, region, week, scheme, str(k))


@blueprint.get("/values/<version>/<region>/<week>.v2.json")
@cached
def values_lean(version: str, region: str, week: str):
    """The same figures in format 2: columns in the lean geometry's order (lean.py)."""
    return _values(version, region, week, "dashboard", None, lean=True)


@blueprint.get("/values/<version>/<region>/<week>/<scheme>-<int:k>.v2.json")
@cached
def values_scheme_lean(version: str, region: str, week: str, scheme: str, k: int):
    """Format 2 with a data-driven scheme and k classes."""
    return _values(version, region, week, scheme, str(k), lean=True)


@blueprint.get("/values/<version>/<region>/<week>/history.json")
@cached
def history(version: str, region: str, week: str):
    """Each district's rate over the 12 weeks to `week`, for the popups' sparklines."""
    current, chosen, week_end = _week_view(version, region, week)

    def build():
        body = compact_json(current.history(chosen, week_end))
        return make_entry(body, "application/json", current.last_modified, IMMUTABLE)

    key = ("history", chosen.slug, week_end, version)
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
    for name in loaded.indicators.current() if loaded.indicators is not None else ():
        loaded.indicator_state(name)


@blueprint.get("/geo/<version>/<region>.topojson")
@cached
def geometry(version: str, region: str):
    """The region's simplified boundaries; the URL names the geometry version."""
    current = _geometry_state(version, lean=False)
    return current.geometry_entry(current.dataset.region(region))


@blueprint.get("/geo/<version>/<region>.v2.topojson")
@cached
def geometry_lean(version: str, region: str):
    """The same with the areas' names, the region's first in the lean values' order."""
    current = _geometry_state(version, lean=True)
    return current.lean_geometry_entry(current.dataset.region(region))


@blueprint.get("/assets/<version>/<name>")
@cached
def asset(version: str, name: str):
    """A front-end bundle (script, stylesheet, icon), named by its content hash."""
    bundle = state().bundles.get(name)
    if bundle is None or bundle.version != version:
        abort(404, description=f"no asset {version}/{name}")
    return state().asset_entry(bundle)


@blueprint.get("/live.json")
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


@blueprint.get("/healthz")
def healthz():
    """200 with the data version and the date range."""
    current = state()
    dataset = current.dataset
    versions = registry()
    response = jsonify(
        {
            "status": "ok",
            "data_version": dataset.version,
            # when this process loaded the current version, and last read the pointer
            "data_loaded_at": versions.loaded_at.isoformat(timespec="seconds"),
            "data_checked_at": versions.checked_at.isoformat(timespec="seconds"),
            "versions_in_memory": [loaded.data_version for loaded in versions.loaded()],
            "data_error": versions.last_error,
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
