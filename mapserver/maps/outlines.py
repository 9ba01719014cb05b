"""The outlines a map draws, prepared from boundaries once and kept on disk.

Simplifying the boundaries into shared arcs and finding each district's label point is
most of what a start does after reading the files (0.3 s of 2.3 s on a quiet machine,
more than twice that on a busy one), and every server, worker restart, command and
district change (a vintage view) did it again for the same boundaries. The result is a
pure function of the areas (codes, names, shapes, projection), of this code and of the
libraries that compute it; kept under a key made of all of them, a cached copy is only
ever read for exactly what would be built again. It is plain JSON, never pickle, so a
kept file cannot run code; it is trusted as the data files are (the default folder,
under the user's own cache directory, is as private as they are).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
import topojson

from . import geometry, labels

log = logging.getLogger(__name__)

FORMAT = 1  # the layout of a kept file; a change makes every older file unread


def prepared_outlines(areas: gpd.GeoDataFrame, cache_dir: Path | None) -> tuple[dict, dict]:
    """The areas' TopoJSON with each label point as a property, and the label points by
    code: read from `cache_dir` if these areas were prepared before, else built (and kept
    there). `cache_dir` None: always built."""
    path = None if cache_dir is None else cache_dir / "outlines" / f"{outlines_key(areas)}.json"
    if path is not None:
        kept = _read(path)
        if kept is not None:
            return kept["topology"], kept["points"]
    topology = geometry.build_topology(areas)
    # Label points belong to the geometry: computed once, shipped (and versioned) with it.
    points = labels.label_points(areas, geometry.topology_to_geodataframe(topology))
    topology = geometry.with_properties(topology, {c: {"label": p} for c, p in points.items()})
    text = json.dumps({"format": FORMAT, "topology": topology, "points": points})
    if path is not None:
        _keep(path, text)
    # Read back from the same text whether kept or not: a built and a cached copy are the
    # same objects (lists, never tuples), so they serialise to the same bytes.
    built = json.loads(text)
    return built["topology"], built["points"]


def outlines_key(areas: gpd.GeoDataFrame) -> str:
    """A digest of everything the outlines depend on: the areas and the code drawing them."""
    digest = hashlib.sha256(_code_version().encode())
    digest.update(json.dumps([str(code) for code in areas.index]).encode())
    digest.update(json.dumps([str(name) for name in areas["name"]]).encode())
    digest.update(str(areas.crs.to_wkt() if areas.crs is not None else "").encode())
    for wkb in shapely.to_wkb(np.asarray(areas.geometry.values), hex=False):
        digest.update(len(wkb).to_bytes(8, "little"))
        digest.update(wkb)
    return digest.hexdigest()[:32]


@cache
def _code_version() -> str:
    """This code's source and the versions of the libraries that compute the outlines."""
    sources = b"".join(
        Path(file).read_bytes() for file in (geometry.__file__, labels.__file__, __file__)
    )
    parts = [
        str(FORMAT),
        hashlib.sha256(sources).hexdigest(),
        topojson.__version__,
        shapely.__version__,
        shapely.geos_version_string,
        gpd.__version__,
        pyproj.__version__,
        pyproj.proj_version_str,
    ]
    return "|".join(parts)


def _read(path: Path) -> dict | None:
    try:
        kept = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:  # unreadable or cut short: built again
        log.warning("outlines cache %s not read (%s): building them again", path, error)
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT:
        return None
    if not isinstance(kept.get("topology"), dict) or not isinstance(kept.get("points"), dict):
        return None
    return kept


def _keep(path: Path, text: str) -> None:
    """Write atomically (a reader never sees half a file); a failure only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".outlines-")
        try:
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        log.info("outlines not kept in %s (%s)", path.parent, error)
