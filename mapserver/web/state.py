"""What the web layer holds in memory: the dataset and the geometry resources."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from flask import current_app

from .. import geometry
from ..bands import make_bands, parse_scheme
from ..boundaries import read_boundaries
from ..choropleth import district_figures, map_values
from ..config import Settings
from ..dataset import Dataset, load_dataset
from ..regions import Region


@dataclass
class MapState:
    """The loaded data, the whole topology and per-region geometry bytes."""

    settings: Settings
    dataset: Dataset
    topology: dict
    geometry_version: str
    neighbours: dict[str, frozenset[str]]
    _region_geometry: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings) -> MapState:
        """Read every input file and build the simplified topology."""
        dataset = load_dataset(settings)
        areas = read_boundaries(settings.path("boundaries"))
        topology = geometry.build_topology(areas)
        version = hashlib.sha256(geometry.topology_bytes(topology)).hexdigest()[:12]
        return cls(settings, dataset, topology, version, geometry.neighbours(areas))

    def region_geometry(self, region: Region) -> bytes:
        """TopoJSON of the region's districts and their neighbours, for context (built once)."""
        if region.slug not in self._region_geometry:
            around = set().union(*(self.neighbours.get(code, ()) for code in region.districts))
            subset = geometry.subset_topology(self.topology, around | set(region.districts))
            self._region_geometry[region.slug] = geometry.topology_bytes(subset)
        return self._region_geometry[region.slug]

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

    def params(self, **changes) -> dict:
        """Query parameters for links that keep this view (omitting defaults)."""
        values = {"week": f"{self.week:%Y-%m-%d}", "scheme": self.scheme, "k": self.k}
        values.update(changes)
        if values["scheme"] == "dashboard":
            values.pop("scheme")
            values.pop("k")
        return values


def parse_query(region_key: str, args) -> MapQuery:
    """Validate region, week, scheme and k from a request (raises MapserverError)."""
    dataset = state().dataset
    region = dataset.region(region_key)
    week = dataset.parse_week(args.get("week"))
    scheme, k = parse_scheme(args.get("scheme"), args.get("k"))
    return MapQuery(region, week, scheme, k)
