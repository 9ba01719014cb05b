"""Settings: the pydantic-settings model, load_settings' precedence and messages, and the
README's Configuration table, which must list exactly the model's fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapserver.core.config import Settings, env_var, load_settings
from mapserver.core.errors import ConfigError
from mapserver.core.resources import BUNDLED_DIR, PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def readme_rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) of each row of the README's Configuration table."""
    section = README.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `MAPSERVER_"):
            variable, default, meaning = line.strip().strip("|").strip().split(" | ")
            rows.append((variable.strip("`"), default, meaning))
    return rows


def shown(value: object) -> str:
    """A default as the table writes it: the variable's text in backticks, or `unset`."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, tuple):
        return f"`{','.join(value)}`"
    if isinstance(value, Path):
        root = BUNDLED_DIR if value.is_relative_to(BUNDLED_DIR) else PROJECT_ROOT
        return f"`{value.relative_to(root)}`"
    return f"`{value}`"


def model_rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) of each field, in the model's order."""
    return [
        (env_var(name), shown(field.get_default(call_default_factory=True)), field.description)
        for name, field in Settings.model_fields.items()
    ]


def test_every_setting_is_a_row_of_the_readme_table_and_every_row_a_setting():
    documented, fields = readme_rows(), model_rows()
    expected = "\n".join(f"| `{v}` | {d} | {m} |" for v, d, m in fields)
    assert [row[0] for row in documented] == [row[0] for row in fields], expected
    for (variable, default, meaning), (_, value, description) in zip(
        documented, fields, strict=True
    ):
        # The cell may go on after the default ("unset: the built-in data").
        assert default.startswith(value), (variable, default, value)
        assert meaning == description, (variable, meaning, description)


def test_every_field_has_a_description_and_a_variable():
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert re.fullmatch(r"MAPSERVER_[A-Z_]+", env_var(name)), name
    assert env_var("regions_file") == "MAPSERVER_REGIONS"
    assert env_var("data_dir") == "MAPSERVER_DATA_DIR"


def test_an_empty_environ_ignores_the_process_environment(monkeypatch):
    monkeypatch.setenv("MAPSERVER_LAG_DAYS", "9")
    monkeypatch.setenv("MAPSERVER_REGIONS", "/elsewhere/regions.toml")
    assert load_settings().lag_days == 9
    assert Settings().lag_days == 9
    assert load_settings().regions_file == Path("/elsewhere/regions.toml")
    assert load_settings(environ={}).lag_days == 5


def test_overrides_win_over_the_environment():
    environ = {"MAPSERVER_LAG_DAYS": "7", "MAPSERVER_REGIONS": "/env/regions.toml"}
    settings = load_settings({"lag_days": "0", "regions_file": "/mine.toml"}, environ=environ)
    assert (settings.lag_days, settings.regions_file) == (0, Path("/mine.toml"))
    assert load_settings({"strict": True}, environ={"MAPSERVER_STRICT": "no"}).strict


def test_text_is_read_as_the_environment_writes_it():
    environ = {
        "MAPSERVER_DATA_DIR": "",
        "MAPSERVER_STORE_DIR": "~/store",
        "MAPSERVER_MIRROR": "",
        "MAPSERVER_STRICT": " Yes ",
        "MAPSERVER_TRUST_PROXY": "off",
        "MAPSERVER_ALLOWED_HOSTS": "Maps.Example.org, .example.net ,",
        "MAPSERVER_PUBLIC_URL": " https://maps.example.org/covid/ ",
        "MAPSERVER_WATCH_EVERY": "0.5",
        "MAPSERVER_THREADS": "40",
    }
    settings = load_settings(environ=environ)
    assert settings.data_dir is None and settings.builtin
    assert settings.store_dir == Path("~/store").expanduser() == settings.store_root
    assert settings.mirror is None
    assert (settings.strict, settings.trust_proxy) == (True, False)
    assert settings.allowed_hosts == ("maps.example.org", ".example.net")
    assert settings.public_url == "https://maps.example.org/covid"
    assert (settings.watch_every, settings.threads) == (0.5, 40)
    assert load_settings({"public_url": ""}, environ={}).public_url is None


def test_values_keep_their_types():
    settings = load_settings(
        {"data_dir": Path("/data"), "cases": Path("cases.csv"), "allowed_hosts": ["a", "b"]},
        environ={},
    )
    assert settings.data_dir == Path("/data") and settings.fetch_dir == Path("/data")
    assert settings.cases == "cases.csv" and settings.path("cases") == Path("/data/cases.csv")
    assert settings.allowed_hosts == ("a", "b")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MAPSERVER_LAG_DAYS": "soon"}, "MAPSERVER_LAG_DAYS must be a whole number, not 'soon'"),
        ({"MAPSERVER_VERSIONS_KEPT": "-1"}, "MAPSERVER_VERSIONS_KEPT must not be negative"),
        ({"MAPSERVER_BUILD_WAIT": "soon"}, "MAPSERVER_BUILD_WAIT must be a number, not 'soon'"),
        ({"MAPSERVER_WATCH_EVERY": "nan"}, "MAPSERVER_WATCH_EVERY must not be negative"),
        ({"MAPSERVER_STRICT": "maybe"}, "MAPSERVER_STRICT must be true or false, not 'maybe'"),
        ({"MAPSERVER_PUBLIC_URL": "maps.example"}, r"MAPSERVER_PUBLIC_URL must be an http\(s\)"),
        ({"MAPSERVER_THREADS": "0"}, "MAPSERVER_THREADS must be at least 1"),
        ({"MAPSERVER_THREADS": "19"}, r"\(19\) must be less than MAPSERVER_THREADS \(19\)"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_variable(environ, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ=environ)
    assert "\n" not in str(caught.value)


def test_bad_overrides_name_their_variable_too():
    with pytest.raises(ConfigError, match="^MAPSERVER_LAG_DAYS: .*not 2.5$"):
        load_settings({"lag_days": 2.5}, environ={})
    with pytest.raises(ConfigError, match="^MAPSERVER_REGIONS: "):
        load_settings({"regions_file": 5}, environ={})
    with pytest.raises(ConfigError, match="^unknown setting 'regions'$"):
        load_settings({"regions": "x.toml"}, environ={})


def test_settings_are_frozen_and_copied_with_changes():
    settings = load_settings(environ={})
    assert hash(settings) == hash(load_settings(environ={}))
    with pytest.raises(ValueError, match="frozen"):
        settings.lag_days = 1
    changed = settings.model_copy(update={"data_dir": Path("/v"), "cases": "c.csv"})
    assert changed.path("cases") == Path("/v/c.csv") and settings.data_dir is None
