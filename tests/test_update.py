"""`mapserver update` on the hand-made fixture: versions kept, every refusal, crashes."""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapserver import create_app
from mapserver.cli import main
from mapserver.store.versions import VersionStore

from .conftest import TINY

CASES_HEADER = "areaCode,areaName,areaType,date,newCasesBySpecimenDate\n"


def make_env(tmp_path: Path) -> dict:
    """Settings for a copy of the tiny fixture, with the version store in tmp_path/store."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    return {
        "MAPSERVER_DATA_DIR": str(data),
        "MAPSERVER_CASES": "cases.csv",
        "MAPSERVER_POPULATION": "population.csv",
        "MAPSERVER_LOOKUP": "lookup.csv",
        "MAPSERVER_BOUNDARIES": "boundaries.geojson",
        "MAPSERVER_REGIONS": str(data / "regions.toml"),
        "MAPSERVER_LAG_DAYS": "0",
        "MAPSERVER_STORE_DIR": str(tmp_path / "store"),
    }


@pytest.fixture
def env(tmp_path) -> dict:
    """Settings for a copy of the tiny fixture, with the version store in tmp_path/store."""
    return make_env(tmp_path)


def run(env: dict, *args: str):
    """`mapserver ARGS` in-process, with stdout and stderr apart."""
    return CliRunner(env=env).invoke(main, list(args))


def tiny_rows() -> list[str]:
    """The fixture's case rows, without the header."""
    return (TINY / "cases.csv").read_text().splitlines(keepends=True)[1:]


def next_day_rows() -> list[str]:
    """The fixture's rows plus a 15th day, 2021-01-15, for every area (5 cases each)."""
    codes = {row.split(",")[0]: row.split(",")[1] for row in tiny_rows()}
    return tiny_rows() + [f"{c},{n},ltla,2021-01-15,5\n" for c, n in codes.items()]


def write(tmp_path: Path, name: str, rows: list[str], header: str = CASES_HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(rows))
    return path


def config_of(env: dict, **extra) -> dict:
    """The same settings as `env`, as create_app overrides (no watcher thread)."""
    names = {
        "MAPSERVER_DATA_DIR": "data_dir",
        "MAPSERVER_CASES": "cases",
        "MAPSERVER_POPULATION": "population",
        "MAPSERVER_LOOKUP": "lookup",
        "MAPSERVER_BOUNDARIES": "boundaries",
        "MAPSERVER_REGIONS": "regions_file",
        "MAPSERVER_LAG_DAYS": "lag_days",
        "MAPSERVER_STORE_DIR": "store_dir",
    }
    return {names[k]: v for k, v in env.items() if k in names} | {"watch_every": "0"} | extra


SERVED = (
    "/embed/england",
    "/map/england",
    "/api/rates.csv?region=england",
    "/values/{version}/england/2021-01-14.json",
    "/image/england.png?width=300",
)


def served(app) -> dict[str, bytes]:
    """The bodies of a few pages and resources, as the app answers them now."""
    client = app.test_client()
    version = client.get("/healthz").get_json()["data_version"]
    return {url: client.get(url.format(version=version)).data for url in SERVED}


def assert_still_served(app, env: dict, before: dict[str, bytes]) -> None:
    """The running app does not switch, and it and a restarted one answer as before."""
    assert not app.extensions["mapserver"].registry.check()
    assert served(app) == before
    assert served(create_app(config_of(env))) == before


def store_of(env: dict) -> VersionStore:
    return VersionStore(Path(env["MAPSERVER_STORE_DIR"]))


def tree_digest(folder: Path) -> str:
    """One hash over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_first_update_seeds_then_accepts_a_new_day(env, tmp_path):
    path = write(tmp_path, "next.csv", next_day_rows())
    result = run(env, "update", str(path))
    assert result.exit_code == 0, result.stderr
    store = store_of(env)
    names = [v.name for v in store.versions()]
    assert len(names) == 2  # the configured files first, then the new day
    assert store.current_name() == names[1]
    lines = result.stdout.splitlines()
    assert lines[0] == f"seeded the store with the configured data as version {names[0]}"
    assert lines[1] == f"data version {names[1]} is now current (was {names[0]})"
    assert lines[2] == "1 new day(s), 2021-01-15"
    assert lines[3] == "0 new area(s)"
    assert lines[4].startswith("0 past week(s) revised: 0 of ")
    current = store.current()
    assert current.manifest["last_date"] == "2021-01-15"
    # Tables are stored xz-compressed, with the same content.
    assert current.manifest["files"]["cases"] == "cases/next.csv.xz"
    assert lzma.decompress(current.file("cases").read_bytes()) == path.read_bytes()
    # Files not given are carried over from the previous version.
    assert lzma.decompress(current.file("lookup").read_bytes()) == (
        (TINY / "lookup.csv").read_bytes()
    )
    listing = run(env, "versions").stdout
    assert f"{names[1]}" in listing and "current" in listing.splitlines()[-1]


def test_the_cli_and_notebook_read_the_current_version_not_the_configured_files(
    env, tmp_path, monkeypatch
):
    """After an update, `rates`, `facts`, `html` and mapserver.load() show the new day."""
    from mapserver.maps import notebook

    region = ["--region", "alpha-and-charlie"]
    before = run(env, "rates", *region).stdout
    assert before.startswith("Alpha and Charlie: 7 days to 14 January 2021")
    assert run(env, "update", str(write(tmp_path, "next.csv", next_day_rows()))).exit_code == 0

    # Alpha has 10 cases a day and 100,000 people: 70 in the 7 days to the 14th; the
    # 7 days to the 15th hold six days of 10 and the new day's 5.
    rates = run(env, "rates", *region).stdout
    assert rates.startswith("Alpha and Charlie: 7 days to 15 January 2021")
    alpha = next(line.split() for line in rates.splitlines() if line.startswith("E06000901"))
    assert alpha[2:4] == ["65", "65.0"]
    facts = run(env, "facts", *region).stdout
    assert "key facts for the 7 days to 15 January 2021" in facts
    output = tmp_path / "map.html"
    assert run(env, "html", *region, "-o", str(output)).exit_code == 0
    assert "15 January 2021" in output.read_text()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert f"{notebook.load().last_date:%Y-%m-%d}" == "2021-01-15"


def test_the_same_files_again_change_nothing(env, tmp_path):
    path = write(tmp_path, "next.csv", next_day_rows())
    assert run(env, "update", str(path)).exit_code == 0
    again = run(env, "update", str(path))
    assert again.exit_code == 0
    assert again.stdout.strip().endswith("is already current; nothing to do")
    assert len(store_of(env).versions()) == 2


def _missing_column(rows):
    return [",".join(row.rstrip("\n").split(",")[:4]) + "\n" for row in rows]


def _replace_first(old, new):
    def change(rows):
        rows = list(rows)
        rows[3] = rows[3].replace(old, new)
        return rows

    return change


def _replace_in_first_row_with(old, new):
    """Replace `old` with `new` in the first row that holds it."""

    def change(rows):
        rows = list(rows)
        at = next(i for i, row in enumerate(rows) if old in row)
        rows[at] = rows[at].replace(old, new)
        return rows

    return change


def _doubled(rows):
    out = []
    for row in rows:
        *head, count = row.rstrip("\n").split(",")
        out.append(",".join([*head, str(int(count) * 2 + 1)]) + "\n")
    return out


def _truncated(rows):
    text = "".join(rows)
    return [text[: int(len(text) * 0.6)]]


REFUSALS = {
    "missing column": (
        _missing_column,
        "areaCode,areaName,areaType,date\n",
        "lacks column(s) newCasesBySpecimenDate",
    ),
    "negative count": (_replace_first(",10\n", ",-3\n"), CASES_HEADER, "a negative count"),
    "fractional count": (
        _replace_first(",10\n", ",2.5\n"),
        CASES_HEADER,
        "a count that is not a whole number",
    ),
    "unparseable date": (
        _replace_first("2021-01-04", "2021-13-04"),
        CASES_HEADER,
        "a date that does not parse",
    ),
    "fewer days": (
        lambda rows: [r for r in rows if "2021-01-14" not in r and "2021-01-15" not in r],
        CASES_HEADER,
        "covers fewer days than the current data (2021-01-01 to 2021-01-13, current "
        "2021-01-01 to 2021-01-14)",
    ),
    "fewer areas": (
        lambda rows: [r for r in rows if not r.startswith("W06000902")],
        CASES_HEADER,
        "covers fewer areas than the current data (4 against 5; missing W06000902)",
    ),
    "too many revisions": (
        _doubled,
        CASES_HEADER,
        "revises 100.0% of past 7-day sums",
    ),
    # Implausible figures: a date after today, and more cases in a day than people.
    "date after today": (
        _replace_in_first_row_with("2021-01-15", "2030-01-15"),
        CASES_HEADER,
        "date 2030-01-15 is after today",
    ),
    "count above population": (
        _replace_in_first_row_with(",5\n", ",1000000000000\n"),
        CASES_HEADER,
        "1,000,000,000,000 cases in a day is more than the area's population of 50,000",
    ),
    "unknown code": (
        _replace_in_first_row_with("E06000901,", "E06099999,"),
        CASES_HEADER,
        "line 2: codes that map to no district: E06099999",
    ),
    # Cut in the middle of a row: its date is cut short too.
    "truncated file": (_truncated, CASES_HEADER, "a date that does not parse"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_leave_the_current_version(env, tmp_path, name):
    change, header, reason = REFUSALS[name]
    assert run(env, "update").exit_code == 0  # seed: the fixture becomes the first version
    store = store_of(env)
    before, digest = store.current_name(), tree_digest(store.root / "versions")
    app = create_app(config_of(env))
    answers = served(app)
    path = write(tmp_path, "bad.csv", change(next_day_rows()), header)
    result = run(env, "update", str(path))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"Error: {path}: ") or message.startswith(f"Error: cases file {path}")
    assert reason in message
    assert result.stdout == ""
    assert store.current_name() == before
    assert tree_digest(store.root / "versions") == digest  # nothing added, nothing staged
    assert_still_served(app, env, answers)


def test_revisions_can_be_accepted(env, tmp_path):
    path = write(tmp_path, "revised.csv", _doubled(next_day_rows()))
    result = run(env, "update", "--accept-revisions", str(path))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # 8 windows (ending on days 7-14) are known for 4 series, and 3 for W06000901
    # (no row on 2021-01-10): 35 sums, all changed.
    assert "8 past week(s) revised: 35 of 35 7-day sums (100.00%) in 5 area(s)" in lines
    largest = [line for line in lines if line.startswith("  largest: ")]
    assert len(largest) == 5 and all(line.endswith(" cases") for line in largest)
    assert store_of(env).current().manifest["last_date"] == "2021-01-15"


def test_revision_threshold_is_a_setting(env, tmp_path):
    path = write(tmp_path, "revised.csv", _doubled(next_day_rows()))
    result = run({**env, "MAPSERVER_REVISION_THRESHOLD": "1"}, "update", str(path))
    assert result.exit_code == 0, result.stderr


def test_a_missing_file_is_refused(env, tmp_path):
    result = run(env, "update", str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'nowhere.csv'}: cases file not found"


def _crash(env: dict, step: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapserver.cli", "update", str(path)],
        env={**os.environ, **env, "MAPSERVER_FAULT_AT": step},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("step", ["staged", "committed"])
def test_a_crash_leaves_the_previous_version_current(env, tmp_path, step):
    assert run(env, "update").exit_code == 0
    store = store_of(env)
    before = store.current_name()
    seed_digest = tree_digest(store.root / "versions" / before)
    app = create_app(config_of(env))
    answers = served(app)
    path = write(tmp_path, "next.csv", next_day_rows())
    crashed = _crash(env, step, path)
    assert crashed.returncode == 75  # the process died at the step
    assert store.current_name() == before
    assert store.current().manifest["version"] == before
    assert tree_digest(store.root / "versions" / before) == seed_digest
    assert_still_served(app, env, answers)
    # After a crash the update simply runs again; leftovers are cleaned up.
    result = run(env, "update", str(path))
    assert result.exit_code == 0, result.stderr
    assert store.current_name() != before
    assert not list((store.root / "versions").glob(".staging-*"))


def test_old_versions_are_pruned_except_pinned(env, tmp_path):
    env = {**env, "MAPSERVER_VERSIONS_KEPT": "2"}
    rows = next_day_rows()
    assert run(env, "update").exit_code == 0
    store = store_of(env)
    seed = store.current_name()
    store.pin(seed)
    names = [seed]
    for day in (16, 17, 18):
        codes = {row.split(",")[0] for row in tiny_rows()}
        rows = rows + [f"{code},X,ltla,2021-01-{day},5\n" for code in sorted(codes)]
        result = run(env, "update", str(write(tmp_path, f"day{day}.csv", rows)))
        assert result.exit_code == 0, result.stderr
        names.append(store.current_name())
    kept = [v.name for v in store.versions()]
    # The newest two, and the pinned seed; the first update's version is gone.
    assert kept == [seed, names[2], names[3]]


@pytest.mark.parametrize(
    "variable, raw, problem",
    [
        ("MAPSERVER_REVISION_THRESHOLD", "a lot", "must be a number"),
        ("MAPSERVER_REVISION_THRESHOLD", "-0.1", "must not be negative"),
        ("MAPSERVER_VERSIONS_KEPT", "two", "must be a whole number"),
    ],
)
def test_bad_version_settings_are_refused(env, variable, raw, problem):
    result = run({**env, variable: raw}, "update")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {variable} {problem}, not {raw!r}"
