"""Regions: England, the four nations, the nine English regions and custom regions."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import DataError, UnknownRegion

ENGLAND = "E92000001"


@dataclass(frozen=True)
class Region:
    """A named set of districts (LAD codes) that a map or a league table covers."""

    slug: str
    title: str
    districts: tuple[str, ...]
    code: str | None = None
    kind: str = "official"

    def series(self, lookup: pd.DataFrame) -> list[str]:
        """Codes of the case series that cover this region's districts, in a stable order."""
        return list(dict.fromkeys(lookup.loc[list(self.districts), "series"]))


def slugify(name: str) -> str:
    """`Yorkshire and The Humber` -> `yorkshire-and-the-humber`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def official_regions(lookup: pd.DataFrame) -> dict[str, Region]:
    """Countries and English regions from the lookup, keyed by slug."""
    regions: dict[str, Region] = {}
    for (code, name), rows in lookup.groupby(["country_code", "country_name"], sort=True):
        regions[slugify(name)] = Region(slugify(name), name, tuple(rows["district"]), code)
    english = lookup[lookup["country_code"] == ENGLAND]
    for (code, name), rows in english.groupby(["region_code", "region_name"], sort=True):
        regions[slugify(name)] = Region(slugify(name), name, tuple(rows["district"]), code)
    return regions


def load_custom_regions(path: Path, lookup: pd.DataFrame) -> dict[str, Region]:
    """Custom regions from a TOML file of [regions.SLUG] tables with title and districts."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"regions file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"regions file {path} is not valid TOML: {error}") from None
    regions: dict[str, Region] = {}
    for slug, table in document.get("regions", {}).items():
        where = f"regions file {path}, region {slug!r}"
        if slug != slugify(slug):
            raise DataError(f"{where}: a slug is lower-case letters, digits and hyphens")
        title = table.get("title")
        districts = table.get("districts")
        if not isinstance(title, str) or not title.strip():
            raise DataError(f"{where}: needs a title")
        if not isinstance(districts, list) or not districts:
            raise DataError(f"{where}: needs a non-empty list of districts")
        unknown = sorted({str(code) for code in districts} - set(lookup.index))
        if unknown:
            raise DataError(f"{where}: unknown district code(s) {', '.join(unknown)}")
        regions[slug] = Region(slug, title, tuple(dict.fromkeys(districts)), None, "custom")
    return regions


def all_regions(lookup: pd.DataFrame, custom_path: Path | None) -> dict[str, Region]:
    """Official regions plus custom ones; a custom slug may not shadow an official one."""
    regions = official_regions(lookup)
    if custom_path is not None:
        for slug, region in load_custom_regions(custom_path, lookup).items():
            if slug in regions:
                raise DataError(f"custom region {slug!r} has the name of an official region")
            regions[slug] = region
    return regions


def resolve_region(key: str, regions: dict[str, Region]) -> Region:
    """Find a region by slug or ONS code (case-insensitive), or raise UnknownRegion."""
    wanted = key.strip().lower()
    for region in regions.values():
        if wanted == region.slug or (region.code and wanted == region.code.lower()):
            return region
    raise UnknownRegion(f"unknown region {key!r}; choose from {', '.join(regions)}")
