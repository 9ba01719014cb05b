"""What the web layer holds in memory: data, geometry, asset bundles and the response cache."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
from flask import current_app, g, has_request_context

from .. import geometry, labels, lean
from ..bands import make_bands, parse_scheme
from ..boundaries import read_boundaries
from ..choropleth import check_scheme, region_values
from ..config import Settings
from ..dataset import Dataset, load_dataset
from ..errors import BadParameter, UnknownVersion
from ..live import Registry
from ..regions import Region
from .bundles import Bundle, build_bundles
from .cache import IMMUTABLE, Entry, ResponseCache, make_entry
from .renderer import Renderer
from .throttle import BuildSlots, WaitingRoom


@dataclass
class MapState:
    """The loaded data, the simplified topology, bundles, and built responses."""

    settings: Settings
    dataset: Dataset
    topology: dict
    geometry_version: str
    neighbours: dict[str, frozenset[str]]
    bundles: dict[str, Bundle]
    last_modified: datetime
    # One cache per app (so per worker), shared by every data version it holds (keys
    # name the version): its memory is bounded however many versions are loaded.
    cache: ResponseCache = field(default_factory=ResponseCache)
    # The boundaries at full resolution (WGS84), for the OGC API's features.
    areas: gpd.GeoDataFrame | None = None
    label_points: dict[str, list[float]] = field(default_factory=dict)
    # Bounds on uncached builds at once in this worker: pages and values, and images.
    builds: BuildSlots = field(default_factory=lambda: BuildSlots(0))
    image_builds: BuildSlots = field(default_factory=lambda: BuildSlots(0))
    renderer: Renderer = field(default_factory=Renderer)
    # The lean geometry's areas (their names and order) and its version (lean.py).
    places: lean.Places | None = None
    # An indicator's state: the Covid cases' state it is drawn beside (None for that one).
    covid: MapState | None = field(default=None, repr=False)

    # The same data on the districts of later vintages, and the indicators kept beside
    # it, built when first asked for.
    views: dict = field(default_factory=dict, repr=False)
    indicators: LazyIndicators | None = field(default=None, repr=False)

    @classmethod
    def load(cls, settings: Settings, cache: ResponseCache | None = None) -> MapState:
        """Read every input file and build the simplified topology (`cache`: shared)."""
        areas = read_boundaries(settings.path("boundaries"))
        dataset = load_dataset(settings, boundary_codes=areas.index)
        inputs = [settings.path(name) for name in ("cases", "population", "lookup", "boundaries")]
        modified = max(path.stat().st_mtime for path in inputs)
        return cls.from_parts(
            settings,
            dataset,
            areas,
            ResponseCache() if cache is None else cache,
            build_bundles(),
            datetime.fromtimestamp(int(modified), tz=UTC),
        )

    @classmethod
    def from_parts(
        cls,
        settings: Settings,
        dataset: Dataset,
        areas: gpd.GeoDataFrame,
        cache,
        bundles: dict[str, Bundle],
        last_modified: datetime,
    ) -> MapState:
        """The state of a data set on its boundaries: topology, label points, neighbours."""
        topology = geometry.build_topology(areas)
        # Label points belong to the geometry: computed once, shipped (and versioned) with it.
        points = labels.label_points(areas, geometry.topology_to_geodataframe(topology))
        topology = geometry.with_properties(topology, {c: {"label": p} for c, p in points.items()})
        version = hashlib.sha256(geometry.topology_bytes(topology)).hexdigest()[:12]
        drawn = [item["id"] for item in topology["objects"][geometry.OBJECT]["geometries"]]
        kept = LazyIndicators(settings)
        return cls(
            settings,
            dataset,
            topology,
            version,
            geometry.neighbours(areas),
            bundles,
            last_modified,
            areas=areas,
            label_points=points,
            places=lean.places_for(dataset, drawn, version),
            cache=cache,
            indicators=kept,
            **worker_resources(settings),
        )

    def view(self, vintage: int) -> MapState:
        """This state on the districts of `vintage`: the data summed, the areas dissolved."""
        if vintage == self.dataset.vintage:
            return self
        found = self.views.get(vintage)
        if found is None:
            with _VIEWS_LOCK:
                found = self.views.get(vintage)
                if found is None:
                    found = self.views[vintage] = self._build_view(vintage)
        return found

    def _build_view(self, vintage: int) -> MapState:
        if self.covid is not None:
            # An indicator on other districts is drawn on the Covid cases' view of them,
            # as it is on its own districts: the same shapes, and the same lean geometry,
            # whose names and order come from the Covid data (not the indicator's own
            # denominators), so that every worker serves the URL a page names.
            base = self.covid.view(vintage)
            cache = ScopedCache(self.cache, ("vintage", vintage))
            dataset = self.dataset.at(vintage)
            return replace(base, dataset=dataset, cache=cache, views={}, covid=self.covid)
        dataset = self.dataset.at(vintage)
        areas = dataset.district_vintages.areas_at(self.areas, vintage)
        # The view's responses share the cache, under keys of their own.
        cache = ScopedCache(self.cache, ("vintage", vintage))
        return MapState.from_parts(
            self.settings, dataset, areas, cache, self.bundles, self.last_modified
        )

    def indicator_state(self, indicator_id: str | None) -> MapState:
        """The state of an indicator kept beside the data (this one for the Covid cases)."""
        if not indicator_id or indicator_id == self.dataset.indicator_id:
            return self
        stored = self.indicators.get(indicator_id)
        version = self.indicators.version(indicator_id)
        key = (indicator_id, version)
        found = self.views.get(key)
        if found is None:
            with _VIEWS_LOCK:
                found = self.views.get(key)
                if found is None:
                    # An indicator added again replaces its older version in memory too.
                    for old in [k for k in self.views if isinstance(k, tuple) and k[0] == key[0]]:
                        del self.views[old]
                    found = self.views[key] = self._build_indicator(stored, version)
        return found

    def _build_indicator(self, stored, version: str) -> MapState:
        from ..data.indicator_dataset import beside as indicator_beside

        dataset = indicator_beside(self.dataset, stored, version, self.settings)
        base = self if dataset.vintage == self.dataset.vintage else self.view(dataset.vintage)
        cache = ScopedCache(self.cache, ("indicator", stored.indicator.id, version))
        return replace(base, dataset=dataset, cache=cache, views={}, covid=self)

    def all_views(self) -> list[MapState]:
        """This state and the views built from it so far."""
        return [self, *self.views.values()]

    def asset_entry(self, bundle: Bundle) -> Entry:
        """A bundle, compressed once and cached for a year."""

        def build():
            return make_entry(bundle.body, bundle.mimetype, self.last_modified, IMMUTABLE)

        return _root(self.cache).get(("asset", bundle.name, bundle.version), build)

    def geometry_entry(self, region: Region) -> Entry:
        """A region's TopoJSON, compressed once and cached for a year."""

        def build():
            body = self.region_geometry(region)
            return make_entry(body, "application/json", self.last_modified, IMMUTABLE)

        # Keyed by the geometry's own hash: one entry for every state that draws it (an
        # indicator on 2023 districts shares the 2023 view's), so not under a scope.
        return _root(self.cache).get(("geo", region.slug, self.geometry_version), build)

    def lean_geometry_entry(self, region: Region) -> Entry:
        """A region's lean TopoJSON (with names), compressed once and cached for a year."""

        def build():
            body = self.lean_geometry(region)
            return make_entry(body, "application/json", self.last_modified, IMMUTABLE)

        return _root(self.cache).get(("geo-lean", region.slug, self.places.version), build)

    def warm_cache(self) -> None:
        """Compress the bundles and every region's geometry before readers ask."""
        for bundle in self.bundles.values():
            self.asset_entry(bundle)
        # The lean geometry: what the pages draw (the first is built when first asked for).
        for region in self.dataset.regions.values():
            self.lean_geometry_entry(region)
        kept = self.indicators.current() if self.indicators is not None else {}
        if kept:
            # The indicators' default schemes classify with mapclassify (scipy), whose
            # first use is slow: once here, not for a reader.
            make_bands(pd.Series([1.0, 2.0, 3.0, 4.0]), "quantiles", 3)
        for name in kept:
            # Each indicator on its latest districts: their outlines are dissolved and
            # simplified once per vintage, here rather than for a reader.
            state = self.indicator_state(name)
            for region in state.dataset.regions.values():
                state.lean_geometry_entry(region)

    def warm(self) -> None:
        """Warm the cache, then start the worker's drawing process."""
        self.warm_cache()
        self.renderer.start()

    @property
    def data_version(self) -> str:
        """Names the case, population, lookup and boundary files in use."""
        return self.dataset.version

    def region_geometry(self, region: Region) -> bytes:
        """TopoJSON of the region's districts and their neighbours, for context."""
        subset = geometry.subset_topology(
            self.topology, self._around(region) | set(region.districts)
        )
        # Names travel with the values (from the lookup), not twice; label points only
        # for the region's own districts, not the neighbours drawn for context.
        objects = subset["objects"][geometry.OBJECT]
        own = set(region.districts)
        objects["geometries"] = [_shipped(item, own) for item in objects["geometries"]]
        return geometry.topology_bytes(subset)

    def _around(self, region: Region) -> set[str]:
        """The districts next to the region's (and its own that touch each other)."""
        return set().union(*(self.neighbours.get(code, ()) for code in region.districts))

    def lean_geometry(self, region: Region) -> bytes:
        """The lean TopoJSON: the region's districts first, in the order of Places, with
        their names and label points; then their neighbours, for context."""
        own = self.places.codes(region.districts)
        context = sorted(self._around(region) - set(region.districts))
        subset = geometry.subset_topology(self.topology, own + context, ordered=True)
        objects = subset["objects"][geometry.OBJECT]
        named = set(own)
        objects["geometries"] = [
            _lean_shipped(item, self.places) if item["id"] in named else _shipped(item, set())
            for item in objects["geometries"]
        ]
        # The version in its URL, for the values to be checked against (lean.py).
        subset["version"] = self.places.version
        return geometry.topology_bytes(subset, sort_geometries=False)

    def history(self, region: Region, week: pd.Timestamp, weeks: int = 12) -> dict:
        """Each district's figure for the periods up to `week`, for sparklines."""
        return self.dataset.history(region, week, weeks)

    def values(self, region: Region, week: pd.Timestamp, scheme: str, k: int) -> dict:
        """The per-week values resource for a region."""
        return region_values(self.dataset, region, week, scheme, k)

    def lean_values(self, region: Region, week: pd.Timestamp, scheme: str, k: int) -> dict:
        """The same in format 2, laid out for the lean geometry (lean.py)."""
        values = self.values(region, week, scheme, k)
        return lean.lean_values(values, self.places, self.places.codes(region.districts))


_VIEWS_LOCK = threading.RLock()  # an indicator state is built from a vintage view


class LazyIndicators:
    """The indicators kept beside the data (indicator_store.KeptIndicators), opened when
    first asked for: their modules take a while to import, and a map of the Covid cases
    never needs them."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._kept = None
        self._lock = threading.Lock()

    def _open(self):
        with self._lock:
            if self._kept is None:
                from ..data.indicator_store import KeptIndicators, indicators_root

                self._kept = KeptIndicators(indicators_root(self.settings))
            return self._kept

    def current(self) -> dict:
        """As KeptIndicators.current."""
        return self._open().current()

    def get(self, name: str):
        """As KeptIndicators.get."""
        return self._open().get(name)

    def version(self, name: str) -> str:
        """As KeptIndicators.version."""
        return self._open().version(name)


def _root(cache) -> ResponseCache:
    """The response cache under any scopes."""
    while isinstance(cache, ScopedCache):
        cache = cache.inner
    return cache


class ScopedCache:
    """A response cache's entries under a prefix: a view's keys never meet its base's."""

    def __init__(self, cache: ResponseCache, scope: tuple):
        self.inner = cache
        self.scope = scope

    def __len__(self) -> int:
        return len(self.inner)

    def get(self, key: tuple, build) -> Entry:
        """The inner cache's entry for (scope, key)."""
        return self.inner.get(self.scope + key, build)

    def for_request(self, raw: tuple) -> Entry | None:
        """As ResponseCache.for_request (requests are keyed by their whole URL)."""
        return self.inner.for_request(raw)

    def remember_request(self, raw: tuple, entry: Entry) -> None:
        """As ResponseCache.remember_request."""
        self.inner.remember_request(raw, entry)


# One set of build bounds and one drawing process per worker, shared by every data
# version the worker holds (live.py loads several): a version loaded later must not
# start another drawing process or get bounds of its own.
_WORKER_RESOURCES: dict[tuple, dict] = {}


def worker_resources(settings: Settings) -> dict:
    """The process's build bounds and drawing process for these settings (made once)."""
    key = (settings.max_builds, settings.max_image_builds, settings.build_queue)
    key += (settings.build_wait,)
    found = _WORKER_RESOURCES.get(key)
    if found is None:
        room = WaitingRoom(settings.build_queue, settings.build_wait)
        found = _WORKER_RESOURCES[key] = {
            "builds": BuildSlots(settings.max_builds, "page builds", room),
            "image_builds": BuildSlots(settings.max_image_builds, "image builds", room),
            "renderer": Renderer(settings.max_image_builds),
        }
    return found


def _shipped(item: dict, own: set[str]) -> dict:
    """A geometry as the browser gets it: no name; its label point if in the region."""
    out = {key: value for key, value in item.items() if key != "properties"}
    point = item.get("properties", {}).get("label")
    if point is not None and item.get("id") in own:
        out["properties"] = {"label": point}
    return out


def _lean_shipped(item: dict, places: lean.Places) -> dict:
    """A region's geometry in the lean TopoJSON: its name (and short name) and label point."""
    out = {key: value for key, value in item.items() if key != "properties"}
    label = item.get("properties", {}).get("label")
    out["properties"] = lean.lean_properties(places, item["id"], label)
    return out


# --- data versions: which MapState answers a request (the registry is in live.py) ---

VERSION_FORMAT = re.compile(r"^[0-9a-f]{12}$")


def _request_state(registry: Registry) -> MapState:
    """The state this request started with (the current one when it first asked)."""
    if not has_request_context():
        return registry.current
    found = g.get("mapserver_state")
    if found is None:
        registry.ensure_watching()  # in this process: after a fork, once
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


# --- end data versions ---


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
    """Validate indicator, region, period, scheme, k, v and vintage (raises MapserverError)."""
    version = args.get("v") or None
    found = state_for(version, pin=True)
    indicator = args.get("indicator") or None
    if indicator == found.dataset.indicator_id:
        indicator = None
    dataset = found.indicator_state(indicator).dataset
    week = dataset.parse_week(args.get("period") or args.get("week"))
    asked = args.get("vintage") or None
    vintage = dataset.vintage_for(week, asked)
    region = dataset.at(vintage).region(region_key)
    scheme, k = parse_scheme(args.get("scheme") or dataset.default_scheme, args.get("k"))
    check_scheme(dataset.at(vintage).figures(week), scheme)
    return MapQuery(region, week, scheme, k, version, vintage, asked is not None, indicator)


def query_state(query: MapQuery) -> MapState:
    """The MapState that answers a parsed query: its version, on its districts' vintage."""
    found = state_for(query.version).indicator_state(query.indicator)
    return found if query.vintage is None else found.view(query.vintage)
