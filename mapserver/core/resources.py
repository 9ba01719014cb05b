"""Files the server ships with: found in the installed package, or in a source checkout.

A wheel carries them under mapserver/_bundled/ (copied there at build time by setup.py);
a checkout or an editable install reads them where they live in the repository.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # mapserver/, above core/
BUNDLED_DIR = PACKAGE_DIR / "_bundled"
PROJECT_ROOT = PACKAGE_DIR.parent

# Repository paths (relative to the project root) that a wheel must carry.
SHIPPED = (
    "boundaries/manifest.toml",
    "boundaries/lad19_uk_buc_ons.shp.zip",
    "data/manifest.toml",
    "data/builtin.toml",
    "data/regions.toml",
    "data/cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv.xz",
    "data/population/ons_mye2019_population_lad19.csv.xz",
    "data/lookups/lad19_lad20_utla_region_lookup.csv.xz",
    "data/lookups/onsvisual_geography_changes_2014_2025.csv.xz",
    "static",
    "node_modules/topojson-client/dist/topojson-client.min.js",
)


def resource(relative: str) -> Path:
    """The shipped file at a repository path: the wheel's copy if there is one."""
    bundled = BUNDLED_DIR / relative
    return bundled if bundled.exists() else PROJECT_ROOT / relative
