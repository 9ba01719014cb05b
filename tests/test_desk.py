"""The desk's domain steps (issue 26): upload, check (writing nothing), describe,
publish and republish; with small hand-made files and hand-worked expectations."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from mapserver.core.config import load_settings
from mapserver.core.errors import DataError
from mapserver.ingest.indicator import Indicator
from mapserver.maps.labels import MODES
from mapserver.store.indicator_store import read_versions
from mapserver.update.description import LABEL_MODES, Description, described
from mapserver.update.desk import (
    Refusal,
    check_upload,
    description_problems,
    embed_params,
    preview,
    publish,
    redescribe,
    starting_description,
)
from mapserver.update.indicators import Checked
from mapserver.update.upload import Upload, pasted, sniffed_suffix

from .test_update import tree_digest

TODAY = date(2026, 12, 7)
FILES = Path(__file__).parent / "fixtures" / "files"
# Three districts in two years, with a region's and England's rows: six rows kept.
COUNTS = (
    "code,period,count\n"
    "E07000148,2019,10\n"
    "E07000149,2019,20\n"
    "E07000150,2019,30\n"
    "E07000148,2020,12\n"
    "E07000149,2020,22\n"
    "E07000150,2020,33\n"
    "E12000006,2020,500\n"
    "E92000001,2020,5000\n"
)
ID = "desk-counts"


@pytest.fixture
def settings(tmp_path):
    return load_settings({"store_dir": str(tmp_path / "store")})


def checked(settings, text: str = COUNTS, name: str = "counts.csv") -> Checked:
    result = check_upload(settings, Upload(text.encode(), name), id=ID, today=TODAY)
    assert isinstance(result, Checked), result
    return result


# --- check: what was read, nothing written -------------------------------------------


def test_a_good_file_is_read_and_checked_and_nothing_is_written(settings):
    result = checked(settings)
    assert (result.rows, result.areas) == (6, 3)
    assert [period.key for period in result.periods] == ["2020", "2019"]
    assert result.latest.key == "2020"
    assert result.indicator.id == ID
    assert result.indicator.unit == "per 100,000"
    assert result.notes[0].startswith("set aside 2 rows for 2 areas other than districts")
    assert not Path(settings.store_root).exists()  # not even the store's folder


def refused(settings, text: str, name: str = "counts.csv", **options) -> str:
    result = check_upload(settings, Upload(text.encode(), name), today=TODAY, **options)
    assert isinstance(result, Refusal), result
    return result.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "code,period,count\nE07000148,2030,5\n",
            "counts.csv, line 2: period 2030 begins after today (2026-12-07)",
        ),
        ("code,period,count\nE07999999,2019,5\n", "counts.csv, line 2"),
        ("", "counts.csv, line 1: the file is empty"),
        ("code,period,count\nE07000148,2019,500000\n", "counts.csv, line 2"),
    ],
)
def test_a_refusal_is_one_line_naming_the_upload_and_changes_nothing(settings, text, message):
    publish(settings, checked(settings), Description(title="Counts"), today=TODAY)
    before = tree_digest(Path(settings.store_root))
    found = refused(settings, text)
    assert found.startswith(message), found
    assert "\n" not in found and "mapserver-upload-" not in found  # no temporary folder
    assert tree_digest(Path(settings.store_root)) == before


def test_an_outlier_is_refused_unless_accepted_and_then_said(settings):
    # Twenty East of England districts with values of 30 to 34, and Norwich's 30,000.
    codes = ["0148", "0149", "0143", "0144", "0145", "0146", "0147", "0066", "0067", "0068"]
    codes += ["0069", "0070", "0071", "0072", "0073", "0074", "0075", "0076", "0077", "0095"]
    rows = [f"E0700{code},2019,{30000 if code == '0148' else 30 + i % 5}" for i, code in
            enumerate(codes)]  # fmt: skip
    text = "code,period,value\n" + "\n".join(rows) + "\n"
    message = refused(settings, text)
    assert message.startswith("counts.csv, line 2: 30,000 for E07000148 in 2019"), message
    assert message.endswith("(if it is right, add the file with --accept-outlier E07000148:2019)")
    accepted = check_upload(
        settings, Upload(text.encode(), "c.csv"), today=TODAY, accept_outliers=("E07000148",)
    )
    assert isinstance(accepted, Checked)
    assert accepted.notes[-1].startswith("accepted outlier (line 2): 30,000 for E07000148")


# --- upload input: pastes, workbooks, the size limit -----------------------------------


def test_a_paste_from_a_spreadsheet_reads_as_the_same_table(settings):
    # As Excel puts it on the clipboard: tabs, Windows line ends, an empty last line.
    clipboard = COUNTS.replace(",", "\t").replace("\n", "\r\n") + "\r\n"
    upload = pasted(clipboard)
    assert upload.content == COUNTS.replace(",", "\t").encode()
    assert upload.name == "pasted.tsv"
    result = check_upload(settings, upload, id=ID, today=TODAY)
    assert isinstance(result, Checked)
    plain = checked(settings)
    pd.testing.assert_frame_equal(
        result.observations.frame.drop(columns="line"),
        plain.observations.frame.drop(columns="line"),
    )
    assert result.notes == ("fields separated by tabs", *plain.notes)


@pytest.mark.parametrize(
    ("size", "limit", "message"),
    [
        (1_234_567, 1, "The file is 1.3 MB; the limit is 1 MB."),
        (1_000_001, 1, "The file is 1.1 MB; the limit is 1 MB."),  # rounded up, never 1.0
        (12_300_000, 10, "The file is 12.3 MB; the limit is 10 MB."),
        (600_000, 0.5, "The file is 0.6 MB; the limit is 0.5 MB."),
    ],
)
def test_an_upload_over_the_limit_is_refused_saying_both_sizes(tmp_path, size, limit, message):
    settings = load_settings({"store_dir": str(tmp_path), "upload_limit_mb": str(limit)})
    assert refused(settings, "x" * size) == message
    assert not any(tmp_path.iterdir())


def test_a_paste_over_the_limit_says_it_is_a_paste(tmp_path):
    settings = load_settings({"store_dir": str(tmp_path), "upload_limit_mb": "1"})
    found = check_upload(settings, pasted("a\tb\n" * 300_000), today=TODAY)
    assert found == Refusal("The pasted table is 1.2 MB; the limit is 1 MB.")


def test_an_upload_at_the_limit_is_read(tmp_path):
    settings = load_settings({"store_dir": str(tmp_path), "upload_limit_mb": "0.000165"})
    assert len(COUNTS.encode()) == 165
    assert isinstance(check_upload(settings, Upload(COUNTS.encode(), "c.csv")), Checked)


@pytest.mark.parametrize(
    ("file", "suffix"),
    [("smoking.ods", ".ods"), ("smoking-notes-above.xlsx", ".xlsx"), ("smoking.csv", ".csv")],
)
def test_a_workbook_without_a_suffix_is_known_by_its_bytes(settings, file, suffix):
    content = (FILES / file).read_bytes()
    assert sniffed_suffix(content) == suffix
    assert Upload(content, "Book 1").name == f"Book 1{suffix}"
    result = check_upload(settings, Upload(content, "Book 1"), today=TODAY)
    assert isinstance(result, Checked), result
    assert (result.rows, result.areas) == (8, 4)


def test_an_uploaded_name_loses_its_folders_and_odd_characters():
    assert Upload(b"", "C:\\Users\\me\\My figures.csv").name == "My figures.csv"
    assert Upload(b"", "../../etc/passwd").name == "passwd.csv"
    assert Upload(b"", "<b>x<b>.CSV").name == "b-x-b-.CSV"
    assert Upload(b"", "").name == "upload.csv"


# --- describe --------------------------------------------------------------------------


def test_a_right_description_has_no_problems(settings):
    found = checked(settings)
    description = Description(
        title="  Counts  ",
        subtitle="By district",
        source_url="https://example.org/counts",
        notes="First.\r\n\r\nSecond.",
        region="E12000006",
        period="2019",
        scheme="natural-breaks",
        highlight=("e07000148", "E07000149"),
        labels="all",
    )
    assert description_problems(settings, description, found) == []
    cleaned = description.cleaned()
    assert cleaned.title == "Counts"
    assert cleaned.notes == "First.\n\nSecond."
    assert cleaned.highlight == ("E07000148", "E07000149")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"title": "   "}, "The title is empty: a map needs one."),
        ({"subtitle": "x" * 201}, "The subtitle has 201 characters; at most 200."),
        ({"notes": "x" * 2001}, "The notes has 2,001 characters; at most 2,000."),
        ({"unit": "per\x07cent"}, "The unit has control characters; use plain text."),
        (
            {"source_url": "javascript:alert(1)"},
            "The source URL must begin http:// or https://, not 'javascript:alert(1)'.",
        ),
        ({"region": "narnia"}, "No region 'narnia'; choose from "),
        ({"period": "2021"}, "No period '2021' in the figures; they have 2019, 2020."),
        ({"scheme": "rainbow"}, "No colour scheme 'rainbow'; choose from dashboard, "),
        (
            {"highlight": ("E07000148", "E06000001")},
            "No figures for the highlighted area(s) E06000001.",
        ),  # fmt: skip
        ({"labels": "some"}, "No label mode 'some'; choose from none, top, all."),
    ],
)
def test_a_wrong_description_says_what_is_wrong(settings, change, problem):
    description = dataclasses.replace(Description(title="Counts"), **change)
    found = description_problems(settings, description, checked(settings))
    assert len(found) == 1 and found[0].startswith(problem), found
    with pytest.raises(DataError, match="^" + problem[:20]):
        publish(settings, checked(settings), description, today=TODAY)
    assert not Path(settings.store_root).exists()


def test_the_label_modes_are_the_maps():
    assert LABEL_MODES == MODES


def test_a_description_is_put_on_the_indicator():
    indicator = Indicator("x", "Old", "per 100,000", 100_000, 1, "count")
    new = described(
        indicator, Description(title="New", unit="per 1,000", region="london", labels="top")
    )
    assert (new.title, new.unit, new.multiplier) == ("New", "per 1,000", 1_000)
    assert new.display == {"region": "london", "labels": "top"}
    assert described(indicator, Description(title="New", unit="score")).multiplier == 100_000
    assert Description.of(new).region == "london"


def test_an_indicator_without_the_desks_fields_is_written_as_before():
    indicator = Indicator("x", "Old", "%", 100, 1, "value")
    assert set(indicator.to_dict()) == {
        "id", "title", "unit", "multiplier", "decimals", "kind", "measure",
        "higher_is_worse", "scheme", "source", "caveats", "format", "window",
        "suppress_below", "source_url",
    }  # fmt: skip
    with_them = dataclasses.replace(indicator, subtitle="S", correction=True)
    assert with_them.to_dict()["subtitle"] == "S" and with_them.to_dict()["correction"]
    assert Indicator(**json.loads(json.dumps(with_them.to_dict()))) == with_them


# --- publish and republish ---------------------------------------------------------------


def version_json(settings, version: str) -> dict:
    path = Path(settings.store_root) / "indicators" / ID / version / "indicator.json"
    return json.loads(path.read_text())


def test_republishing_keeps_the_first_version_and_dates_the_new_one(settings):
    first = publish(settings, checked(settings), Description(title="Counts"), today=TODAY)
    assert not first.republished
    kept_before = version_json(settings, first.version)
    assert "updated" not in kept_before and "update_note" not in kept_before
    revised = COUNTS.replace("E07000150,2020,33", "E07000150,2020,35")
    later = date(2026, 12, 9)
    described_again = starting_description(settings, checked(settings, revised))
    assert described_again.title == "Counts"  # the kept words, not the file's
    second = publish(
        settings,
        checked(settings, revised),
        described_again,
        note="  Corby's 2020 count was 35, not 33.  ",
        correction=True,
        today=later,
    )
    assert second.republished and second.version != first.version
    meta = version_json(settings, second.version)
    assert meta["updated"] == "2026-12-09"
    assert meta["update_note"] == "Corby's 2020 count was 35, not 33."
    assert meta["correction"] is True
    assert version_json(settings, first.version) == kept_before  # as published
    root = Path(settings.store_root) / "indicators"
    assert read_versions(root)[ID] == second.version
    log = (root / ID / "added.log").read_text().splitlines()
    assert len([line for line in log if " added from counts.csv: 6 row(s)" in line]) == 2


def test_an_update_note_is_not_carried_to_the_next_update(settings):
    publish(settings, checked(settings), Description(title="Counts"), today=TODAY)
    publish(settings, checked(settings), Description(title="Counts"), note="One", today=TODAY)
    third = publish(settings, checked(settings), Description(title="Counts 2"), today=TODAY)
    assert third.stored.indicator.updated == "2026-12-07"
    assert third.stored.indicator.update_note is None


def test_a_correction_needs_an_earlier_version_and_a_note(settings):
    with pytest.raises(DataError, match="nothing to correct"):
        publish(settings, checked(settings), Description(title="C"), correction=True)
    publish(settings, checked(settings), Description(title="C"), today=TODAY)
    before = tree_digest(Path(settings.store_root))
    with pytest.raises(DataError, match="A correction needs a note"):
        publish(settings, checked(settings), Description(title="C"), correction=True)
    with pytest.raises(DataError, match="The note has 501 characters"):
        publish(settings, checked(settings), Description(title="C"), note="x" * 501)
    assert tree_digest(Path(settings.store_root)) == before


def test_a_new_description_alone_republishes_the_same_figures(settings):
    first = publish(settings, checked(settings), Description(title="Counts"), today=TODAY)
    second = redescribe(
        settings, ID, Description(title="Counts", subtitle="Now with a subtitle"), today=TODAY
    )
    assert second.republished and second.version != first.version
    figures = ["code", "period", "count"]
    pd.testing.assert_frame_equal(second.stored.frame[figures], first.stored.frame[figures])
    assert version_json(settings, second.version)["subtitle"] == "Now with a subtitle"
    assert version_json(settings, second.version)["updated"] == "2026-12-07"
    with pytest.raises(DataError, match="no indicator 'nope' is kept"):
        redescribe(settings, "nope", Description(title="X"))


def test_the_preview_is_what_publishing_keeps_and_writes_nothing(settings):
    found = checked(settings)
    description = Description(title="Counts", subtitle="S", scheme="equal-interval")
    stored, version = preview(found, description)
    assert stored.indicator.subtitle == "S" and stored.indicator.scheme == "equal-interval"
    assert not Path(settings.store_root).exists()
    published = publish(settings, found, description, today=TODAY)
    assert published.version == version  # a first publication: no update date to differ


def test_the_published_maps_query_follows_its_display_and_pins_its_version(settings):
    description = Description(
        title="Counts", region="east-of-england", period="2019", highlight=("E07000149",),
        labels="all", scheme="natural-breaks",
    )  # fmt: skip
    published = publish(settings, checked(settings), description, today=TODAY)
    assert embed_params(published) == (
        "east-of-england",
        {
            "indicator": ID,
            "period": "2019",
            "scheme": "natural-breaks",
            "highlight": "E07000149",
            "labels": "all",
            "v": published.version,
        },
    )
    plain = publish(settings, checked(settings), Description(title="Counts"), today=TODAY)
    assert embed_params(plain) == (
        "england",
        {"indicator": ID, "scheme": "quantiles", "v": plain.version},
    )


def test_the_command_line_republishes_with_a_note_as_the_desk_does(tmp_path):
    from .test_indicators import add

    store = tmp_path / "store"
    first = tmp_path / "counts.csv"
    first.write_text(COUNTS)
    assert add(store, str(first), "--id", ID).exit_code == 0
    settings = load_settings({"store_dir": str(store)})
    kept = read_versions(Path(settings.store_root) / "indicators")[ID]
    redescribe(settings, ID, Description(title="Counts", subtitle="Kept words"), today=TODAY)
    assert version_json(settings, kept)["title"] == "counts"  # the file's name, as added
    revised = tmp_path / "revised.csv"
    revised.write_text(COUNTS.replace("E07000150,2020,33", "E07000150,2020,35"))
    result = add(store, str(revised), "--id", ID, "--update-note", "Corby 35", "--correction")
    assert result.exit_code == 0, result.output
    day = date.today()
    assert result.output.splitlines()[-1] == f"Correction, {day.day} {day:%B %Y}: Corby 35."
    version = read_versions(Path(settings.store_root) / "indicators")[ID]
    meta = version_json(settings, version)
    assert (meta["update_note"], meta["correction"]) == ("Corby 35", True)
    assert meta["subtitle"] == "Kept words"  # the editor's words stay
    assert meta["title"] == "Counts"  # not the new file's name: the title kept
    assert "updated" not in version_json(settings, kept)
    refused = add(store, str(revised), "--id", ID, "--correction")
    assert refused.exit_code == 2 and "--correction needs --update-note" in refused.output
    before = tree_digest(store)
    new = add(store, str(revised), "--id", "another", "--update-note", "x")
    assert new.exit_code == 2 and "no indicator another is kept yet" in new.output
    assert tree_digest(store) == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04garbage", "x.xlsx", "x.xlsx: could not be read as a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk", "Book 1", "Book 1.xls: could not be read"),
        (b"a,b\n1,2\n", "x.csv", "x.csv, line 1: not a layout this server recognises"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_refusal_too(settings, content, name, message):
    found = check_upload(settings, Upload(content, name), today=TODAY)
    assert isinstance(found, Refusal) and found.message.startswith(message), found
    assert not Path(settings.store_root).exists()
