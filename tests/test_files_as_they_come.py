"""Files as they come (issue 25): R's and Python's Fingertips exports, spreadsheets with
notes above their tables, years across, percentages formatted as such, missing markers,
other encodings and separators, and what the user says of a file (title, unit, source).

The smoking fixtures in fixtures/files/ hold the same hand-made figures in every layout
(fixtures/files/README.md); each must give what the plain CSV gives.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mapserver.cli import main
from mapserver.core.errors import DataError
from mapserver.ingest.formats import detect_format, read_observations
from mapserver.store.indicator_store import load, read_versions

from .conftest import SHARED_DATA, TESTS
from .fixtures.files import spreadsheets
from .fixtures.files.spreadsheets import Percent, write_ods, write_xlsx
from .test_indicators import client_for

FILES = TESTS / "fixtures" / "files"
PLAIN = FILES / "smoking.csv"
SAME_DATA = [
    "smoking-fingertipsR.csv",
    "smoking-fingertips_py.csv",
    "smoking-notes-above.xlsx",
    "smoking.ods",
]
# The districts' figures every smoking fixture gives (README.md): Cambridge has none in 2022.
DISTRICTS = {
    ("E06000031", "2021"): 15.1,
    ("E06000031", "2022"): 14.2,
    ("E06000061", "2021"): 14.4,
    ("E06000061", "2022"): 13.9,
    ("E07000008", "2021"): 9.8,
    ("E07000008", "2022"): math.nan,
    ("E07000010", "2021"): 18.3,
    ("E07000010", "2022"): 17.6,
}
HEALTH_INDEX = SHARED_DATA / "indicators" / "ons_health-index-scores-england_2015-2021.xlsx"
IOD = SHARED_DATA / "indicators" / "mhclg_iod2019_file10_lad_summaries.xlsx"


def figures(frame: pd.DataFrame) -> dict:
    return {(row.code, row.period): row.value for row in frame.itertuples()}


def same(found: dict, expected: dict) -> bool:
    return found.keys() == expected.keys() and all(
        (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)
        for a, b in ((found[key], expected[key]) for key in expected)
    )


def refused(path, **options) -> str:
    with pytest.raises(DataError) as caught:
        read_observations(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def add(store, *args: str):
    return CliRunner(env={"MAPSERVER_STORE_DIR": str(store)}).invoke(main, ["add", *args])


# --- the same figures in every layout -----------------------------------------------------


def test_the_plain_csv_gives_the_hand_made_figures():
    read = read_observations(PLAIN)
    assert same(figures(read.frame), DISTRICTS)
    # England, the two regions and Cambridgeshire (a county among its districts) set aside
    assert read.notes == [
        "set aside 8 rows for 4 areas other than districts and unitaries, never drawn "
        "(country E92 1, region E12 2, county E10 1)"
    ]
    assert figures(read.national) == {("E92000001", "2021"): 13.0, ("E92000001", "2022"): 12.7}


@pytest.mark.parametrize("name", SAME_DATA)
def test_each_layout_gives_the_plain_csvs_figures_with_no_options(name):
    read = read_observations(FILES / name)
    assert same(figures(read.frame), DISTRICTS)
    assert figures(read.national) == {("E92000001", "2021"): 13.0, ("E92000001", "2022"): 12.7}
    assert "E10000003" not in set(read.frame["code"])  # Cambridgeshire, never drawn


@pytest.mark.parametrize("name", ["smoking-fingertipsR.csv", "smoking-fingertips_py.csv"])
def test_fingertipsr_and_fingertips_py_exports_are_fingertips(name):
    assert detect_format(FILES / name) == "fingertips"
    read = read_observations(FILES / name)
    assert read.meta.title == "Smoking Prevalence in adults (18+) - current smokers (APS)"
    assert read.meta.measure == "Persons, 18+ yrs"
    # R's NA in Category Type is no breakdown, and its NA value is a missing one
    assert "1 row with no value, kept as missing (E07000008 Cambridge)" in read.notes
    assert not any("breakdown" in note for note in read.notes)


@pytest.mark.parametrize("name", ["smoking-notes-above.xlsx", "smoking.ods"])
def test_a_spreadsheet_table_below_notes_rows_is_found_and_described(name):
    read = read_observations(FILES / name)
    assert read.notes[:3] == [
        "read sheet 'Table_1' (sheets: Cover_sheet, Notes, Table_1, Table_2)",
        "sheet 'Table_1': the table's header is on row 5",
        "one column per period (2021 to 2022): read as one row per area and period",
    ]
    # 0.151 shown as 15.1% (a custom 0.0% format in 2021, Excel's own 0.00% in 2022)
    assert (read.meta.unit, read.meta.multiplier, read.meta.decimals) == ("%", 100, 1)
    assert read.meta.title == "Smoking prevalence in adults, 2021 and 2022"
    assert read.frame["line"].tolist()[:2] == [9, 9]  # Cambridge's row in the sheet


def current_folder(store: Path, id: str) -> Path:
    """Where the store keeps the current version of an indicator."""
    return store / "indicators" / id / read_versions(store / "indicators")[id]


def test_the_stored_figures_are_the_same_whichever_file_was_added(tmp_path):
    served = {}
    for name in ["smoking.csv", *SAME_DATA]:
        store = tmp_path / name.replace(".", "-")
        result = add(store, str(FILES / name), "--id", "smoking")
        assert result.exit_code == 0, result.output
        kept = load(current_folder(store, "smoking"))
        assert same(figures(kept.frame), DISTRICTS), name
        rows = client_for(store).get("/api/rates?indicator=smoking&region=england&period=2022")
        served[name] = {row["code"]: row["value"] for row in rows.get_json()}
    first = served.pop("smoking.csv")
    assert first["E07000010"] == 17.6 and first["E07000008"] is None
    assert "E10000003" not in first
    for name, values in served.items():
        assert values == first, name


# --- the real spreadsheets ----------------------------------------------------------------


@pytest.fixture(scope="module")
def health_index(tmp_path_factory):
    store = tmp_path_factory.mktemp("health") / "store"
    result = add(store, str(HEALTH_INDEX))
    assert result.exit_code == 0, result.output
    return store, result.output


def test_the_health_index_loads_with_no_options(health_index):
    store, output = health_index
    lines = output.splitlines()
    assert lines[0] == (
        "indicator overall-health-index-scores-2015-to-2021 added: Overall Health Index "
        "scores, 2015 to 2021, 7 period(s), 307 area code(s)"
    )
    assert "  read sheet 'Table_2_Index_scores' (sheets: Cover_sheet, " in output
    assert (
        "  set aside 238 rows for 34 areas other than districts and unitaries, never drawn "
        "(country E92 1, region E12 9, county E10 24)" in lines
    )


def test_the_health_index_maps_2021_on_2021_districts_with_the_files_values(health_index):
    store, _ = health_index
    client = client_for(store)
    indicator = "overall-health-index-scores-2015-to-2021"
    rows = client.get(f"/api/rates?indicator={indicator}&region=england&period=2021").get_json()
    valued = {row["code"]: row for row in rows if row["value"] is not None}
    assert len(valued) == 307
    assert not any(code.startswith("E10") for code in {row["code"] for row in rows})
    assert {row["vintage"] for row in rows} == {2021}
    lowest = min(valued.values(), key=lambda row: row["value"])
    highest = max(valued.values(), key=lambda row: row["value"])
    assert (lowest["name"], lowest["value"]) == ("Blackpool", 76.5)
    assert (highest["name"], highest["value"]) == ("Harrogate", 124.9)
    assert valued["E06000061"]["value"] == 99.2  # North Northamptonshire, a 2021 unitary
    assert valued["E06000061"]["national"] == 100.8  # the file's England row
    listed = {item["id"]: item for item in client.get("/api/indicators").get_json()}
    assert [p["key"] for p in listed[indicator]["periods"]] == [
        str(y) for y in range(2021, 2014, -1)
    ]


def test_the_iod_file_loads_its_imd_sheet_with_a_named_column(tmp_path):
    result = add(
        tmp_path / "store",
        str(IOD),
        "--sheet", "IMD",
        "--value", "IMD - Average score",  # the header has a space after it
        "--period", "2019",  # the file has no period column: every row is of 2019
        "--source", "Ministry of Housing, Communities and Local Government",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "indicator imd-average-score added: IMD - Average score, 1 period(s), 317 area code(s)"
    )
    client = client_for(tmp_path / "store")
    rows = client.get("/api/rates?indicator=imd-average-score&region=england").get_json()
    served = {row["code"]: row for row in rows}
    # 317 districts, drawn as the 315 series of the Covid map: the City of London's and
    # Scilly's own rows set aside for Hackney's and Cornwall's (as for every indicator)
    assert "set aside: their new area has its own row (E06000053, E09000001)" in result.output
    assert len(served) == 315 and {row["vintage"] for row in rows} == {2019}
    assert served["E09000012"]["value"] == 32.526  # Hackney's own row
    assert served["E06000009"]["value"] == 45.039  # Blackpool, the highest, to 3 decimals
    assert served["E07000150"]["value"] == 25.706  # Corby, a 2019 district
    assert served["E07000089"]["value"] == 5.544  # Hart, the lowest


def test_the_iod_sheet_is_found_by_the_column_named():
    read = read_observations(IOD, value="IMD - Average score", period="2019")
    assert read.notes[0].startswith("read sheet 'IMD' (sheets: Notes, IMD, Income, ")
    assert read.meta.title == "IMD - Average score" and read.meta.decimals == 3


def test_the_iod_file_names_its_sheets_when_none_is_given():
    assert refused(IOD) == (
        "mhclg_iod2019_file10_lad_summaries.xlsx: 10 sheets have a table of area codes "
        "(IMD, Income, Employment, Education, Health, Crime, Barriers, Living, IDACI, "
        "IDAOPI): name one with --sheet"
    )


# --- spreadsheets made here ---------------------------------------------------------------


def test_a_sheet_is_chosen_only_when_one_fits(tmp_path):
    table = [["Area code", "Year", "Value"], ["E06000031", "2022", 5.5]]
    path = write_xlsx(tmp_path / "two.xlsx", {"Notes": [["Notes"]], "A": table, "B": table})
    assert refused(path) == (
        "two.xlsx: 2 sheets have a table of area codes (A, B): name one with --sheet"
    )
    assert read_observations(path, sheet="B").frame["value"].tolist() == [5.5]
    assert refused(path, sheet="C") == "two.xlsx: has no sheet 'C'; its sheets: Notes, A, B"
    assert refused(path, sheet="Notes") == (
        "two.xlsx: sheet 'Notes' has no table with an area code column in its first 30 rows"
    )
    none = write_xlsx(tmp_path / "none.xlsx", {"Cover": [["Title"]]})
    assert refused(none) == (
        "none.xlsx: no sheet has a table with an area code column in its first 30 rows "
        "(sheets: Cover)"
    )
    assert refused(FILES / "smoking.csv", sheet="Table_1") == (
        "smoking.csv: --sheet is for spreadsheets (.xlsx, .xlsm, .xls, .ods)"
    )


def test_years_as_numbers_and_fractions_without_a_percent_format(tmp_path):
    rows = [
        ["LAD19CD", "LAD19NM", 2019, 2020],
        ["E06000031", "Peterborough", 0.123, Percent(0.123)],
        ["E07000010", "Fenland", 0.5, "[c]"],
    ]
    read = read_observations(write_xlsx(tmp_path / "wide.xlsx", {"Sheet1": rows}))
    assert read.frame["period"].tolist() == ["2019", "2020", "2019", "2020"]
    # 2019 is no percentage: its fractions stay so, and so the unit is not "%"
    assert read.frame["value"].tolist()[:3] == [0.123, 12.3, 0.5]
    assert math.isnan(read.frame["value"].tolist()[3])
    assert read.meta.unit is None


def test_a_percent_column_of_a_long_table_is_read_as_percentages(tmp_path):
    rows = [
        ["Geography code", "Time period", "Value [note 1]"],
        ["E06000031", "2022", Percent(0.1234, builtin=True)],
    ]
    for writer, name in ((write_xlsx, "long.xlsx"), (write_ods, "long.ods")):
        read = read_observations(writer(tmp_path / name, {"Data": rows}))
        assert read.frame["value"].tolist() == [12.34], name
        assert (read.meta.unit, read.meta.multiplier) == ("%", 100)


def test_the_table_ends_at_its_first_empty_row(tmp_path):
    rows = [
        ["Area Code", "Period", "Count"],
        ["E06000031", "2022", 5],
        [],
        ["Source: somewhere"],
    ]
    read = read_observations(write_xlsx(tmp_path / "end.xlsx", {"Sheet1": rows}))
    assert read.frame["count"].tolist() == [5]
    assert read.notes == ["sheet 'Sheet1': the table ends at row 2; the rows below were not read"]


def test_the_fixtures_are_what_their_script_writes(tmp_path):
    """Anyone can see, and change, what the spreadsheet fixtures hold."""
    made = spreadsheets.smoking_sheets()
    assert (
        write_xlsx(tmp_path / "a.xlsx", made).read_bytes()
        == (FILES / "smoking-notes-above.xlsx").read_bytes()
    )
    assert write_ods(tmp_path / "a.ods", made).read_bytes() == (FILES / "smoking.ods").read_bytes()


# --- missing markers ----------------------------------------------------------------------

MARKERS = ["", "NA", "N/A", "n/a", "..", ":", "-", "x", "*", "#N/A", "[x]", "[c]", "[z]", "[low]"]


@pytest.mark.parametrize("marker", MARKERS)
def test_missing_markers_are_missing_in_a_plain_csv(tmp_path, marker):
    path = tmp_path / "mine.csv"
    path.write_text(f"code,period,value\nE06000031,2022,{marker}\nE07000010,2022,4.5\n")
    assert read_observations(path).frame["value"].isna().tolist() == [True, False]
    counts = tmp_path / "counts.csv"
    counts.write_text(f"code,period,count\nE06000031,2022,{marker}\nE07000010,2022,4\n")
    assert read_observations(counts).frame["count"].isna().tolist() == [True, False]


def test_a_figure_with_gss_markers_after_it_is_read(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("code,period,value\nE06000031,2022,12.3 [p]\nE07000010,2022,4.5 [r][e]\n")
    assert read_observations(path).frame["value"].tolist() == [12.3, 4.5]
    path.write_text("code,period,value\nE06000031,2022,twelve\n")
    assert refused(path) == "mine.csv, line 2: value 'twelve' is not a number"


# --- encodings and separators -------------------------------------------------------------


def test_a_windows_1252_file_is_read():
    read = read_observations(FILES / "latin1.csv")
    assert read.frame["name"].tolist() == ["Ynys Môn", "Gwynedd", "Conwy"]
    assert read.frame["value"].tolist()[0] == 14.1
    assert math.isnan(read.frame["value"].tolist()[1])  # an en dash, byte 0x96 in cp1252
    assert read.notes[0] == "not UTF-8 (line 2): read as Windows-1252 (Latin-1) text"


def test_a_semicolon_separated_file_is_read_and_said_to_be():
    read = read_observations(FILES / "semicolon.csv")
    assert read.frame["code"].tolist() == ["W06000001", "W06000002", "W06000003"]
    assert read.frame["value"].tolist()[::2] == [14.1, 12.5]
    assert read.notes[0] == "fields separated by semicolons"


def test_a_semicolon_file_with_a_bad_line_is_refused_naming_the_separator(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("code;period;value\nE06000031;2022;12.3\nE07000010;2022;4;5\n")
    assert refused(path) == (
        "mine.csv, line 3: has 4 fields where the header has 3 (fields separated by semicolons)"
    )


def test_tabs_and_utf16_as_excel_saves_unicode_text(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_bytes("code\tperiod\tvalue\r\nE06000031\t2022\t1.5\r\n".encode("utf-16"))
    read = read_observations(path)
    assert read.frame["value"].tolist() == [1.5]
    assert read.notes == ["read as UTF-16 text", "fields separated by tabs"]


def test_text_in_no_encoding_read_here_is_refused_on_its_line(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(b"code,period,value\nE06000031,2022,1\nE07000010,2022,\x81\n")
    assert refused(path) == (
        "mine.csv, line 3: is neither UTF-8 nor Windows-1252 (Latin-1) text: save it as UTF-8"
    )


# --- what the user says of a file ---------------------------------------------------------


def test_title_unit_and_source_for_any_file(tmp_path):
    store = tmp_path / "store"
    result = add(
        store,
        str(PLAIN),
        "--title", "Adults who smoke",
        "--unit", "%",
        "--source", "Office for National Statistics",
        "--source-url", "https://www.ons.gov.uk/",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("indicator adults-who-smoke added: Adults who smoke (%)")
    kept = json.loads((current_folder(store, "adults-who-smoke") / "indicator.json").read_text())
    assert kept["title"] == "Adults who smoke" and kept["unit"] == "%"
    assert kept["multiplier"] == 100
    assert kept["source"] == "Office for National Statistics"
    assert kept["source_url"] == "https://www.ons.gov.uk/"
    client = client_for(store)
    listed = {item["id"]: item for item in client.get("/api/indicators").get_json()}
    assert (listed["adults-who-smoke"]["title"], listed["adults-who-smoke"]["unit"]) == (
        "Adults who smoke",
        "%",
    )


def test_an_indicator_kept_before_source_url_still_loads(tmp_path):
    store = tmp_path / "store"
    assert add(store, str(PLAIN), "--id", "old").exit_code == 0
    meta = current_folder(store, "old") / "indicator.json"
    kept = json.loads(meta.read_text())
    del kept["source_url"]
    meta.write_text(json.dumps(kept))
    assert load(current_folder(store, "old")).indicator.source_url is None


# --- repeated rows ------------------------------------------------------------------------


def test_a_row_repeated_exactly_is_refused_in_every_layout(tmp_path):
    lines = (FILES / "smoking-fingertips_py.csv").read_text().splitlines()
    # the index column told the rows apart: without it, line 12 repeats line 11
    fingertips = [line.split(",", 1)[1] for line in lines]
    path = tmp_path / "ft.csv"
    path.write_text("\n".join([*fingertips[:12], fingertips[11], *fingertips[12:]]) + "\n")
    assert refused(path) == "ft.csv, line 13: repeats line 12 exactly"
    els = tmp_path / "els.csv"
    row = "E06000031,Peterborough,Local Authority District,x,2022,5.5\n"
    els.write_text("areacd,areanm,geography,indicator,period,observation\n" + row + row)
    assert refused(els) == "els.csv, line 3: repeats line 2 exactly"
    plain = tmp_path / "plain.csv"
    plain.write_text("code,period,value\nE06000031,2022,5.5\nE06000031,2022,5.5\n")
    assert refused(plain) == "plain.csv, line 3 repeats line 2: E06000031 2022"
    wide = write_xlsx(
        tmp_path / "wide.xlsx",
        {"S": [["Area code", "2021"], ["E06000031", 1.5], ["E06000031", 1.5]]},
    )
    assert refused(wide) == "wide.xlsx, line 3 repeats line 2: E06000031 2021"


def test_a_spreadsheet_refusal_names_the_header_row():
    assert refused(HEALTH_INDEX, sheet="Table_2_Index_scores", value="Index").startswith(
        "ons_health-index-scores-england_2015-2021.xlsx, line 3: no column 'Index' for "
        "--value; columns found: Area Code, Area Name, Area Type, 2015, 2016,"
    )
    assert refused(IOD, sheet="IMD", value="IMD - Average score").startswith(
        "mhclg_iod2019_file10_lad_summaries.xlsx, line 1: no column of periods: name one "
        "with --period COLUMN, or give the period of every row (--period 2019); "
        "columns found: Local Authority District code (2019), "
    )
