"""What the web layer holds in memory: data, geometry, asset bundles and the response cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from flask import current_app

from .. import geometry
from ..bands import make_bands, parse_scheme
from ..boundaries import read_boundaries
from ..choropleth import district_figures, map_values
from ..config import Settings
from ..dataset import Dataset, load_dataset
from ..regions import Region
from .bundles import Bundle, build_bundles
from .cache import IMMUTABLE, Entry, ResponseCache, make_entry
from .renderer import Renderer
from .throttle import BuildSlots


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
    cache: ResponseCache = field(default_factory=ResponseCache)
    # Bounds on uncached builds at once in this worker: pages and values, and images.
    builds: BuildSlots = field(default_factory=lambda: BuildSlots(0))
    image_builds: BuildSlots = field(default_factory=lambda: BuildSlots(0))
    renderer: Renderer = field(default_factory=Renderer)

    @classmethod
    def load(cls, settings: Settings) -> MapState:
        """Read every input file and build the simplified topology."""
        areas = read_boundaries(settings.path("boundaries"))
        dataset = load_dataset(settings, boundary_codes=areas.index)
        topology = geometry.build_topology(areas)
        version = hashlib.sha256(geometry.topology_bytes(topology)).hexdigest()[:12]
        inputs = [settings.path(name) for name in ("cases", "population", "lookup", "boundaries")]
        modified = max(path.stat().st_mtime for path in inputs)
        return cls(
            settings,
            dataset,
            topology,
            version,
            geometry.neighbours(areas),
            build_bundles(),
            datetime.fromtimestamp(int(modified), tz=UTC),
            builds=BuildSlots(settings.max_builds, "page builds"),
            image_builds=BuildSlots(settings.max_image_builds, "image builds"),
            renderer=Renderer(settings.max_image_builds),
        )

    def asset_entry(self, bundle: Bundle) -> Entry:
        """A bundle, compressed once and cached for a year."""

        def build():
            return make_entry(bundle.body, bundle.mimetype, self.last_modified, IMMUTABLE)

        return self.cache.get(("asset", bundle.name, bundle.version), build)

    def geometry_entry(self, region: Region) -> Entry:
        """A region's TopoJSON, compressed once and cached for a year."""

        def build():
            body = self.region_geometry(region)
            return make_entry(body, "application/json", self.last_modified, IMMUTABLE)

        return self.cache.get(("geo", region.slug, self.geometry_version), build)

    def warm(self) -> None:
        """Compress the bundles and every region's geometry, then start the drawing process."""
        for bundle in self.bundles.values():
            self.asset_entry(bundle)
        for region in self.dataset.regions.values():
            self.geometry_entry(region)
        self.renderer.start()

    @property
    def data_version(self) -> str:
        """Names the case, population, lookup and boundary files in use."""
        return self.dataset.version

    def region_geometry(self, region: Region) -> bytes:
        """TopoJSON of the region's districts and their neighbours, for context."""
        around = set().union(*(self.neighbours.get(code, ()) for code in region.districts))
        subset = geometry.subset_topology(self.topology, around | set(region.districts))
        # Names travel with the values (from the lookup), not twice.
        objects = subset["objects"][geometry.OBJECT]
        objects["geometries"] = [
            {key: value for key, value in item.items() if key != "properties"}
            for item in objects["geometries"]
        ]
        return geometry.topology_bytes(subset)

    def history(self, region: Region, week: pd.Timestamp, weeks: int = 12) -> dict:
        """Each district's rate for the `weeks` weeks ending with `week`, for sparklines."""
        dataset = self.dataset
        ends = [week - pd.Timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)]
        ends = [end for end in ends if end >= dataset.first_week]
        series = dataset.lookup.loc[list(region.districts), "series"]
        sums = dataset.sums.reindex(index=ends, columns=series.unique())
        rates = sums / dataset.population.reindex(sums.columns).to_numpy() * 100_000
        rounded = rates.round(1).astype(object).where(rates.notna(), None)
        return {
            "weeks": [f"{end:%Y-%m-%d}" for end in ends],
            "rates": {code: list(rounded[series[code]]) for code in region.districts},
        }

    def values(self, region: Region, week: pd.Timestamp, scheme: str, k: int) -> dict:
        """The per-week values resource for a region."""
        dataset = self.dataset
        table = district_figures(dataset.lookup, dataset.figures(week), region.districts)
        bands = make_bands(table.drop_duplicates("series")["rate"], scheme, k)
        total = dataset.region_total(region, week)
        return map_values(table, bands, week, region.title, total)


def state() -> MapState:
    """The MapState of the current app."""
    return current_app.extensions["mapserver"]


@dataclass(frozen=True)
class MapQuery:
    """A validated map request: region, week, scheme and class count."""

    region: Region
    week: pd.Timestamp
    scheme: str
    k: int


def parse_query(region_key: str, args) -> MapQuery:
    """Validate region, week, scheme and k from a request (raises MapserverError)."""
    dataset = state().dataset
    region = dataset.region(region_key)
    week = dataset.parse_week(args.get("week"))
    scheme, k = parse_scheme(args.get("scheme"), args.get("k"))
    return MapQuery(region, week, scheme, k)
