"""Read boundary files of any vector format into code, name and WGS84 geometry."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from ..core.errors import DataError

WGS84 = "EPSG:4326"

# Field names that hold area codes and names in ONS and dashboard files (lad19cd, LAD20NM,
# areacd, ...), in order of preference.
CODE_FIELD = re.compile(r"^((lad|ltla|ctyua|utla|rgn|lsoa|msoa)\d*cd|areacd|code|areacode)$", re.I)
NAME_FIELD = re.compile(r"^((lad|ltla|ctyua|utla|rgn|lsoa|msoa)\d*nm|areanm|name|areaname)$", re.I)


def _pick(columns: list[str], pattern: re.Pattern, what: str, path: Path) -> str:
    for column in columns:
        if pattern.match(column):
            return column
    raise DataError(f"boundaries file {path}: no {what} field among {', '.join(columns)}")


def _open(path: Path, **kwargs) -> gpd.GeoDataFrame | pd.DataFrame:
    if not path.exists():
        raise DataError(f"boundaries file not found: {path} (run `mapserver fetch`?)")
    try:
        return pyogrio.read_dataframe(path, **kwargs)
    except Exception as error:  # pyogrio raises several unrelated error classes
        raise DataError(f"boundaries file {path} could not be read: {error}") from None


def _codes_and_names(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    columns = [c for c in frame.columns if c != "geometry"]
    code = _pick(columns, CODE_FIELD, "area code", path)
    name = _pick(columns, NAME_FIELD, "area name", path)
    out = pd.DataFrame({"code": frame[code].astype(str).str.strip(), "name": frame[name]})
    if out["code"].duplicated().any():
        dup = out.loc[out["code"].duplicated(), "code"].iloc[0]
        raise DataError(f"boundaries file {path}: area code {dup} appears more than once")
    return out


def read_boundary_codes(path: Path) -> pd.DataFrame:
    """Codes and names of the areas in a boundary file, without reading geometry."""
    return _codes_and_names(_open(path, read_geometry=False), path)


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Areas as a GeoDataFrame with columns code, name, geometry: WGS84, valid."""
    frame = _open(path)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise DataError(f"boundaries file {path} has no geometry")
    table = _codes_and_names(frame, path)
    areas = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    if areas.crs is None:
        # TopoJSON and some GeoJSON omit the CRS; their coordinates are lon/lat.
        areas = areas.set_crs(WGS84)
    areas = areas.to_crs(WGS84)
    invalid = ~areas.geometry.is_valid
    if invalid.any():
        areas.loc[invalid, "geometry"] = areas.geometry[invalid].make_valid()
    return areas.set_index("code", drop=False)
