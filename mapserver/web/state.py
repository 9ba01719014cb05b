"""One data version as the web layer holds it: the data, its geometry and its views on
other vintages and indicators; with the worker's resources that every version shares."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from ..core.config import Settings
from ..figures.covid import Dataset, load_dataset
from ..figures.indicator_dataset import beside as indicator_beside
from ..figures.indicator_listing import IndicatorListing, listings
from ..ingest.boundaries import read_boundaries
from ..ingest.regions import Region
from ..ingest.vintages import VINTAGES
from ..maps import geometry, lean
from ..maps.choropleth import region_values
from ..maps.outlines import prepared_outlines
from ..store.indicator_store import KeptIndicators, indicators_root
from .bundles import Bundle
from .cache import IMMUTABLE, Entry, ResponseCache, make_entry
from .in_flight import IN_FLIGHT
from .renderer import Renderer
from .throttle import BuildSlots
from .worker import ScopedCache, Worker, root_cache, worker_for


@dataclass
class MapState:
    """The loaded data, the simplified topology, bundles, and built responses."""

    settings: Settings
    dataset: Dataset
    topology: dict
    geometry_version: str
    neighbours: dict[str, frozenset[str]]
    last_modified: datetime
    # What the process has once, whatever versions it holds: its cache, bundles, build
    # bounds and drawing process (worker.py).
    worker: Worker = field(repr=False)
    # This state's part of the worker's response cache (a view's keys have its scope).
    cache: ResponseCache | ScopedCache = field(default=None, repr=False)
    # The boundaries at full resolution (WGS84), for the OGC API's features.
    areas: gpd.GeoDataFrame | None = None
    label_points: dict[str, list[float]] = field(default_factory=dict)
    # The lean geometry's areas (their names and order) and its version (lean.py).
    places: lean.Places | None = None
    # An indicator's state: the Covid cases' state it is drawn beside (None for that one).
    covid: MapState | None = field(default=None, repr=False)

    # The same data on the districts of later vintages, built when first asked for; and
    # the indicators kept beside it, whose states are built when first asked for and
    # kept by the worker while among the last used (MAPSERVER_INDICATORS_IN_MEMORY).
    views: dict = field(default_factory=dict, repr=False)
    indicators: KeptIndicators | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.cache is None:
            self.cache = self.worker.cache

    @property
    def bundles(self) -> dict[str, Bundle]:
        """The front-end bundles (the worker's: the same for every version)."""
        return self.worker.bundles

    @property
    def builds(self) -> BuildSlots:
        """The worker's bound on pages and values built at once."""
        return self.worker.builds

    @property
    def image_builds(self) -> BuildSlots:
        """The worker's bound on images drawn at once."""
        return self.worker.image_builds

    @property
    def renderer(self) -> Renderer:
        """The worker's drawing process."""
        return self.worker.renderer

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
            worker_for(settings, cache),
            datetime.fromtimestamp(int(modified), tz=UTC),
        )

    @classmethod
    def from_parts(
        cls,
        settings: Settings,
        dataset: Dataset,
        areas: gpd.GeoDataFrame,
        worker: Worker,
        last_modified: datetime,
        cache: ResponseCache | ScopedCache | None = None,
    ) -> MapState:
        """The state of a data set on its boundaries: topology, label points, neighbours."""
        # (the label points belong to the geometry: shipped, and versioned, with it)
        topology, points = prepared_outlines(areas, settings.outlines_cache)
        version = hashlib.sha256(geometry.topology_bytes(topology)).hexdigest()[:12]
        drawn = [item["id"] for item in topology["objects"][geometry.OBJECT]["geometries"]]
        kept = KeptIndicators(indicators_root(settings), size=settings.indicators_in_memory)
        return cls(
            settings,
            dataset,
            topology,
            version,
            geometry.neighbours(areas),
            last_modified,
            worker,
            areas=areas,
            label_points=points,
            places=lean.places_for(dataset, drawn, version),
            cache=cache,
            indicators=kept,
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
            self.settings, dataset, areas, self.worker, self.last_modified, cache
        )

    def indicator_state(self, indicator_id: str | None, version: str | None = None) -> MapState:
        """The state of an indicator kept beside the data (this one for the Covid cases):
        its current version in this state's set, or `version` (a pinned one)."""
        if not indicator_id or indicator_id == self.dataset.indicator_id:
            return self
        # (a pinned version pruned since it was loaded is a 404, as one never loaded)
        version = self.indicators.resolve(indicator_id, version)
        # One app's states (its cache), on this data version: an indicator state is the
        # same whatever set of indicator versions its base was current with.
        key = (root_cache(self.cache), self.data_version, indicator_id, version)
        recent = self.worker.indicator_states
        found = recent.get(key)
        if found is None:
            with _VIEWS_LOCK:
                found = recent.get(key)
                if found is None:
                    stored = self.indicators.get(indicator_id, version)
                    found = self._build_indicator(stored, version)
                    recent.put(key, found)
        return found

    def indicator_listings(self) -> list[IndicatorListing]:
        """What the lists of indicators show of each one kept (the Covid cases aside),
        from their metadata: no observations are read."""
        listed = self.indicators.listed() if self.indicators is not None else {}
        return listings(listed, self.settings.lag_days)

    def with_indicators(self, kept: KeptIndicators) -> MapState:
        """This data with another set of indicator versions: the views of the vintages
        are kept (built once), and so are the worker's indicator states still current."""
        with _VIEWS_LOCK:  # (requests may be adding views meanwhile)
            views = dict(self.views)
        return replace(self, indicators=kept, views=views)

    def refreshed(self) -> MapState | None:
        """This state with the store's current indicators, if they changed (else None)."""
        fresh = self.indicators.changed() if self.indicators is not None else None
        return None if fresh is None else self.with_indicators(fresh)

    @property
    def release(self) -> str:
        """Names everything a request may be answered from: the data version and the
        version of every indicator current with it (the data version alone without any)."""
        if self.covid is not None:
            return self.covid.release
        digest = self.indicators.digest if self.indicators is not None else ""
        if not digest:
            return self.data_version
        return hashlib.sha256(f"{self.data_version} {digest}".encode()).hexdigest()[:12]

    def preview(self, stored, version: str) -> MapState:
        """The state of an indicator's figures that are not kept (the desk's preview):
        built for the one request, never added to this state's views."""
        return self._build_indicator(stored, version)

    def _build_indicator(self, stored, version: str) -> MapState:
        dataset = indicator_beside(self.dataset, stored, version, self.settings)
        base = self if dataset.vintage == self.dataset.vintage else self.view(dataset.vintage)
        cache = ScopedCache(self.cache, ("indicator", stored.indicator.id, version))
        return replace(base, dataset=dataset, cache=cache, views={}, covid=self)

    def all_views(self) -> list[MapState]:
        """This state and the views built from it so far."""
        return [self, *self.views.values()]

    def every_vintage(self) -> None:
        """Build this data's view of every vintage served: an indicator is drawn on one of
        them (the same geometry), so these are all the geometry its pages can name."""
        for vintage in VINTAGES:
            if vintage >= self.dataset.vintage:
                self.view(vintage)

    def asset_entry(self, bundle: Bundle) -> Entry:
        """A bundle, compressed once and cached for a year."""

        def build():
            return make_entry(bundle.body, bundle.mimetype, self.last_modified, IMMUTABLE)

        return root_cache(self.cache).get(("asset", bundle.name, bundle.version), build)

    def geometry_entry(self, region: Region) -> Entry:
        """A region's TopoJSON, compressed once and cached for a year."""

        def build():
            body = self.region_geometry(region)
            return make_entry(body, "application/json", self.last_modified, IMMUTABLE)

        # Keyed by the geometry's own hash: one entry for every state that draws it (an
        # indicator on 2023 districts shares the 2023 view's), so not under a scope.
        return root_cache(self.cache).get(("geo", region.slug, self.geometry_version), build)

    def lean_geometry_entry(self, region: Region) -> Entry:
        """A region's lean TopoJSON (with names), compressed once and cached for a year."""

        def build():
            body = self.lean_geometry(region)
            return make_entry(body, "application/json", self.last_modified, IMMUTABLE)

        return root_cache(self.cache).get(("geo-lean", region.slug, self.places.version), build)

    def warm_cache(self, pause=lambda: None) -> None:
        """Compress the bundles and every region's geometry before readers ask (calling
        `pause` before each, to let requests go first)."""
        for bundle in self.bundles.values():
            pause()
            self.asset_entry(bundle)
        # The lean geometry: what the pages draw (the first is built when first asked for).
        for region in self.dataset.regions.values():
            pause()
            self.lean_geometry_entry(region)
        # What the lists of indicators read (each indicator.json), off the request path.
        pause()
        self.indicator_listings()
        # The first few indicators on their latest districts: their outlines are dissolved
        # and simplified once per vintage, here rather than for a reader (the others, as
        # many as there may be, are read when first asked for).
        pause()
        self._first_indicators()

    def compress_indicators(self, pause=lambda: None) -> None:
        """Compress the first few indicators' geometry of every region: after a switch is
        soon enough (a reader asking first compresses the one region asked for)."""
        for state in self._first_indicators():
            for region in state.dataset.regions.values():
                pause()
                state.lean_geometry_entry(region)

    def _first_indicators(self) -> list[MapState]:
        kept = self.indicators.versions if self.indicators is not None else {}
        return [
            self.indicator_state(name) for name in list(kept)[: self.settings.indicators_in_memory]
        ]

    def warm(self) -> None:
        """Warm the cache as requests leave time. (The drawing process starts with the
        first image asked for, renderer.py: a worker that draws none never holds it.)"""
        self.warm_cache(pause=IN_FLIGHT.wait_idle)
        self.compress_indicators(pause=IN_FLIGHT.wait_idle)

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
