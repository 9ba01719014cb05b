"""`mapserver fetch`: manifests, mirrors (directory and loopback HTTP), checksums, atomicity."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapserver.cli import main
from mapserver.core import config
from mapserver.core.config import load_settings
from mapserver.core.errors import FetchError
from mapserver.ingest import sources
from mapserver.ingest.sources import FetchReport, ManifestEntry

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

EXPECTED_PATHS = [
    "boundaries/lad19_uk_buc_ons.shp",
    "boundaries/lad19_uk_buc_ons.shx",
    "boundaries/lad19_uk_buc_ons.dbf",
    "boundaries/lad19_uk_buc_ons.prj",
    "boundaries/lad19_uk_buc_ons.cpg",
    "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv",
    "population/ons_mye2019_population_lad19.csv",
    "lookups/lad19_lad20_utla_region_lookup.csv",
]
BIG = "cases/ltla_newCasesBySpecimenDate_ukhsa_archive.csv"


# --- helpers --------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_for(data_dir: Path, mirror: str | Path | None):
    """Settings with no environment, so MAPSERVER_* variables cannot leak in."""
    overrides = {"data_dir": data_dir}
    if mirror is not None:
        overrides["mirror"] = str(mirror)
    return load_settings(overrides, environ={})


def fake_entry(path: str, content: bytes, origin: str | None = None) -> ManifestEntry:
    """A manifest entry for tiny hand-made bytes (sha256 computed here, independently)."""
    return ManifestEntry(
        path=path,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        title=f"test file {path}",
        publisher="tests",
        licence="OGL-3.0",
        source="made up in tests/test_fetch.py",
        origin=origin,
    )


def all_files(directory: Path) -> set[str]:
    """Every file under directory (temporary .part files included), as relative paths."""
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def mtimes(directory: Path, paths: list[str]) -> dict[str, int]:
    return {p: (directory / p).stat().st_mtime_ns for p in paths}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def serve(directory: Path, handler=QuietHandler) -> Iterator[str]:
    """Serve directory over HTTP on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real data is expected at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="module")
def manifest() -> list[ManifestEntry]:
    return sources.load_manifest()


@pytest.fixture(scope="module")
def small_entries(manifest) -> list[ManifestEntry]:
    """The real entries except the 21 MB cases file."""
    return [e for e in manifest if e.path != BIG]


@pytest.fixture(scope="module")
def fetched_dir(tmp_path_factory, shared_data) -> tuple[Path, FetchReport]:
    """A data dir filled once from the shared data used as a mirror directory."""
    data_dir = tmp_path_factory.mktemp("fetched")
    report = sources.fetch_all(settings_for(data_dir, shared_data))
    return data_dir, report


@pytest.fixture
def small_mirror(tmp_path, shared_data, small_entries) -> Path:
    """A writable mirror directory holding copies of the real small files."""
    mirror = tmp_path / "mirror"
    for entry in small_entries:
        (mirror / entry.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_data / entry.path, mirror / entry.path)
    return mirror


@contextmanager
def mirror_as(kind: str, directory: Path) -> Iterator[str]:
    """The directory as a mirror setting: a plain path, a file:// URL or a loopback URL."""
    if kind == "dir":
        yield str(directory)
    elif kind == "file-url":
        yield directory.resolve().as_uri()
    else:
        with serve(directory) as url:
            yield url


# --- manifests ------------------------------------------------------------------------


def test_manifest_lists_the_eight_files_with_checksums_of_the_real_data(manifest, shared_data):
    assert [e.path for e in manifest] == EXPECTED_PATHS
    for entry in manifest:
        real = shared_data / entry.path
        assert entry.size == real.stat().st_size, entry.path
        assert entry.sha256 == sha256_of(real), entry.path
        assert entry.licence == "OGL-3.0"
        assert entry.title and entry.publisher and entry.source


def test_manifest_covers_every_default_data_setting(manifest):
    paths = {e.path for e in manifest}
    for default in (
        config.DEFAULT_BOUNDARIES,
        config.DEFAULT_CASES,
        config.DEFAULT_POPULATION,
        config.DEFAULT_LOOKUP,
    ):
        assert default in paths


def test_only_byte_identical_files_have_a_commit_pinned_origin(manifest):
    commit = "2c2d323d6a12f6f9ef688b2dd189f5c05f56f40d"
    for entry in manifest:
        if entry.path.startswith("boundaries/"):
            suffix = entry.path.rsplit(".", 1)[1]
            assert entry.origin == (
                f"https://raw.githubusercontent.com/s0810110/Cvd_NCGFS_TrendAnalysis/{commit}"
                f"/data/Local_Authority_Districts__December_2019__Boundaries_UK_BUC.{suffix}"
            )
        else:  # converted from .rda or built from lookups: no public byte-identical copy
            assert entry.origin is None, entry.path
            assert "derived" in entry.source.lower()


GOOD_TABLE = """
[[file]]
path = "a/b.csv"
sha256 = "{sha}"
size = 3
title = "t"
publisher = "p"
licence = "OGL-3.0"
source = "s"
""".format(sha="0" * 64)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[file]\npath = 1", "not valid TOML"),
        ("title = 'no files'", "only [[file]] tables"),
        (GOOD_TABLE.replace('sha256 = "' + "0" * 64 + '"\n', ""), "missing sha256"),
        (GOOD_TABLE.replace("0" * 64, "0" * 63), "64 lowercase hex"),
        (GOOD_TABLE.replace("0" * 64, "A" * 64), "64 lowercase hex"),
        (GOOD_TABLE.replace("size = 3", "size = -1"), "size must be"),
        (GOOD_TABLE.replace("size = 3", 'size = "3"'), "size must be"),
        (GOOD_TABLE.replace('"a/b.csv"', '"/etc/passwd"'), "path must be relative"),
        (GOOD_TABLE.replace('"a/b.csv"', '"../b.csv"'), "path must be relative"),
        (GOOD_TABLE.replace('title = "t"', 'title = ""'), "title must be"),
        (GOOD_TABLE + 'origin = "ftp://x/y"\n', "origin must be an http(s) URL"),
        (GOOD_TABLE + 'orign = "https://x/y"\n', "unknown key orign"),
        (GOOD_TABLE + GOOD_TABLE, "listed twice"),
    ],
)
def test_malformed_manifest_is_a_clear_fetch_error(tmp_path, text, message):
    path = tmp_path / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FetchError, match=r"manifest\.toml") as caught:
        sources.load_manifest([path])
    assert message in str(caught.value)


def test_missing_manifest_is_a_fetch_error(tmp_path):
    with pytest.raises(FetchError, match="cannot read manifest"):
        sources.load_manifest([tmp_path / "nope.toml"])


def test_good_manifest_loads(tmp_path):
    path = tmp_path / "manifest.toml"
    path.write_text(GOOD_TABLE + 'origin = "https://example.org/b.csv"\n', encoding="utf-8")
    [entry] = sources.load_manifest([path])
    assert entry == ManifestEntry(
        path="a/b.csv",
        sha256="0" * 64,
        size=3,
        title="t",
        publisher="p",
        licence="OGL-3.0",
        source="s",
        origin="https://example.org/b.csv",
    )


# --- fetching the real files ----------------------------------------------------------


def test_fetch_from_a_mirror_directory_brings_all_eight_files(fetched_dir, manifest):
    data_dir, report = fetched_dir
    assert report.fetched == EXPECTED_PATHS
    assert report.up_to_date == []
    assert all_files(data_dir) == set(EXPECTED_PATHS)  # and no temporary files
    for entry in manifest:
        assert sha256_of(data_dir / entry.path) == entry.sha256
    assert sources.verify_data(settings_for(data_dir, None)) == []


def test_second_run_does_nothing(fetched_dir, shared_data):
    data_dir, _ = fetched_dir
    before = mtimes(data_dir, EXPECTED_PATHS)
    report = sources.fetch_all(settings_for(data_dir, shared_data))
    assert report.fetched == []
    assert report.up_to_date == EXPECTED_PATHS
    assert mtimes(data_dir, EXPECTED_PATHS) == before
    assert report.summary_lines()[-1].startswith("0 files fetched, 8 files up to date")


def test_up_to_date_files_need_no_mirror_at_all(fetched_dir, tmp_path):
    data_dir, _ = fetched_dir
    report = sources.fetch_all(settings_for(data_dir, tmp_path / "no-such-mirror"))
    assert report.up_to_date == EXPECTED_PATHS


def test_fetch_over_loopback_http(tmp_path, shared_data, manifest, capsys):
    with serve(shared_data) as url:
        report = sources.fetch_all(settings_for(tmp_path, url + "/"), progress=True)
    assert report.fetched == EXPECTED_PATHS
    assert all_files(tmp_path) == set(EXPECTED_PATHS)
    for entry in manifest:
        assert sha256_of(tmp_path / entry.path) == entry.sha256
    assert capsys.readouterr().err == ""  # tqdm stays silent when stderr is not a TTY


def test_fetch_from_a_file_url_mirror(tmp_path, small_mirror, small_entries):
    data_dir = tmp_path / "data"
    report = sources.fetch_all(settings_for(data_dir, small_mirror.as_uri()), small_entries)
    assert report.fetched == [e.path for e in small_entries]


# --- failures -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dir", "file-url", "http"])
def test_checksum_mismatch_leaves_the_file_in_place_untouched(
    tmp_path, small_mirror, small_entries, kind
):
    bad = "population/ons_mye2019_population_lad19.csv"
    (small_mirror / bad).write_bytes(b"areaCode,population\nE06000001,1\n")
    data_dir = tmp_path / "data"
    (data_dir / "population").mkdir(parents=True)
    (data_dir / bad).write_bytes(b"the file already in place\n")
    with mirror_as(kind, small_mirror) as mirror, pytest.raises(FetchError) as caught:
        sources.fetch_all(settings_for(data_dir, mirror), small_entries)
    message = str(caught.value)
    expected = next(e.sha256 for e in small_entries if e.path == bad)
    actual = sha256_of(small_mirror / bad)
    assert f"{bad}: checksum mismatch" in message
    assert expected in message and actual in message
    assert (data_dir / bad).read_bytes() == b"the file already in place\n"
    # The other files were still fetched, and nothing temporary is left behind.
    assert all_files(data_dir) == {e.path for e in small_entries}
    assert sources.verify_data(settings_for(data_dir, None), small_entries) == [bad]


@pytest.mark.parametrize("kind", ["dir", "http"])
def test_missing_file_in_the_mirror_is_named(tmp_path, small_mirror, small_entries, kind):
    gone = "boundaries/lad19_uk_buc_ons.dbf"
    (small_mirror / gone).unlink()
    data_dir = tmp_path / "data"
    with mirror_as(kind, small_mirror) as mirror, pytest.raises(FetchError) as caught:
        sources.fetch_all(settings_for(data_dir, mirror), small_entries)
    assert f"{gone}: missing in mirror" in str(caught.value)
    assert "could not fetch 1 file (6 files fetched" in str(caught.value)
    assert all_files(data_dir) == {e.path for e in small_entries} - {gone}


def test_every_failure_is_reported_in_one_error(tmp_path):
    mirror, data_dir = tmp_path / "mirror", tmp_path / "data"
    mirror.mkdir()
    good = fake_entry("good.txt", b"good\n")
    corrupt = fake_entry("sub/corrupt.txt", b"expected\n")
    missing = fake_entry("missing.txt", b"never there\n")
    (mirror / "good.txt").write_bytes(b"good\n")
    (mirror / "sub").mkdir()
    (mirror / "sub" / "corrupt.txt").write_bytes(b"tampered\n")
    with pytest.raises(FetchError) as caught:
        sources.fetch_all(settings_for(data_dir, mirror), [corrupt, good, missing])
    message = str(caught.value)
    assert "could not fetch 2 files (1 file fetched, 0 files up to date)" in message
    assert "sub/corrupt.txt: checksum mismatch" in message
    assert hashlib.sha256(b"tampered\n").hexdigest() in message
    assert "missing.txt: missing in mirror" in message
    assert all_files(data_dir) == {"good.txt"}


def test_a_wrong_file_in_place_is_replaced(tmp_path):
    mirror, data_dir = tmp_path / "mirror", tmp_path / "data"
    mirror.mkdir()
    data_dir.mkdir()
    entry = fake_entry("x.txt", b"right\n")
    (mirror / "x.txt").write_bytes(b"right\n")
    (data_dir / "x.txt").write_bytes(b"wrong\n")
    assert sources.verify_data(settings_for(data_dir, None), [entry]) == ["x.txt"]
    report = sources.fetch_all(settings_for(data_dir, mirror), [entry])
    assert report.fetched == ["x.txt"]
    assert (data_dir / "x.txt").read_bytes() == b"right\n"
    assert sources.verify_data(settings_for(data_dir, None), [entry]) == []


def test_no_mirror_and_no_origin_says_to_set_the_mirror(tmp_path):
    entry = fake_entry("derived/thing.csv", b"a,b\n1,2\n")
    with pytest.raises(FetchError) as caught:
        sources.fetch_all(settings_for(tmp_path, None), [entry])
    assert "derived/thing.csv" in str(caught.value)
    assert "MAPSERVER_MIRROR" in str(caught.value)
    assert all_files(tmp_path) == set()


def test_no_mirror_downloads_from_each_origin(tmp_path):
    served = tmp_path / "served"
    (served / "deep" / "dir").mkdir(parents=True)
    (served / "deep" / "dir" / "Original Name.shp").write_bytes(b"\x00\x00\x27\x0a shape")
    data_dir = tmp_path / "data"
    with serve(served) as url:
        entry = fake_entry(
            "boundaries/renamed.shp",
            b"\x00\x00\x27\x0a shape",
            origin=f"{url}/deep/dir/Original%20Name.shp",
        )
        report = sources.fetch_all(settings_for(data_dir, None), [entry])
    assert report.fetched == ["boundaries/renamed.shp"]
    assert (data_dir / "boundaries" / "renamed.shp").read_bytes() == b"\x00\x00\x27\x0a shape"


class TroubleHandler(QuietHandler):
    """Answers /broken with HTTP 500 and /truncated with half the bytes it promises."""

    def do_GET(self):
        if self.path == "/broken":
            self.send_error(500, "Broken on purpose")
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 500)
            self.close_connection = True
        else:
            super().do_GET()


def test_http_errors_and_truncated_downloads_leave_nothing_behind(tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "keep").mkdir(parents=True)
    (data_dir / "keep" / "truncated.bin").write_bytes(b"previous version\n")
    with serve(tmp_path, handler=TroubleHandler) as url:
        broken = fake_entry("keep/broken.bin", b"y" * 1000, origin=f"{url}/broken")
        truncated = fake_entry("keep/truncated.bin", b"x" * 1000, origin=f"{url}/truncated")
        with pytest.raises(FetchError) as caught:
            sources.fetch_all(settings_for(data_dir, None), [broken, truncated])
    message = str(caught.value)
    assert "keep/broken.bin: HTTP 500" in message
    assert "keep/truncated.bin: download failed" in message
    assert all_files(data_dir) == {"keep/truncated.bin"}
    assert (data_dir / "keep" / "truncated.bin").read_bytes() == b"previous version\n"


@pytest.mark.parametrize("mirror", ["ftp://example.org/data", "s3://bucket/data"])
def test_unsupported_mirror_scheme_is_refused(tmp_path, mirror):
    with pytest.raises(FetchError, match="use a directory, a file:// URL or an http"):
        sources.fetch_all(settings_for(tmp_path, mirror), [fake_entry("a", b"a")])


def test_verify_data_lists_missing_and_wrong_files(tmp_path):
    present = fake_entry("ok.txt", b"ok\n")
    wrong = fake_entry("wrong.txt", b"right\n")
    absent = fake_entry("absent/file.txt", b"?\n")
    (tmp_path / "ok.txt").write_bytes(b"ok\n")
    (tmp_path / "wrong.txt").write_bytes(b"rigth\n")  # same size, different bytes
    settings = settings_for(tmp_path, None)
    assert sources.verify_data(settings, [present, wrong, absent]) == [
        "wrong.txt",
        "absent/file.txt",
    ]


def test_summary_lines():
    report = FetchReport(fetched=["a.csv"], up_to_date=["b.csv", "c.csv"], data_dir=Path("/d"))
    assert report.summary_lines() == ["fetched a.csv", "1 file fetched, 2 files up to date in /d"]


# --- the command line -----------------------------------------------------------------


def test_cli_fetch_prints_the_summary(tmp_path, shared_data):
    runner = CliRunner()
    data_dir = tmp_path / "data"
    args = ["fetch", "--mirror", str(shared_data), "--data-dir", str(data_dir)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"fetched {BIG}" in first.output
    assert "8 files fetched, 0 files up to date" in first.output
    assert all_files(data_dir) == set(EXPECTED_PATHS)
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "0 files fetched, 8 files up to date" in second.output


def test_cli_fetch_failure_exits_non_zero_naming_the_files(tmp_path):
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    result = CliRunner().invoke(
        main, ["fetch", "--mirror", str(empty_mirror), "--data-dir", str(tmp_path / "data")]
    )
    assert result.exit_code == 1
    for path in EXPECTED_PATHS:
        assert f"{path}: missing in mirror" in result.output
