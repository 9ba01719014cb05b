"""Which data version answers a request, and the map the request asks for: one version
for every output of a request (the registry of versions is update/live.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from flask import current_app, g, has_request_context

from ..core.errors import BadParameter, UnknownVersion
from ..figures.bands import parse_scheme
from ..ingest.regions import Region
from ..maps.choropleth import check_scheme
from ..update.live import Registry
from .params import MapParams, declared
from .state import MapState

VERSION_FORMAT = re.compile(r"^[0-9a-f]{12}$")


def _request_state(registry: Registry) -> MapState:
    """The state this request started with (the current one when it first asked)."""
    if not has_request_context():
        return registry.current
    found = g.get("mapserver_state")
    if found is None:
        registry.ensure_watching()  # in this process: after a fork, once
        if registry.settings.watch_every <= 0:
            # No watcher: an indicator added is picked up at the next request.
            registry.check_indicators()
        found = g.mapserver_state = registry.current
    return found


class LiveState:
    """app.extensions["mapserver"]: reads as the MapState of the request in progress."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def __getattr__(self, name: str):
        return getattr(_request_state(self.registry), name)


def registry() -> Registry:
    """The data versions of the current app."""
    return current_app.extensions["mapserver"].registry


def state() -> MapState:
    """The MapState of the current data version, fixed for the whole request."""
    return _request_state(registry())


def state_for(version: str | None, pin: bool = False) -> MapState:
    """The MapState of a data version, or the current one for None.

    `pin`: the version is asked for by a pinned embed, so the store must keep it.
    """
    if not version:
        return state()
    if not VERSION_FORMAT.match(version):
        raise BadParameter(f"v must be a data version (12 hex digits), not {version!r}")
    versions = registry()
    found = versions.get(version)
    if found is None:
        raise UnknownVersion(
            f"no data version {version} kept here (it may have been pruned); "
            f"the versions kept are {', '.join(versions.kept())}"
        )
    if pin:
        versions.pin(version)
    return found


@dataclass(frozen=True)
class MapQuery:
    """A validated map request: region, week, scheme and class count (and pinned version)."""

    region: Region
    week: pd.Timestamp
    scheme: str
    k: int
    version: str | None = None  # a pinned data version (`v=`); None follows the current one
    # The districts' vintage shown: the week's own unless a later one was asked for.
    vintage: int | None = None
    vintage_asked: bool = False
    indicator: str | None = None  # None: the Covid cases

    def vintage_params(self) -> dict:
        """The indicator and vintage the URL asked for, as query parameters ({} if none)."""
        params = {"indicator": self.indicator} if self.indicator else {}
        return params | ({"vintage": str(self.vintage)} if self.vintage_asked else {})


def parse_query(region_key: str, args) -> MapQuery:
    """The map a request asks for: its parameters (MapParams, or a mapping of raw query
    values, validated here) checked against the data (raises MapserverError)."""
    params = declared(MapParams, args)
    indicator = params.indicator
    if indicator == state().dataset.indicator_id:
        indicator = None
    chosen = _pinned_indicator(indicator, params.v)
    if chosen is None:
        found = state_for(params.v, pin=True)
        if indicator == found.dataset.indicator_id:
            indicator = None
        chosen = found.indicator_state(indicator)
    dataset = chosen.dataset
    week = _week(dataset, params)
    asked = None if params.vintage is None else str(params.vintage)
    vintage = dataset.vintage_for(week, asked)
    region = dataset.at(vintage).region(region_key)
    scheme, k = parse_scheme(params.scheme or dataset.default_scheme, params.k)
    check_scheme(dataset.at(vintage).figures(week), scheme)
    return MapQuery(region, week, scheme, k, params.v, vintage, asked is not None, indicator)


def _pinned_indicator(indicator: str | None, version: str | None) -> MapState | None:
    """An indicator's state pinned to one of its versions (`v=` naming it), or None when
    `v` names none of them (a data version of the Covid cases, or nothing)."""
    if not indicator or not version:
        return None
    if not VERSION_FORMAT.match(version):
        raise BadParameter(f"v must be a data version (12 hex digits), not {version!r}")
    base = state()
    if registry().get(version) is not None:
        return None  # a data version: the indicator as kept beside it
    found = base.indicator_state(indicator, version)
    registry().pin(version, indicator=True)
    return found


def _week(dataset, params: MapParams) -> pd.Timestamp:
    """The week (or period) asked for by `week` or `period`: the two must agree if both are
    given, and an error names the one that was."""
    given = {name: getattr(params, name) for name in ("week", "period")}
    found = {name: dataset.parse_week(text, name) for name, text in given.items() if text}
    if len(set(found.values())) > 1:
        raise BadParameter(
            f"week={params.week} and period={params.period} name different periods: "
            "give one of them"
        )
    return next(iter(found.values()), dataset.default_week)


def query_state(query: MapQuery) -> MapState:
    """The MapState that answers a parsed query: its version, on its districts' vintage."""
    found = _pinned_indicator(query.indicator, query.version)
    if found is None:
        found = state_for(query.version).indicator_state(query.indicator)
    return found if query.vintage is None else found.view(query.vintage)
