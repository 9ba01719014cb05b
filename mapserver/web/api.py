"""Machine-readable resources: rates as JSON and CSV, map values, geometry, health."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from .. import tables
from ..errors import BadParameter
from .state import parse_query, state

blueprint = Blueprint("api", __name__)

ONE_YEAR = 31_536_000


def _region_key() -> str:
    key = request.args.get("region")
    if not key:
        raise BadParameter("region is required, e.g. ?region=england")
    return key


@blueprint.get("/api/rates")
def rates_json():
    """The region's areas by rate, as a JSON list of records."""
    query = parse_query(_region_key(), request.args)
    figures = state().dataset.region_figures(query.region, query.week)
    return jsonify(tables.records(figures, query.region.slug, query.week))


@blueprint.get("/api/rates.csv")
def rates_csv():
    """The region's areas by rate, as CSV with the columns of `mapserver rates`."""
    query = parse_query(_region_key(), request.args)
    figures = state().dataset.region_figures(query.region, query.week)
    body = tables.to_csv(tables.league_table(figures))
    filename = f"rates-{query.region.slug}-{query.week:%Y-%m-%d}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@blueprint.get("/api/values/<region>")
def values(region: str):
    """Colours, legend, popup text and total for one region and week."""
    query = parse_query(region, request.args)
    return jsonify(state().values(query.region, query.week, query.scheme, query.k))


@blueprint.get("/geo/<version>/<region>.topojson")
def geometry(version: str, region: str):
    """The region's simplified boundaries; the URL names the geometry version."""
    current = state()
    if version != current.geometry_version:
        abort(404, description=f"no geometry version {version}")
    chosen = current.dataset.region(region)
    response = Response(current.region_geometry(chosen), mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


@blueprint.get("/healthz")
def healthz():
    """200 with the data version and the date range."""
    dataset = state().dataset
    return jsonify(
        {
            "status": "ok",
            "data_version": dataset.version,
            "geometry_version": state().geometry_version,
            "first_date": f"{dataset.first_date:%Y-%m-%d}",
            "last_date": f"{dataset.last_date:%Y-%m-%d}",
            "first_week": f"{dataset.first_week:%Y-%m-%d}",
            "default_week": f"{dataset.default_week:%Y-%m-%d}",
        }
    )
