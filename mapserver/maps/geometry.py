"""Boundaries as TopoJSON for the browser: shared arcs, simplified, quantised."""

from __future__ import annotations

import json
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson

from ..ingest.boundaries import WGS84

OBJECT = "areas"

# Simplification tolerance in degrees of lon/lat: GEOS coverage simplification
# (Visvalingam-Whyatt) removes a vertex when the triangle it makes with its neighbours
# has an area under about tolerance**2 square degrees (0.005 degrees is ~550 m
# north-south, ~330 m east-west). The ONS "ultra generalised" boundaries are already
# generalised at 500 m, so this mostly trims thin spikes and barely moves other edges;
# larger values visibly cut corners of London boroughs at zoom 10 (bench/geometry_sizes.py).
DEFAULT_TOLERANCE = 0.005

# Grid steps along each axis of the bounding box. For the UK (10.4 x 11 degrees) a step
# is about 35 m east-west and 60 m north-south, under a pixel at Leaflet zoom 10. At
# 15,000 steps snapping already merges a short shared border into a point.
DEFAULT_QUANTIZATION = 20_000


def build_topology(
    areas: gpd.GeoDataFrame,
    tolerance: float = DEFAULT_TOLERANCE,
    quantization: int = DEFAULT_QUANTIZATION,
) -> dict:
    """TopoJSON Topology of areas (indexed by code): shared arcs, simplified, quantised."""
    areas = areas.sort_index()
    # Simplify the polygons together as a coverage, so that a border shared by two areas
    # is simplified once and no edge crosses another; simplifying each arc on its own
    # (toposimplify) lets arcs cross, giving self-intersections and overlaps. Then snap
    # to the grid *before* building the topology, so that borders that differ only by
    # float noise become one shared arc.
    built = topojson.Topology(
        areas[["geometry"]],
        presimplify=tolerance,
        simplify_with="geos",
        prequantize=_grid(areas.total_bounds, quantization),
        object_name=OBJECT,
    ).to_dict()
    names = areas["name"].to_dict()
    ordered = sorted(built["objects"][OBJECT]["geometries"], key=_id)
    geometries = [
        {
            "type": geometry["type"],
            "arcs": geometry.get("arcs", []),
            "id": str(geometry["id"]),
            "properties": {"name": _text(names[geometry["id"]])},
        }
        for geometry in ordered
    ]
    topology = _topology(geometries, built["arcs"], built["transform"])
    # Renumber the arcs in order of first use: canonical, and it gzips a little better.
    return subset_topology(topology, [geometry["id"] for geometry in geometries])


def with_properties(topology: dict, extra: dict[str, dict]) -> dict:
    """A copy of the Topology with extra properties merged into each area's (by id)."""
    geometries = [
        {**item, "properties": {**item.get("properties", {}), **extra.get(item.get("id"), {})}}
        for item in topology["objects"][OBJECT]["geometries"]
    ]
    return _topology(geometries, topology["arcs"], topology.get("transform"))


def neighbours(areas: gpd.GeoDataFrame) -> dict[str, frozenset[str]]:
    """For each area code, the codes of the areas whose boundaries touch it."""
    tree = shapely.STRtree(areas.geometry.to_numpy())
    left, right = tree.query(areas.geometry.to_numpy(), predicate="intersects")
    codes = areas.index.to_numpy()
    found: dict[str, set[str]] = {str(code): set() for code in codes}
    for i, j in zip(left, right, strict=True):
        if i != j:
            found[str(codes[i])].add(str(codes[j]))
    return {code: frozenset(others) for code, others in found.items()}


def subset_topology(topology: dict, codes: Iterable[str], ordered: bool = False) -> dict:
    """A Topology with only the areas whose ids are in codes and the arcs they use.

    `ordered`: the areas in the order of `codes`, not the topology's.
    """
    # The new topology shares arc lists and properties with the old one: treat both as
    # read-only (they are built once and cached).
    renumbered: dict[int, int] = {}

    def renumber(ref: int) -> int:
        index = renumbered.setdefault(ref if ref >= 0 else ~ref, len(renumbered))
        return index if ref >= 0 else ~index

    every = topology["objects"][OBJECT]["geometries"]
    if ordered:
        by_id = {geometry.get("id"): geometry for geometry in every}
        chosen = [by_id[code] for code in dict.fromkeys(codes) if code in by_id]
    else:
        wanted = set(codes)
        chosen = [geometry for geometry in every if geometry.get("id") in wanted]
    geometries = [
        {**geometry, "arcs": _map_refs(geometry.get("arcs", []), renumber)} for geometry in chosen
    ]
    arcs = [topology["arcs"][old] for old in renumbered]  # dicts keep insertion order
    return _topology(geometries, arcs, topology.get("transform"))


def topology_bytes(topology: dict, sort_geometries: bool = True) -> bytes:
    """Compact, deterministic UTF-8 JSON of a Topology (keys and geometries sorted).

    `sort_geometries=False` keeps the geometries in their order (the lean geometry's).
    """
    objects = {
        name: {
            **collection,
            "geometries": sorted(collection["geometries"], key=_id)
            if sort_geometries
            else collection["geometries"],
        }
        for name, collection in topology["objects"].items()
    }
    return json.dumps(
        {**topology, "objects": objects},
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def topology_to_geodataframe(topology: dict) -> gpd.GeoDataFrame:
    """Decode a Topology to a GeoDataFrame like read_boundaries: code, name, geometry."""
    arcs = _decode_arcs(topology["arcs"], topology.get("transform"))
    geometries = topology["objects"][OBJECT]["geometries"]
    frame = gpd.GeoDataFrame(
        {
            "code": [geometry.get("id") for geometry in geometries],
            "name": [geometry.get("properties", {}).get("name") for geometry in geometries],
        },
        geometry=[_polygonal(geometry, arcs) for geometry in geometries],
        crs=WGS84,
    )
    return frame.set_index("code", drop=False)


def _grid(bounds: np.ndarray, quantization: int) -> dict:
    """The TopoJSON transform that puts quantization steps across each axis of bounds."""
    x0, y0, x1, y1 = (float(value) for value in bounds)
    steps = quantization - 1
    return {"scale": [(x1 - x0) / steps or 1.0, (y1 - y0) / steps or 1.0], "translate": [x0, y0]}


def _topology(geometries: list[dict], arcs: list, transform: dict | None) -> dict:
    collection = {"type": "GeometryCollection", "geometries": geometries}
    topology = {"type": "Topology", "objects": {OBJECT: collection}, "arcs": arcs}
    if transform is not None:
        topology["transform"] = transform
    return topology


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def _id(geometry: dict) -> str:
    return str(geometry.get("id", ""))


def _map_refs(arcs: list | int, change) -> list | int:
    """Apply change to every arc reference in a geometry's nested arc lists."""
    if isinstance(arcs, list):
        return [_map_refs(item, change) for item in arcs]
    return change(arcs)


def _decode_arcs(arcs: list, transform: dict | None) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of each arc (undo delta encoding and quantisation)."""
    if transform is None:
        return [np.asarray(arc, dtype=float).reshape(-1, 2) for arc in arcs]
    scale, translate = np.asarray(transform["scale"]), np.asarray(transform["translate"])
    return [np.cumsum(np.asarray(arc, dtype=np.int64), axis=0) * scale + translate for arc in arcs]


def _ring(refs: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join the arcs of a ring; ~i is arc i backwards; each next arc starts where one ends."""
    parts = [arcs[ref] if ref >= 0 else arcs[~ref][::-1] for ref in refs]
    return np.concatenate([parts[0]] + [part[1:] for part in parts[1:]])


def _polygonal(geometry: dict, arcs: list[np.ndarray]) -> shapely.Geometry:
    """Shapely Polygon or MultiPolygon of a TopoJSON geometry (empty if it has none)."""
    kind, refs = geometry.get("type"), geometry.get("arcs") or []
    if kind not in (None, "Polygon", "MultiPolygon"):
        raise ValueError(f"TopoJSON geometry {geometry.get('id')}: not polygonal ({kind})")
    polygons = [refs] if kind == "Polygon" else refs
    shapes = [
        shapely.Polygon(_ring(rings[0], arcs), [_ring(ring, arcs) for ring in rings[1:]])
        for rings in polygons
        if rings
    ]
    if kind == "MultiPolygon":
        return shapely.MultiPolygon(shapes)
    return shapes[0] if shapes else shapely.Polygon()
