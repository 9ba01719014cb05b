"""Settings: defaults, then MAPSERVER_* environment variables, then explicit overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ConfigError
from .resources import PROJECT_ROOT, resource

__all__ = ["PROJECT_ROOT", "Settings", "load_settings"]

# Relative paths inside the data directory (and inside a mirror).
DEFAULT_BOUNDARIES = "boundaries/lad19_uk_buc_ons.shp"
DEFAULT_CASES = "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
DEFAULT_POPULATION = "population/ons_mye2019_population_lad19.csv"
DEFAULT_LOOKUP = "lookups/lad19_lad20_utla_region_lookup.csv"
FILE_SETTINGS = {
    "boundaries": DEFAULT_BOUNDARIES,
    "cases": DEFAULT_CASES,
    "population": DEFAULT_POPULATION,
    "lookup": DEFAULT_LOOKUP,
}
# With no data directory, the default files are the built-in set (data/builtin.toml):
# the same files, compressed, shipped in the repository and in the wheel.
BUILTIN_FILES = {
    "boundaries": "boundaries/lad19_uk_buc_ons.shp.zip",
    "cases": "data/cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv.xz",
    "population": "data/population/ons_mye2019_population_lad19.csv.xz",
    "lookup": "data/lookups/lad19_lad20_utla_region_lookup.csv.xz",
}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def default_fetch_dir() -> Path:
    """Where `mapserver fetch` puts files when MAPSERVER_DATA_DIR is unset."""
    return Path.cwd() / "var" / "data"


@dataclass(frozen=True)
class Settings:
    """Every setting the server reads; see the README for the environment variables."""

    # None: read the built-in data set shipped with the package.
    data_dir: Path | None = None
    mirror: str | None = None
    boundaries: str = DEFAULT_BOUNDARIES
    cases: str = DEFAULT_CASES
    population: str = DEFAULT_POPULATION
    lookup: str = DEFAULT_LOOKUP
    regions_file: Path = field(default_factory=lambda: resource("data/regions.toml"))
    lag_days: int = 5
    strict: bool = False
    # Basemap tiles are off by default: the maps are made to stand on a plain background,
    # and tiles would be requests to a third-party host.
    tiles: str | None = None
    tiles_attribution: str | None = None
    # Which sites may show the embeds in an iframe (CSP frame-ancestors): any by default.
    frame_ancestors: str = "*"
    # The base of every absolute URL the server writes (embed code, oEmbed, og:image).
    public_url: str | None = None
    # Host names a request may name when public_url is unset (others get 400).
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    # Believe X-Forwarded-For/-Proto/-Host/-Prefix from one reverse proxy in front.
    trust_proxy: bool = False
    # Optional CSV of postcodes or postcode districts to LAD codes, for the search box.
    postcodes: str | None = None
    # --- data versions (issue 9: versions.py, update.py, live.py) ---
    # Where versions/<hash>/ and the `current` pointer live (None: the fetch directory).
    store_dir: Path | None = None
    # Versions kept on disk after an update (pinned versions are always kept).
    versions_kept: int = 10
    # Versions each worker keeps loaded in memory (others load on demand).
    versions_in_memory: int = 3
    # An update is refused when more than this share of past 7-day sums change.
    revision_threshold: float = 0.05
    # How often (seconds) each worker checks the `current` pointer; 0 turns watching off.
    watch_every: float = 1.0
    # A cases file (URL or path) the server itself updates from every update_every seconds.
    update_url: str | None = None
    update_every: int = 0
    # How often (seconds) an open live embed asks whether a new data version is current.
    live_check_every: int = 300
    # --- end data versions ---
    # Threads per gunicorn worker. Most of them only ever wait (for a build slot, or on
    # a slow client); a cached answer needs a free one.
    threads: int = 32
    # Uncached builds at once per worker (0: no bound). A request past the bound waits
    # up to build_wait seconds for a slot, if fewer than build_queue already wait, then
    # gets 503. Builds and waits together stay below `threads`, so cached requests
    # always find a free thread.
    max_builds: int = 2
    max_image_builds: int = 1
    build_queue: int = 16
    build_wait: float = 1.0

    @property
    def builtin(self) -> bool:
        """True when the server reads the built-in data set (no data directory)."""
        return self.data_dir is None

    @property
    def store_root(self) -> Path:
        """Where the data versions are kept: store_dir, or the fetch directory."""
        return self.store_dir if self.store_dir is not None else self.fetch_dir

    @property
    def fetch_dir(self) -> Path:
        """Where `mapserver fetch` writes: the data directory, or ./var/data."""
        return self.data_dir if self.data_dir is not None else default_fetch_dir()

    def path(self, name: str) -> Path:
        """Absolute path of the data file setting `name`.

        Relative paths are in data_dir; with no data_dir, the default files are the
        built-in ones and other relative paths are taken from the working directory.
        """
        value = Path(getattr(self, name))
        if value.is_absolute():
            return value
        if self.data_dir is not None:
            return self.data_dir / value
        if name in BUILTIN_FILES and str(value) == FILE_SETTINGS[name]:
            return resource(BUILTIN_FILES[name])
        return Path.cwd() / value


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
    "public_url": "MAPSERVER_PUBLIC_URL",
    "allowed_hosts": "MAPSERVER_ALLOWED_HOSTS",
    "trust_proxy": "MAPSERVER_TRUST_PROXY",
    "postcodes": "MAPSERVER_POSTCODES",
    "store_dir": "MAPSERVER_STORE_DIR",
    "versions_kept": "MAPSERVER_VERSIONS_KEPT",
    "versions_in_memory": "MAPSERVER_VERSIONS_IN_MEMORY",
    "revision_threshold": "MAPSERVER_REVISION_THRESHOLD",
    "watch_every": "MAPSERVER_WATCH_EVERY",
    "update_url": "MAPSERVER_UPDATE_URL",
    "update_every": "MAPSERVER_UPDATE_EVERY",
    "live_check_every": "MAPSERVER_LIVE_CHECK_EVERY",
    "max_builds": "MAPSERVER_MAX_BUILDS",
    "max_image_builds": "MAPSERVER_MAX_IMAGE_BUILDS",
    "threads": "MAPSERVER_THREADS",
    "build_queue": "MAPSERVER_BUILD_QUEUE",
    "build_wait": "MAPSERVER_BUILD_WAIT",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(name: str, raw: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if not isinstance(raw, str):
        return tuple(raw) if name == "allowed_hosts" else raw
    if name in ("data_dir", "store_dir"):
        return Path(raw).expanduser() if raw else None
    if name == "public_url":
        return _public_url(raw)
    if name == "allowed_hosts":
        return tuple(host.strip().lower() for host in raw.split(",") if host.strip())
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
    if kind == "float":
        try:
            number = float(raw)
        except ValueError:
            raise ConfigError(f"{_ENV[name]} must be a number, not {raw!r}") from None
        if not number >= 0:
            raise ConfigError(f"{_ENV[name]} must not be negative, not {raw!r}")
        return number
    if kind == "bool":
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise ConfigError(f"{_ENV[name]} must be true or false, not {raw!r}")
    if name in ("mirror", "tiles", "tiles_attribution", "postcodes", "update_url"):
        return raw or None
    return raw


def _public_url(raw: str) -> str | None:
    raw = raw.strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"MAPSERVER_PUBLIC_URL must be an http(s) URL such as "
            f"https://maps.example.org/covid, not {raw!r}"
        )
    return raw


def load_settings(overrides: dict | None = None, environ: dict | None = None) -> Settings:
    """Build Settings from defaults, the environment, then `overrides` (highest wins)."""
    environ = os.environ if environ is None else environ
    settings = Settings()
    values = {}
    for name, var in _ENV.items():
        if var in environ:
            values[name] = _convert(name, environ[var])
    for name, raw in (overrides or {}).items():
        if name not in _ENV:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _convert(name, raw)
    return _checked(replace(settings, **values))


def _checked(settings: Settings) -> Settings:
    """Settings whose build bounds leave threads free for cached answers."""
    if settings.threads < 1:
        raise ConfigError("MAPSERVER_THREADS must be at least 1")
    held = settings.max_builds + settings.max_image_builds + settings.build_queue
    if settings.max_builds and settings.max_image_builds and held >= settings.threads:
        raise ConfigError(
            f"MAPSERVER_MAX_BUILDS + MAPSERVER_MAX_IMAGE_BUILDS + MAPSERVER_BUILD_QUEUE "
            f"({held}) must be less than MAPSERVER_THREADS ({settings.threads}), "
            f"so that cached answers always find a free thread"
        )
    return settings
