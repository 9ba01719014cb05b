"""Settings: defaults, then MAPSERVER_* environment variables, then explicit overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Relative paths inside the data directory (and inside a mirror).
DEFAULT_BOUNDARIES = "boundaries/lad19_uk_buc_ons.shp"
DEFAULT_CASES = "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
DEFAULT_POPULATION = "population/ons_mye2019_population_lad19.csv"
DEFAULT_LOOKUP = "lookups/lad19_lad20_utla_region_lookup.csv"


def _default_data_dir() -> Path:
    return Path.cwd() / "var" / "data"


@dataclass(frozen=True)
class Settings:
    """Every setting the server reads; see the README for the environment variables."""

    data_dir: Path
    mirror: str | None = None
    boundaries: str = DEFAULT_BOUNDARIES
    cases: str = DEFAULT_CASES
    population: str = DEFAULT_POPULATION
    lookup: str = DEFAULT_LOOKUP
    regions_file: Path = PROJECT_ROOT / "data" / "regions.toml"
    lag_days: int = 5
    strict: bool = False
    # Basemap tiles are off by default: the maps are made to stand on a plain background,
    # and tiles would be requests to a third-party host.
    tiles: str | None = None
    tiles_attribution: str | None = None
    # Which sites may show the embeds in an iframe (CSP frame-ancestors): any by default.
    frame_ancestors: str = "*"
    # Uncached builds at once per worker (0: no bound); past it a request gets 503. Below
    # the worker's 4 threads, so cached requests always find a free thread.
    max_builds: int = 2
    max_image_builds: int = 1

    def path(self, name: str) -> Path:
        """Absolute path of the data file setting `name` (relative paths are in data_dir)."""
        value = Path(getattr(self, name))
        return value if value.is_absolute() else self.data_dir / value


_ENV = {
    "data_dir": "MAPSERVER_DATA_DIR",
    "mirror": "MAPSERVER_MIRROR",
    "boundaries": "MAPSERVER_BOUNDARIES",
    "cases": "MAPSERVER_CASES",
    "population": "MAPSERVER_POPULATION",
    "lookup": "MAPSERVER_LOOKUP",
    "regions_file": "MAPSERVER_REGIONS",
    "lag_days": "MAPSERVER_LAG_DAYS",
    "strict": "MAPSERVER_STRICT",
    "tiles": "MAPSERVER_TILES",
    "tiles_attribution": "MAPSERVER_TILES_ATTRIBUTION",
    "frame_ancestors": "MAPSERVER_FRAME_ANCESTORS",
    "max_builds": "MAPSERVER_MAX_BUILDS",
    "max_image_builds": "MAPSERVER_MAX_IMAGE_BUILDS",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(name: str, raw: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if not isinstance(raw, str):
        return raw
    if kind == "Path":
        return Path(raw).expanduser()
    if kind == "int":
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{_ENV[name]} must be a whole number, not {raw!r}") from None
        if value < 0:
            raise ConfigError(f"{_ENV[name]} must not be negative, not {raw!r}")
        return value
    if kind == "bool":
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise ConfigError(f"{_ENV[name]} must be true or false, not {raw!r}")
    if name in ("mirror", "tiles", "tiles_attribution"):
        return raw or None
    return raw


def load_settings(overrides: dict | None = None, environ: dict | None = None) -> Settings:
    """Build Settings from defaults, the environment, then `overrides` (highest wins)."""
    environ = os.environ if environ is None else environ
    settings = Settings(data_dir=_default_data_dir())
    values = {}
    for name, var in _ENV.items():
        if var in environ:
            values[name] = _convert(name, environ[var])
    for name, raw in (overrides or {}).items():
        if name not in _ENV:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _convert(name, raw)
    return replace(settings, **values)
