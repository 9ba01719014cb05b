"""Print TopoJSON sizes and shape error for simplification tolerances and quantisations.

Run: .venv/bin/python bench/geometry_sizes.py [path/to/boundaries]

"points" counts the arc positions (shared borders once); "gz" is gzip level 6 of
topology_bytes; "lost" counts pairs of districts that share a border in the source but not after;
"worst error" is the largest symmetric difference between a district and
its source shape, as a share of the source area (made valid, EPSG:27700).
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import shapely

from mapserver.ingest.boundaries import read_boundaries
from mapserver.maps.geometry import (
    DEFAULT_QUANTIZATION,
    DEFAULT_TOLERANCE,
    build_topology,
    subset_topology,
    topology_bytes,
    topology_to_geodataframe,
)

REAL = Path(__file__).resolve().parents[2] / "shared/data/boundaries/lad19_uk_buc_ons.shp"
TOLERANCES = [0, 0.0025, 0.004, DEFAULT_TOLERANCE, 0.006, 0.0075, 0.01, 0.015, 0.02]
QUANTIZATIONS = [10_000, 15_000, DEFAULT_QUANTIZATION, 50_000, 100_000]


def points(topology: dict) -> int:
    """Number of positions in the arcs of a topology."""
    return sum(len(arc) for arc in topology["arcs"])


def gzipped(topology: dict) -> int:
    """Bytes of the topology's JSON after gzip level 6."""
    return len(gzip.compress(topology_bytes(topology), 6))


def neighbours(shapes) -> set[tuple[int, int]]:
    """Pairs of positions whose boundaries share a stretch of positive length."""
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.intersection(shapely.boundary(shapes[left]), shapely.boundary(shapes[right]))
    positive = shapely.length(shared) > 0
    return set(zip(left[positive].tolist(), right[positive].tolist(), strict=True))


def row(areas, source, tolerance: float, quantization: int) -> str:
    """One line of the table for one setting."""
    start = time.perf_counter()
    topology = build_topology(areas, tolerance, quantization)
    seconds = time.perf_counter() - start
    england = subset_topology(topology, [code for code in areas.index if code.startswith("E")])
    decoded = topology_to_geodataframe(topology)
    invalid = int((~decoded.geometry.is_valid).sum())
    shapes = shapely.make_valid(decoded.to_crs("EPSG:27700").geometry.to_numpy())
    lost = len(neighbours(source) - neighbours(shapes))
    error = shapely.area(shapely.symmetric_difference(shapes, source)) / shapely.area(source)
    return (
        f"{tolerance:>9} {quantization:>8} {points(topology):>7} {gzipped(topology):>8}"
        f" {points(england):>6} {gzipped(england):>8} {invalid:>7} {lost:>4} {error.max():>9.1%}"
        f" {seconds:>7.2f}"
    )


def main(path: Path = REAL) -> None:
    """Print the table for the default quantisation, then for the default tolerance."""
    start = time.perf_counter()
    areas = read_boundaries(path).sort_index()
    print(f"read {len(areas)} areas in {time.perf_counter() - start:.2f} s from {path.name}")
    source = areas.to_crs("EPSG:27700").geometry.to_numpy()
    vertices = int(shapely.get_num_coordinates(areas.geometry.to_numpy()).sum())
    print(f"source: {vertices} vertices\n")
    print("tolerance    quant  UK pts    UK gz Eng pts   Eng gz invalid lost worst err build s")
    settings = [(tolerance, DEFAULT_QUANTIZATION) for tolerance in TOLERANCES]
    settings += [(DEFAULT_TOLERANCE, q) for q in QUANTIZATIONS if q != DEFAULT_QUANTIZATION]
    for tolerance, quantization in settings:
        print(row(areas, source, tolerance, quantization))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
