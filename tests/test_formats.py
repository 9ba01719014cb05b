"""Recognising and reading data files: hand-made fixtures of each layout, and the real files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import math

import pandas as pd
import pytest

from mapserver.core.errors import DataError
from mapserver.ingest.formats import COLUMNS, detect_format, read_observations
from mapserver.ingest.formats.fingertips import SOURCE
from mapserver.ingest.formats.ons_els import multiplier
from mapserver.ingest.periods import parse_period

from .conftest import SHARED_DATA

BOM = "\ufeff"


def write(path, text: str, *, opener=open):
    """Write text as the sources do: UTF-8 with a byte-order mark."""
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(BOM + text)
    return path


def table(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def refused(path, **options) -> str:
    with pytest.raises(DataError) as caught:
        read_observations(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- Fingertips ---------------------------------------------------------------------------

FINGERTIPS_HEADER = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Column not used",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
]
INDICATOR = "Under 75 mortality rate from cardiovascular diseases considered preventable"
DECILES = "LSOA11 deprivation deciles within area (IMD2019)"


def ft_row(code, name, area_type, period, value="", count="", denominator="", other=None) -> list:
    """One export row; `other` sets further columns by their header."""
    cells = {
        "Indicator ID": "93722",
        "Indicator Name": INDICATOR,
        "Area Code": code,
        "Area Name": name,
        "Area Type": area_type,
        "Sex": "Persons",
        "Age": "<75 yrs",
        "Time period": period,
        "Value": value,
        "Count": count,
        "Denominator": denominator,
        "Time period Sortable": period[:4] + "0000",
        "Time period range": "3y",
    }
    cells |= other or {}
    return [cells.get(column, "") for column in FINGERTIPS_HEADER]


def ft_file(tmp_path, rows, name="fingertips.csv"):
    return write(tmp_path / name, table(FINGERTIPS_HEADER, rows))


NN = ("E06000061", "North Northamptonshire", "UA")
CI = {"Lower CI 95.0 limit": "74.6", "Upper CI 95.0 limit": "86.7"}
FT_ROWS = [
    ft_row("E92000001", "England", "England", "2018 - 20", "70.1", "30000", "42000000"),  # 2
    ft_row("E12000004", "East Midlands region", "Region", "2018 - 20", "75.3", "2600", "3400000"),
    ft_row("E10000021", "Northamptonshire", "County", "2018 - 20", "79.9", "800", "1000000"),  # 4
    ft_row(*NN, "2018 - 20", "80.5", "700", "869000", CI | {"Parent Code": "E12000004"}),  # 5
    # the old year lists the unitary and its old districts (E07000150 Corby, E07000152)
    ft_row(*NN, "2017 - 19", "82", "710", "865000"),  # 6
    ft_row("E07000150", "Corby", "District", "2017 - 19", "90", "200", "222000"),  # 7
    ft_row("E07000152", "East Northamptonshire", "District", "2017 - 19", "70", "210", "300000"),
    ft_row(
        "E09000001",
        "City of London",
        "District",
        "2018 - 20",
        other={"Value note": "Value for City of London combined with Hackney"},
    ),  # line 9
    ft_row(
        "E06000053",
        "Isles of Scilly",
        "UA",
        "2018 - 20",
        other={"Value note": "Value for Isles of Scilly combined with Cornwall"},
    ),  # line 10
    ft_row("E06000052", "Cornwall", "UA", "2018 - 20", "85", "1500", "1765000"),  # 11
    ft_row(
        *NN,
        "2018 - 20",
        "120.2",
        "150",
        "125000",
        {"Category Type": DECILES, "Category": "Most deprived decile (IMD2019)"},
    ),  # line 12
    ft_row(
        "E92000001",
        "England",
        "England",
        "2018 - 20",
        "68",
        other={"Category Type": "Ethnic groups", "Category": "White"},
    ),  # line 13
    # line 14: line 5 again, listed under England rather than under its region
    ft_row(*NN, "2018 - 20", "80.5", "700", "869000", CI),
]


def test_fingertips_export(tmp_path):
    path = ft_file(tmp_path, FT_ROWS)
    assert detect_format(path) == "fingertips"
    read = read_observations(path)
    frame = read.frame
    assert list(frame.columns) == COLUMNS
    assert frame["line"].tolist() == [5, 6, 7, 8, 9, 10, 11]
    assert frame["code"].tolist() == [
        "E06000061",
        "E06000061",
        "E07000150",
        "E07000152",
        "E09000001",
        "E06000053",
        "E06000052",
    ]
    assert (
        frame["period"].tolist()
        == ["2018-01-01/P3Y", "2017-01-01/P3Y"] + ["2017-01-01/P3Y"] * 2 + ["2018-01-01/P3Y"] * 3
    )
    first = frame.iloc[0]
    assert (first["start"], first["end"]) == (
        pd.Timestamp("2018-01-01"),
        pd.Timestamp("2020-12-31"),
    )
    assert (first["value"], first["lower"], first["upper"]) == (80.5, 74.6, 86.7)
    assert (first["count"], first["denominator"]) == (700, 869000)
    # a missing figure stays missing, with the publisher's note
    scilly = frame.set_index("code").loc["E06000053"]
    assert math.isnan(scilly["value"]) and math.isnan(scilly["count"])
    assert scilly["note"] == "Value for Isles of Scilly combined with Cornwall"
    assert read.meta.title == INDICATOR
    assert read.meta.measure == "Persons, <75 yrs"
    assert read.meta.kind == "count"  # every row with a value has its count and denominator
    assert read.meta.source == SOURCE
    assert read.meta.format == "fingertips"
    assert read.notes == [
        f"dropped 2 breakdown rows (Category Type {DECILES}, Ethnic groups)",
        "dropped 3 rows of other area types (England 1, Region 1, County 1)",
        "kept once 1 row repeating an earlier row",
        "2 rows with no value, kept as missing (E09000001 City of London, "
        "E06000053 Isles of Scilly)",
    ]


TIERS = [
    ft_row("E92000001", "England", "England", "2021/22", "10.0"),
    ft_row("E06000001", "Hartlepool", "Districts & UAs (from Apr 2021)", "2021/22", "12.5"),
    ft_row("E07000008", "Cambridge", "Districts & UAs (from Apr 2021)", "2021/22", "8.25"),
    ft_row("E06000001", "Hartlepool", "Counties & UAs (from Apr 2023)", "2021/22", "12.5"),
    ft_row("E10000003", "Cambridgeshire", "Counties & UAs (from Apr 2023)", "2021/22", "9.0"),
]


def test_fingertips_keeps_the_lower_tier(tmp_path):
    read = read_observations(ft_file(tmp_path, TIERS))
    assert read.frame["code"].tolist() == ["E06000001", "E07000008"]
    assert read.frame["period"].tolist() == ["2021/22", "2021/22"]
    assert read.frame["start"].tolist() == [pd.Timestamp("2021-04-01")] * 2
    assert read.frame["value"].tolist() == [12.5, 8.25]
    assert read.meta.kind == "value"  # no counts
    assert read.notes == [
        "dropped 1 row of other area types (England 1)",
        "kept the lower tier (Districts & UAs (from Apr 2021)); dropped 2 rows of the upper "
        "tier (Counties & UAs (from Apr 2023) 2)",
    ]


def test_fingertips_upper_tier_file_keeps_counties(tmp_path):
    read = read_observations(ft_file(tmp_path, TIERS[3:]))
    assert read.frame["code"].tolist() == ["E06000001", "E10000003"]
    assert read.notes == [
        "upper-tier file: kept 1 row of counties (E10), whose figures cover all their districts"
    ]


def test_fingertips_weighted_counts_leave_values_as_published(tmp_path):
    rows = [ft_row("E06000001", "Hartlepool", "UA", "2021/22", "55.1", "1234.6", "2240.5")]
    read = read_observations(ft_file(tmp_path, rows))
    assert read.meta.kind == "value"
    assert read.frame["count"].tolist() == [1234.6]
    assert read.notes == [
        "counts are not whole numbers (weighted or estimated): values used as given"
    ]


def test_fingertips_tolerates_missing_and_renamed_columns(tmp_path):
    header = ["Area Code", "Area Name", "Area Type", "Time period", "Value", "Lower CI 95 limit"]
    rows = [
        ["E06000001", "Hartlepool", "UA", "2020 Q1", "3", "1.5"],
        ["E06000002", "", "UA", "2020 Q1", "", ""],
    ]
    path = write(tmp_path / "ft.csv", table(header + ["Something new"], [r + ["x"] for r in rows]))
    read = read_observations(path)
    assert read.meta.format == "fingertips"
    assert read.frame["lower"].tolist()[0] == 1.5
    assert read.frame["period"].tolist() == ["2020-Q1", "2020-Q1"]
    assert read.meta.title == "ft.csv"


def _with(row: list, changes: dict) -> list:
    row = list(row)
    for column, text in changes.items():
        row[FINGERTIPS_HEADER.index(column)] = text
    return row


BASE = ft_row("E06000001", "Hartlepool", "UA", "2021/22", "12.5", "10", "80000")
OTHER = ft_row("E06000002", "Middlesbrough", "UA", "2021/22", "14.0", "20", "140000")
FINGERTIPS_REFUSALS = [
    (
        [BASE, _with(OTHER, {"Indicator ID": "90366"})],
        "fingertips.csv, line 3: rows for more than one Indicator ID ('93722', '90366'): "
        "export one indicator at a time",
    ),
    (
        [BASE, OTHER, _with(OTHER, {"Sex": "Male"})],
        "fingertips.csv, line 4: rows for more than one Sex ('Persons', 'Male')",
    ),
    (
        [BASE, _with(OTHER, {"Age": "All ages"})],
        "line 3: rows for more than one Age ('<75 yrs', 'All ages')",
    ),
    (
        [BASE, _with(OTHER, {"Time period": "2021/23"})],
        "fingertips.csv, line 3: period '2021/23' is not a real",
    ),
    (
        [BASE, _with(OTHER, {"Time period": "Spring"})],
        "line 3: period 'Spring' is not one of the forms read",
    ),
    (
        [BASE, _with(OTHER, {"Value": "twelve"})],
        "fingertips.csv, line 3: value 'twelve' is not a number",
    ),
    ([BASE, OTHER, BASE], "fingertips.csv, line 4: repeats line 2 exactly"),
    ([_with(BASE, {"Count": "-1"}), OTHER], "fingertips.csv, line 2: count '-1' is negative"),
    ([BASE, _with(OTHER, {"Denominator": "-5"})], "line 3: denominator '-5' is negative"),
    ([BASE, _with(OTHER, {"Upper CI 95.0 limit": "inf"})], "line 3: upper 'inf' is not a number"),
    (
        [BASE, OTHER, _with(BASE, {"Value": "12.6"})],
        "fingertips.csv, line 4 repeats line 2: E06000001 2021/22",
    ),
    ([BASE, _with(OTHER, {"Area Code": ""})], "fingertips.csv, line 3: area code is empty"),
    (
        [_with(BASE, {"Area Type": "Region"})],
        "fingertips.csv, line 1: has no rows for local authorities",
    ),
]


@pytest.mark.parametrize(("rows", "message"), FINGERTIPS_REFUSALS)
def test_fingertips_refusals_name_the_line(tmp_path, rows, message):
    assert message in refused(ft_file(tmp_path, rows))


# --- ONS Explore Local Statistics ---------------------------------------------------------

ELS_HEADER = (
    "areacd,areanm,geography,indicator,period,observation,measure,unit,lci_95,uci_95,status,notes"
)
LAD, CUA = "Local Authority District", "County or Unitary Authority"
RATE = "Rate per 100,000 population"


def els_row(code, name, geography, period, value, lower="", upper="", status="", notes=""):
    return [code, name, geography, "Test mortality (England)", period, value, RATE, RATE] + [
        lower,
        upper,
        status,
        notes,
    ]


P22, P21 = "2022-01-01/P3Y", "2021-01-01/P3Y"
ELS_ROWS = [
    els_row("E92000001", "England", "Nation", P22, "30.2"),  # line 2
    els_row("E12000001", "North East", "Region", P22, "35.0"),
    els_row("E10000003", "Cambridgeshire", CUA, P22, "24.0"),  # 4
    els_row("E06000001", "Hartlepool", CUA, P22, "40.5", "35.1", "46.0"),  # 5
    els_row("E06000001", "Hartlepool", CUA, P21, "41", "36", "47"),  # 6
    els_row("E06000001", "Hartlepool", LAD, P22, "40.5", "35.1", "46.0"),  # 7: both geographies
    els_row("E07000008", "Cambridge", LAD, P22, "25.25", "20.0", "31.0"),  # 8
    els_row(
        "E67000001",
        "City of London, Hackney",
        LAD,
        P22,
        "39.2",
        status="Value for Hackney and City of London combined",
    ),  # 9
    els_row(
        "E67000002",
        "Cornwall, Isles of Scilly",
        CUA,
        P22,
        "33",
        status="Value for Cornwall and Isles of Scilly combined",
    ),  # 10
    els_row(
        "E08000016",
        "Barnsley",
        LAD,
        P22,
        "38.9",
        notes="Obsolete code since 2025 (replaced by E08000038 Barnsley)",
    ),  # 11
    els_row("W06000001", "Isle of Anglesey", LAD, P22, ""),  # 12: no figure
    els_row("E11000001", "Greater Manchester", CUA, P22, "37"),  # 13: metropolitan county
]
ELS_META = {
    "_note": "hand-made",
    "ess-beta-metadata": {
        "label": "Test mortality (England)",
        "subText": "per 100,000 population",
        "decimalPlaces": 1,
        "subtitle": "Deaths under 75 per 100,000 people",
        "sourceOrg": "Office for Health Improvement and Disparities",
        "caveats": "Combined areas.",
    },
}


def els_file(tmp_path, rows=ELS_ROWS, meta=ELS_META, name="els.csv", opener=open):
    path = write(tmp_path / name, table(ELS_HEADER.split(","), rows), opener=opener)
    if meta is not None:
        stem = name.split(".csv")[0]
        (tmp_path / f"{stem}.json").write_text(json.dumps(meta, indent=4), encoding="utf-8")
    return path


def test_ons_els_file_with_metadata(tmp_path):
    path = els_file(tmp_path)
    assert detect_format(path) == "ons-els"
    read = read_observations(path)
    frame = read.frame
    assert frame["line"].tolist() == [5, 6, 8, 9, 10, 11, 12]
    assert frame["code"].tolist() == [
        "E06000001",
        "E06000001",
        "E07000008",
        "E67000001",
        "E67000002",
        "E08000016",
        "W06000001",
    ]
    assert frame["period"].tolist() == [P22, P21] + [P22] * 5
    assert frame["end"].iloc[0] == pd.Timestamp("2024-12-31")
    hartlepool = frame.iloc[0]
    assert (hartlepool["value"], hartlepool["lower"], hartlepool["upper"]) == (40.5, 35.1, 46.0)
    assert frame["note"].tolist()[3:6] == [
        "Value for Hackney and City of London combined",
        "Value for Cornwall and Isles of Scilly combined",
        "Obsolete code since 2025 (replaced by E08000038 Barnsley)",
    ]
    assert math.isnan(frame["value"].iloc[-1])
    assert frame["count"].isna().all()
    meta = read.meta
    assert meta.title == "Test mortality (England)"
    assert meta.measure == "Deaths under 75 per 100,000 people"
    assert (meta.unit, meta.multiplier, meta.decimals) == ("per 100,000 population", 100000, 1)
    assert meta.source == "Office for Health Improvement and Disparities"
    assert meta.caveats == "Combined areas."
    assert (meta.kind, meta.format) == ("value", "ons-els")
    assert read.notes == [
        "dropped 4 rows of areas other than districts and unitaries (Nation E92 1, "
        "Region E12 1, County or Unitary Authority E10 1, County or Unitary Authority E11 1)",
        "kept once 1 row repeating an earlier row (a code listed under both geographies)",
    ]


def test_ons_els_without_metadata_falls_back_to_the_csv(tmp_path):
    read = read_observations(els_file(tmp_path, meta=None))
    assert read.meta.title == "Test mortality (England)"
    assert (read.meta.unit, read.meta.multiplier, read.meta.decimals) == (RATE, 100000, None)
    assert read.notes[-1] == (
        "no metadata file els.json beside it: title and unit taken from the CSV's indicator "
        "and unit columns"
    )


def test_ons_els_compressed_with_metadata_beside(tmp_path):
    read = read_observations(els_file(tmp_path, name="els.csv.gz", opener=gzip.open))
    assert len(read.frame) == 7
    assert read.meta.decimals == 1


def test_ons_els_bad_metadata(tmp_path):
    path = els_file(tmp_path, meta=None)
    (tmp_path / "els.json").write_text('{\n  "label": oops\n}', encoding="utf-8")
    assert refused(path).startswith("els.json, line 2: is not valid JSON")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("per 100,000 population", 100000),
        ("Rate per 1,000", 1000),
        ("per 1,000,000 people", 1000000),
        ("%", 100),
        ("Percentage (%)", 100),
        ("percent", 100),
        ("per cent of pupils", 100),
        ("years", None),
        (None, None),
    ],
)
def test_multiplier_from_unit_text(unit, expected):
    assert multiplier(unit) == expected


ELS_REFUSALS = [
    (
        [ELS_ROWS[3], ELS_ROWS[6][:3] + ["Another indicator"] + ELS_ROWS[6][4:]],
        "els.csv, line 3: holds more than one indicator",
    ),
    (
        [ELS_ROWS[3], els_row("E07000008", "Cambridge", LAD, P22, "1O")],
        "line 3: value '1O' is not a number",
    ),
    (
        [ELS_ROWS[3], els_row("E07000008", "Cambridge", LAD, "2022/P3Y", "1")],
        "els.csv, line 3: period '2022/P3Y'",
    ),
    (
        [ELS_ROWS[3], els_row("E06000001", "Hartlepool", LAD, P22, "40.6")],
        "els.csv, line 3 repeats line 2: E06000001 2022-01-01/P3Y",
    ),
    ([ELS_ROWS[0]], "els.csv, line 1: has no rows for districts or unitary authorities"),
]


@pytest.mark.parametrize(("rows", "message"), ELS_REFUSALS)
def test_ons_els_refusals_name_the_line(tmp_path, rows, message):
    assert message in refused(els_file(tmp_path, rows))


# --- UKHSA dashboard ----------------------------------------------------------------------

UKHSA = """areaCode,areaName,areaType,date,newCasesBySpecimenDate
E06000001,Hartlepool,ltla,2021-02-19,5
E06000001,Hartlepool,ltla,2021-02-20,0
E06000001,Hartlepool,ltla,2021-02-21,7
E09000012,Hackney and City of London,ltla,2021-02-21,31
"""


def test_ukhsa_dashboard(tmp_path):
    path = write(tmp_path / "cases.csv.xz", UKHSA, opener=lzma.open)
    assert detect_format(path) == "ukhsa-dashboard"
    read = read_observations(path)
    frame = read.frame
    assert frame["code"].tolist() == ["E06000001"] * 3 + ["E09000012"]
    assert frame["name"].tolist()[-1] == "Hackney and City of London"
    assert frame["period"].tolist() == ["2021-02-19", "2021-02-20", "2021-02-21", "2021-02-21"]
    assert (frame["start"] == frame["end"]).all()
    assert frame["count"].tolist() == [5, 0, 7, 31]
    assert frame["value"].isna().all()
    assert frame["line"].tolist() == [2, 3, 4, 5]
    assert read.meta.title == "New cases by specimen date"
    assert (read.meta.kind, read.meta.format) == ("count", "ukhsa-dashboard")
    assert read.notes == []


def test_ukhsa_keeps_lower_tier_when_levels_are_mixed(tmp_path):
    text = (
        UKHSA
        + "E92000001,England,nation,2021-02-21,10000\nE12000001,North East,region,2021-02-21,500\n"
    )
    read = read_observations(write(tmp_path / "cases.csv", text))
    assert len(read.frame) == 4
    assert read.notes == ["dropped 2 rows of area types other than ltla (nation 1, region 1)"]


UKHSA_REFUSALS = [
    ("E06000001,Hartlepool,ltla,2021-02-22,", "cases.csv, line 6: count is empty"),
    ("E06000001,Hartlepool,ltla,2021-02-22,y", "cases.csv, line 6: count 'y' is not a number"),
    ("E06000001,Hartlepool,ltla,2021-02-22,NA", "cases.csv, line 6: count 'NA' is missing"),
    ("E06000001,Hartlepool,ltla,2021-02-22,-2", "cases.csv, line 6: count '-2' is negative"),
    (
        "E06000001,Hartlepool,ltla,2021-02-22,2.5",
        "cases.csv, line 6: count '2.5' is not a whole number",
    ),
    (
        "E06000001,Hartlepool,ltla,2021-02-30,2",
        "cases.csv, line 6: date '2021-02-30' is not a real period",
    ),
    (
        "E06000001,Hartlepool,ltla,2021-02,2",
        "cases.csv, line 6: date '2021-02' is not a date (YYYY-MM-DD)",
    ),
    ("E06000001,Hartlepool,ltla,,2", "cases.csv, line 6: date is empty"),
    (",Hartlepool,ltla,2021-02-22,2", "cases.csv, line 6: area code is empty"),
    (
        "E06000001,Hartlepool,ltla,2021-02-19,5",
        "cases.csv, line 6 repeats line 2: E06000001 2021-02-19",
    ),
    (
        "E06000001,Hartlepool,ltla,2021-02-22,1,2",
        "cases.csv, line 6: has 6 fields where the header has 5",
    ),
]


@pytest.mark.parametrize(("extra", "message"), UKHSA_REFUSALS)
def test_ukhsa_refusals_name_the_line(tmp_path, extra, message):
    assert message in refused(write(tmp_path / "cases.csv", UKHSA + extra + "\n"))


def test_the_earliest_problem_is_reported(tmp_path):
    text = UKHSA.replace("2021-02-20,0", "2021-02-20,-1").replace("2021-02-19", "2021-99-19")
    assert "line 2: date '2021-99-19'" in refused(write(tmp_path / "cases.csv", text))


def test_ukhsa_needs_one_metric(tmp_path):
    text = "areaCode,areaName,areaType,date,newCases,cumCases\nE06000001,H,ltla,2021-02-19,5,5\n"
    message = refused(write(tmp_path / "cases.csv", text))
    assert message == (
        "cases.csv, line 1: expected one figure column beside areaCode, areaName, areaType, "
        "date; found newCases, cumCases (name the columns with --code, --date and --count)"
    )


def test_ukhsa_refuses_mixed_levels_without_ltla(tmp_path):
    text = UKHSA.replace("ltla", "utla") + "E12000001,North East,region,2021-02-21,500\n"
    assert "cases.csv, line 6: rows of several area types (utla, region): keep one" in refused(
        write(tmp_path / "cases.csv", text)
    )


# --- plain files --------------------------------------------------------------------------


def test_plain_with_options(tmp_path):
    text = "lad,day,cases,pop\nE06000001,2021-02-21,5,93000\nE06000002,2021-02-21,9,140000\n"
    path = write(tmp_path / "mine.csv", text)
    assert detect_format(path) == "plain"
    read = read_observations(path, code="lad", date="day", count="cases", denominator="pop")
    assert read.frame["count"].tolist() == [5, 9]
    assert read.frame["denominator"].tolist() == [93000, 140000]
    assert read.frame["period"].tolist() == ["2021-02-21"] * 2
    assert (read.meta.kind, read.meta.format) == ("count", "plain")


def test_plain_options_force_plain_on_a_dashboard_file(tmp_path):
    path = write(tmp_path / "cases.csv", UKHSA)
    read = read_observations(path, code="areaCode", date="date", count="newCasesBySpecimenDate")
    assert read.meta.format == "plain"
    assert read.frame["count"].sum() == 43


def test_plain_detected_from_its_header(tmp_path):
    text = "AreaCode,Period,Value,Lower,Upper\nE06000001,2019/20,-1.5,-3,0\nE06000002,2019/20,,,\n"
    path = write(tmp_path / "change.csv", text)
    read = read_observations(path)
    assert read.meta.kind == "value"
    assert read.frame["value"].tolist()[0] == -1.5  # changes may be negative
    assert read.frame["lower"].tolist()[0] == -3
    assert math.isnan(read.frame["value"].tolist()[1])
    assert read.frame["start"].tolist() == [pd.Timestamp("2019-04-01")] * 2


def test_plain_line_numbers_survive_blank_lines_and_quoted_line_breaks(tmp_path):
    text = 'code,name,period,count\nE06000001,"Hartle\npool",2020,5\n\nE06000002,M,2020,y\n'
    assert "mine.csv, line 5: count 'y' is not a number" in refused(
        write(tmp_path / "mine.csv", text)
    )


PLAIN_REFUSALS = [
    (
        "a,b,c\n1,2,3\n",
        {},
        "mine.csv, line 1: not a layout this server recognises; columns found: a, b, c",
    ),
    ("code,period,count,value\nE1,2020,1,2\n", {}, "line 1: not a layout this server recognises"),
    ("code,period,count\nE1,2020,1\n", {"count": "cases"}, "line 1: no column 'cases' for --count"),
    (
        "code,period,date,count\nE1,2020,2020-01-01,1\n",
        {"period": "period", "date": "date"},
        "give --period or --date, not both",
    ),
    ("code,period,count\nE1,2020,1\nE1,2020,2\n", {}, "mine.csv, line 3 repeats line 2: E1 2020"),
    (
        "code,date,count\nE1,2020,1\n",
        {},
        "mine.csv, line 2: date '2020' is not a date (YYYY-MM-DD)",
    ),
    ("", {}, "mine.csv, line 1: the file is empty"),
]


@pytest.mark.parametrize(("text", "options", "message"), PLAIN_REFUSALS)
def test_plain_refusals_name_the_line(tmp_path, text, options, message):
    assert message in refused(write(tmp_path / "mine.csv", text), **options)


def test_a_windows_1252_file_is_read_and_said_to_be(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(
        "code,name,period,count\nE06000001,H,2020,1\nW06000001,Ynys Môn,2020,2\n".encode("cp1252")
    )
    read = read_observations(path)
    assert read.frame["name"].tolist() == ["H", "Ynys Môn"]
    assert read.notes[0] == "not UTF-8 (line 3): read as Windows-1252 (Latin-1) text"


def test_text_in_no_encoding_read_here_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(b"code,period,count\nE1,2020,1\nE2,2020,\x81\n")
    assert refused(path) == (
        "mine.csv, line 3: is neither UTF-8 nor Windows-1252 (Latin-1) text: save it as UTF-8"
    )


def test_missing_file(tmp_path):
    assert refused(tmp_path / "nope.csv") == "nope.csv: no such file"


# --- the real files -----------------------------------------------------------------------


def test_real_ons_els_cardiovascular_mortality():
    path = SHARED_DATA / "indicators" / "ons_els_preventable-cardiovascular-mortality-england.csv"
    assert detect_format(path) == "ons-els"
    read = read_observations(path)
    frame = read.frame
    assert frame["period"].nunique() == 22
    assert read.meta.title == "Preventable cardiovascular mortality (England)"
    assert (read.meta.decimals, read.meta.multiplier) == (1, 100000)
    assert read.meta.unit == "per 100,000 population"
    latest = frame.loc[frame["end"].idxmax()]
    assert latest["period"] == "2022-01-01/P3Y"
    assert parse_period(latest["period"]).label == "2022 to 2024"
    codes = set(frame["code"])
    assert "E06000065" in codes  # North Yorkshire
    assert "E07000163" not in codes  # Craven, merged into it in 2023
    assert not any(code.startswith("E10") for code in codes)
    assert {"E67000001", "E67000002"} <= codes
    # 5,104 district rows plus 1,826 county-or-unitary rows, less the 462 county rows
    assert len(frame) == 5104 + 1826 - 462
    assert not frame.duplicated(["code", "period"]).any()


def test_real_ukhsa_cases_file():
    path = SHARED_DATA / "cases" / "ltla_newCasesBySpecimenDate_ukhsa_archive.csv"
    read = read_observations(path)
    assert len(read.frame) == 512050
    assert read.meta.kind == "count"
    assert read.frame["line"].iloc[-1] == 512051
    assert read.frame["code"].nunique() == 381


def test_fingertips_age_standardised_values_are_kept_as_published(tmp_path):
    """Counts and denominators beside a directly standardised rate: the rate is not
    Count / Denominator, so it is never recomputed (a crude rate would be a wrong figure)."""
    rows = [
        ft_row("E06000031", "Peterborough", "UA", "2022", "35.2", "60", "204000"),  # crude 29.4
        ft_row("E07000010", "Fenland", "District", "2022", "31.0", "40", "102000"),  # crude 39.2
    ]
    read = read_observations(ft_file(tmp_path, rows))
    assert read.meta.kind == "value" and read.meta.multiplier is None
    assert list(read.frame["value"]) == [35.2, 31.0]
    assert any("not Count / Denominator" in note for note in read.notes)


def test_fingertips_rates_per_1000_are_recognised(tmp_path):
    rows = [
        ft_row("E06000031", "Peterborough", "UA", "2022", "2.9", "600", "204000"),
        ft_row("E07000010", "Fenland", "District", "2022", "3.9", "400", "102000"),
    ]
    read = read_observations(ft_file(tmp_path, rows))
    assert read.meta.kind == "count" and read.meta.multiplier == 1000
