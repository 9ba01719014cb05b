"""Settings: defaults, then MAPSERVER_* environment variables, then explicit overrides.

`Settings` is a pydantic-settings model: each field is the environment variable
MAPSERVER_<FIELD> (MAPSERVER_REGIONS for `regions_file`), and its description is the
meaning the README's Configuration table gives (tests/test_config.py keeps them equal).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from .errors import ConfigError
from .resources import PROJECT_ROOT, resource

__all__ = ["PROJECT_ROOT", "Settings", "env_var", "load_settings"]

ENV_PREFIX = "MAPSERVER_"
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


# --- how a text value (an environment variable, or a string override) becomes a value ---
# Each raises ValueError with the end of a sentence that load_settings begins with the
# variable's name. Values that are not text (overrides such as Path("...") or 3) pass to
# pydantic's own validation of the field's type.

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _text(raw: object) -> object:
    return os.fspath(raw) if isinstance(raw, os.PathLike) else raw


def _text_or_none(raw: object) -> object:
    raw = _text(raw)
    return (raw or None) if isinstance(raw, str) else raw


def _path(raw: object) -> object:
    return Path(raw).expanduser() if isinstance(raw, str) else raw


def _path_or_none(raw: object) -> object:
    if isinstance(raw, str):
        return Path(raw).expanduser() if raw else None
    return raw


def _count(raw: object) -> object:
    value = raw
    if isinstance(raw, str):
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be a whole number, not {raw!r}") from None
    if isinstance(value, int) and value < 0:
        raise ValueError(f"must not be negative, not {raw!r}")
    return value


def _number(raw: object) -> object:
    value = raw
    if isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"must be a number, not {raw!r}") from None
    if isinstance(value, int | float) and not value >= 0:  # NaN is not >= 0 either
        raise ValueError(f"must not be negative, not {raw!r}")
    return value


def _flag(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ValueError(f"must be true or false, not {raw!r}")


def _hosts(raw: object) -> object:
    if isinstance(raw, str):
        return tuple(host.strip().lower() for host in raw.split(",") if host.strip())
    return tuple(raw) if isinstance(raw, list | tuple | set | frozenset) else raw


def _public_url(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    raw = raw.strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"must be an http(s) URL such as https://maps.example.org/covid, not {raw!r}"
        )
    return raw


Text = Annotated[str, BeforeValidator(_text)]
TextOrNone = Annotated[str | None, BeforeValidator(_text_or_none)]
File = Annotated[Path, BeforeValidator(_path)]
DirOrNone = Annotated[Path | None, BeforeValidator(_path_or_none)]
Count = Annotated[int, BeforeValidator(_count)]
Number = Annotated[float, BeforeValidator(_number)]
Flag = Annotated[bool, BeforeValidator(_flag)]
# NoDecode: a comma-separated list, not the JSON pydantic-settings expects of a tuple.
Hosts = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_hosts)]
PublicUrl = Annotated[str | None, BeforeValidator(_public_url)]


# The environment load_settings was given (None: os.environ), for the model's env source.
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("mapserver_environ", default=None)


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source, reading load_settings' `environ` if given."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        environ = _ENVIRON.get()
        environ = os.environ if environ is None else environ
        if self.case_sensitive:
            return dict(environ)
        return {key.lower(): value for key, value in environ.items()}


class Settings(BaseSettings):
    """Every setting the server reads: the README's Configuration table, field by field."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        frozen=True,
        extra="forbid",
        populate_by_name=True,  # regions_file, read from MAPSERVER_REGIONS
    )

    # None: read the built-in data set shipped with the package.
    data_dir: DirOrNone = Field(
        None,
        description="where the server reads the data files, under their manifest paths "
        "(`fetch` writes there too, or to `./var/data` when unset)",
    )
    mirror: TextOrNone = Field(
        None,
        description="directory or `http(s)://` base URL holding the files under their "
        "manifest paths; unset, `fetch` downloads each file from its public origin where "
        "the manifest has one and names the rest",
    )
    boundaries: Text = Field(
        DEFAULT_BOUNDARIES,
        description="boundary file, any format pyogrio reads; relative to the data dir",
    )
    cases: Text = Field(
        DEFAULT_CASES,
        description="daily cases: `areaCode, date, newCasesBySpecimenDate`",
    )
    population: Text = Field(
        DEFAULT_POPULATION,
        description="population: `areaCode, population_mid2019`",
    )
    lookup: Text = Field(
        DEFAULT_LOOKUP,
        description="district → region, country and dashboard series",
    )
    regions_file: File = Field(
        default_factory=lambda: resource("data/regions.toml"),
        validation_alias=ENV_PREFIX + "REGIONS",
        description="custom regions (slug, title, district codes), checked on load",
    )
    lag_days: Count = Field(
        5,
        description="the default week ends this many days before the latest date, because "
        "the latest days are incomplete",
    )
    strict: Flag = Field(
        False,
        description="make code mismatches between the files an error instead of a warning",
    )
    # Basemap tiles are off by default: the maps are made to stand on a plain background,
    # and tiles would be requests to a third-party host.
    tiles: TextOrNone = Field(
        None,
        description="optional basemap tile URL template (`https://…/{z}/{x}/{y}.png`); off "
        "by default, since tiles are third-party requests and the maps are designed to "
        "stand alone",
    )
    tiles_attribution: TextOrNone = Field(None, description="attribution shown with those tiles")
    site_name: Text = Field(
        "Maps by area",
        description="the site's name, at the head of every map page: the operator's to set "
        "(it names no one indicator, since the pages map any)",
    )
    frame_ancestors: Text = Field(
        "*",
        description="the CSP `frame-ancestors` of the pages: which sites may show the embeds",
    )
    public_url: PublicUrl = Field(
        None,
        description="the site's public address, e.g. `https://maps.example.org/covid`: the "
        "base of every absolute URL the server writes (embed code, loader, oEmbed, "
        "`og:image`, canonical link), whatever the request's `Host`",
    )
    allowed_hosts: Hosts = Field(
        LOCAL_HOSTS,
        description="when `MAPSERVER_PUBLIC_URL` is unset, requests naming any other host "
        "get 400, so a forged `Host` never reaches a page or a cache; comma-separated, "
        "`.example.org` allows its subdomains, `*` any host",
    )
    trust_proxy: Flag = Field(
        False,
        description="behind one reverse proxy: take the client's scheme, host and sub-path "
        "from `X-Forwarded-Proto`, `-Host` and `-Prefix` (and the address from `-For`)",
    )
    postcodes: TextOrNone = Field(
        None,
        description="optional CSV of postcodes or postcode districts → LAD 2019 code for "
        "the search box (relative to the data dir); read once at start-up. A district-level "
        "file (about 3,000 rows) is enough and small; a full postcode directory also works "
        "but takes memory",
    )
    # --- data versions (issue 9: versions.py, update.py, live.py) ---
    store_dir: DirOrNone = Field(
        None,
        description="where data versions (`versions/`, `current`, `pins/`) are kept",
    )
    versions_kept: Count = Field(
        10,
        description="versions kept on disk after an update (the current and pinned ones "
        "always are)",
    )
    versions_in_memory: Count = Field(
        3,
        description="versions each worker keeps loaded (the current one included)",
    )
    indicators_in_memory: Count = Field(
        8,
        description="indicators (other than the Covid cases) each worker keeps loaded, "
        "their observations and figures; the others are read again when asked for",
    )
    revision_threshold: Number = Field(
        0.05,
        description="an update is refused when more than this share of past 7-day sums change",
    )
    watch_every: Number = Field(
        1.0,
        description="seconds between each worker's checks of the `current` pointer; `0` "
        "turns live reload off",
    )
    update_url: TextOrNone = Field(
        None,
        description="a cases file (URL or path) that the server updates from by itself",
    )
    update_every: Count = Field(0, description="seconds between those updates; `0` is off")
    live_check_every: Count = Field(
        300,
        description="seconds between an open live embed's checks for a new version",
    )
    # --- end data versions ---
    # --- the newsroom desk's accounts (issue 26: store/database.py, web/accounts.py) ---
    database_url: TextOrNone = Field(
        None,
        description="the accounts database as an SQLAlchemy URL (e.g. "
        "`postgresql+psycopg://user@host/mapserver`); unset, a SQLite file "
        "`mapserver.sqlite3` in the store directory, upgraded on first use; set, the "
        "published indicator versions are shared through it with every server that names it",
    )
    # repr=False: the key never shows in a traceback or a log of the settings.
    secret_key: TextOrNone = Field(
        None,
        repr=False,
        description="the key that signs the desk's cookies, the same for every worker and "
        "server; unset, one is generated once into `secret_key` (mode 0600) in the store "
        "directory",
    )
    secure_cookies: Flag = Field(
        False,
        description="mark the desk's session cookie `Secure` on every response, not only on "
        "HTTPS requests (behind a proxy that ends TLS without `MAPSERVER_TRUST_PROXY`)",
    )
    session_hours: Number = Field(
        12.0,
        description="hours a desk sign-in lasts before the journalist signs in again",
    )
    # Most of a worker's threads only ever wait (for a build slot, or on a slow client);
    # a cached answer needs a free one.
    threads: Count = Field(32, description="threads per gunicorn worker")
    # A request past the build bounds waits up to build_wait seconds for a slot, if fewer
    # than build_queue already wait, then gets 503. Builds and waits together stay below
    # `threads` (checked below), so cached requests always find a free thread.
    max_builds: Count = Field(
        2,
        description="uncached pages, values and rates built at once per worker (`0`: no bound)",
    )
    max_image_builds: Count = Field(
        1,
        description="uncached `/image/` drawings at once per worker, the same way",
    )
    build_queue: Count = Field(
        16,
        description="requests per worker that may wait for a build slot at once; past it, "
        "503 with `Retry-After` at once (builds and waits together must stay below "
        "`MAPSERVER_THREADS`)",
    )
    build_wait: Number = Field(
        1.0,
        description="seconds a request waits for a build slot before its 503",
    )
    cache_dir: TextOrNone = Field(
        None,
        description="where the outlines simplified from the boundaries (and their label "
        "points) are kept between starts, under a digest of the boundaries and of the code "
        "that draws them; unset, `$XDG_CACHE_HOME/mapserver` (`~/.cache/mapserver`); `off` "
        "keeps none",
    )
    # The desk (issue 26) reads an upload whole, in memory, before checking it.
    upload_limit_mb: Number = Field(
        10.0,
        description="the largest file or paste the desk reads, in megabytes (10^6 bytes); "
        "past it, a one-line refusal saying both sizes",
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """Overrides (keyword arguments), then the environment; no .env or secret files."""
        return init_settings, _Environment(settings_cls)

    @model_validator(mode="after")
    def _threads_left_for_cached_answers(self) -> Settings:
        """Build bounds must leave threads free for cached answers."""
        if self.threads < 1:
            raise ValueError("MAPSERVER_THREADS must be at least 1")
        held = self.max_builds + self.max_image_builds + self.build_queue
        if self.max_builds and self.max_image_builds and held >= self.threads:
            raise ValueError(
                f"MAPSERVER_MAX_BUILDS + MAPSERVER_MAX_IMAGE_BUILDS + MAPSERVER_BUILD_QUEUE "
                f"({held}) must be less than MAPSERVER_THREADS ({self.threads}), "
                f"so that cached answers always find a free thread"
            )
        return self

    @property
    def outlines_cache(self) -> Path | None:
        """The folder of prepared outlines (MAPSERVER_CACHE_DIR), or None when it is off."""
        if self.cache_dir is None:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            return Path(base) / "mapserver"
        if self.cache_dir.strip().lower() == "off":
            return None
        return Path(self.cache_dir).expanduser()

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


def env_var(name: str) -> str:
    """The environment variable of the setting `name` (a field of Settings)."""
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + name.upper()


def _key(name: str) -> str:
    """The key the model validates the field `name` by: its alias if it has one."""
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else name


@contextmanager
def _environment(environ: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(environ)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


def load_settings(overrides: dict | None = None, environ: dict | None = None) -> Settings:
    """Build Settings from defaults, the environment, then `overrides` (highest wins).

    `overrides` are by field name, as values or as the text an environment variable
    would hold; `environ` replaces os.environ (`{}`: read no environment at all).
    """
    overrides = dict(overrides or {})
    for name in overrides:
        if name not in Settings.model_fields:
            raise ConfigError(f"unknown setting {name!r}")
    # regions_file by its alias, the key the environment source gives it too: the override
    # then wins over MAPSERVER_REGIONS in every pydantic-settings release (2.7 saw both).
    values = {_key(name): value for name, value in overrides.items()}
    try:
        with _environment(environ):
            return Settings(**values)
    except ValidationError as error:
        raise ConfigError(_one_line(error)) from None


def _one_line(error: ValidationError) -> str:
    """A validation error as one line: each problem names its environment variable."""
    names = {env_var(name): name for name in Settings.model_fields}
    lines = []
    for problem in error.errors():
        cause = problem.get("ctx", {}).get("error")
        if not problem["loc"]:  # the model's own check: its message names the variables
            lines.append(str(cause or problem["msg"]))
            continue
        key = str(problem["loc"][0])
        var = key if key in names else env_var(key)
        if isinstance(cause, ValueError):
            lines.append(f"{var} {cause}")
        else:
            lines.append(f"{var}: {problem['msg']}, not {problem['input']!r}")
    return "; ".join(lines)
