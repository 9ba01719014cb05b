"""Boundary vintages: a hand-made merger with worked expectations, then the real ONS data."""

from __future__ import annotations

import hashlib
import lzma

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from mapserver.core.errors import BadParameter, DataError
from mapserver.core.resources import resource
from mapserver.ingest.boundaries import read_boundaries
from mapserver.ingest.loaders import read_lookup, read_population
from mapserver.ingest.vintages import (
    BASE,
    CHANGES_RESOURCE,
    CHANGES_SHA256,
    MERGED_ALIASES,
    VINTAGES,
    Conflict,
    build_vintages,
    builtin_vintages,
    check_forward,
    daily_forward,
    dissolve,
    read_changes,
    sum_forward,
)

from .conftest import SHARED_DATA

CITY, HACKNEY = "E09000001", "E09000012"
CORBY, EAST_NORTHANTS, KETTERING, WELLINGBOROUGH = (
    "E07000150",
    "E07000152",
    "E07000153",
    "E07000156",
)
ANGLESEY = "W06000001"
NORTH_NORTHANTS = "E06000061"
NORTH_YORKSHIRE = "E06000065"
CRAVEN = "E07000163"
LONDON = ("E12000007", "London")
EAST_MIDLANDS = ("E12000004", "East Midlands")
ENGLAND = ("E92000001", "England")
WALES = ("W92000004", "Wales")


# --- the hand-made data ---------------------------------------------------------------


def make_lookup(rows: list[tuple]) -> pd.DataFrame:
    """A lookup shaped like read_lookup's output, from (code, name, region, country, series)."""
    records = []
    names = {row[0]: row[1] for row in rows}
    series_names = {HACKNEY: "Hackney and City of London"}
    for code, name, region, country, series in rows:
        records.append(
            {
                "district": code,
                "district_name": name,
                "region_code": region[0],
                "region_name": region[1],
                "country_code": country[0],
                "country_name": country[1],
                "series": series,
                "series_name": series_names.get(series, names[series]),
            }
        )
    return pd.DataFrame(records, dtype="str").set_index("district", drop=False)


TINY_LOOKUP = [
    (CITY, "City of London", LONDON, ENGLAND, HACKNEY),
    (HACKNEY, "Hackney", LONDON, ENGLAND, HACKNEY),
    (CORBY, "Corby", EAST_MIDLANDS, ENGLAND, CORBY),
    (EAST_NORTHANTS, "East Northamptonshire", EAST_MIDLANDS, ENGLAND, EAST_NORTHANTS),
    (KETTERING, "Kettering", EAST_MIDLANDS, ENGLAND, KETTERING),
    (ANGLESEY, "Isle of Anglesey", WALES, WALES, ANGLESEY),
]


def make_changes(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["old", "new", "new_name", "vintage"])


TINY_CHANGES = [
    (CORBY, NORTH_NORTHANTS, "North Northamptonshire", 2021),
    (EAST_NORTHANTS, NORTH_NORTHANTS, "North Northamptonshire", 2021),
]


@pytest.fixture
def lookup() -> pd.DataFrame:
    return make_lookup(TINY_LOOKUP)


@pytest.fixture
def vintages(lookup):
    return build_vintages(make_changes(TINY_CHANGES), lookup)


# --- reading the changes table --------------------------------------------------------

CHANGES_CSV = """\ufeffoldcd,oldnm,newcd,newnm,type,start
E06000028,Bournemouth,E06000058,"Bournemouth, Christchurch and Poole",merger,2019
E06000057,Northumberland,E47000011,North of Tyne,new_geo,2018
E07000150,Corby,E06000061,North Northamptonshire,merger,2021
E07000152,East Northamptonshire,E06000061,North Northamptonshire,merger,2021
E10000021,Northamptonshire,,,termination,2021
E07000153,Kettering,E06000099,Made-up Shire,merger,2022
E47000010,North East,E47000014,North East,merger,2024
E08000016,Barnsley,E08000038,Barnsley,new_code,2025
"""


@pytest.mark.parametrize("suffix", [".csv", ".csv.xz"])
def test_read_changes_keeps_lad_mergers_of_2020_to_2024(tmp_path, suffix):
    path = tmp_path / f"changes{suffix}"
    body = CHANGES_CSV.encode("utf-8")
    path.write_bytes(lzma.compress(body) if suffix.endswith(".xz") else body)
    changes = read_changes(path)
    assert list(changes.columns) == ["old", "new", "new_name", "vintage"]
    assert changes.to_dict("records") == [
        {
            "old": CORBY,
            "new": NORTH_NORTHANTS,
            "new_name": "North Northamptonshire",
            "vintage": 2021,
        },
        {
            "old": EAST_NORTHANTS,
            "new": NORTH_NORTHANTS,
            "new_name": "North Northamptonshire",
            "vintage": 2021,
        },
        # a change starting in 2022 is first drawn on the 2023 boundaries
        {"old": KETTERING, "new": "E06000099", "new_name": "Made-up Shire", "vintage": 2023},
    ]


def test_read_changes_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_changes(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("oldcd,newcd,type,start\nA,B,merger,2021\n")
    with pytest.raises(DataError, match="lacks column.*newnm"):
        read_changes(bad)
    bad.write_text(
        "oldcd,oldnm,newcd,newnm,type,start\nE07000150,Corby,E06000061,North,merger,soon\n"
    )
    with pytest.raises(DataError, match="'soon', not a year"):
        read_changes(bad)


# --- first, last, mapping, districts --------------------------------------------------


def test_first_and_last(vintages):
    assert VINTAGES == (2019, 2020, 2021, 2023, 2024)
    assert vintages.first(CORBY) == BASE == 2019
    assert vintages.first(NORTH_NORTHANTS) == 2021
    assert vintages.first("E67000001") == 2019  # Hackney and City of London
    assert vintages.first("E67000002") is None  # Cornwall is not in this lookup
    assert vintages.first("X") is None
    assert vintages.last(CORBY) == 2020
    assert vintages.last(KETTERING) == 2024
    assert vintages.last(NORTH_NORTHANTS) == 2024
    assert vintages.last("E67000001") == 2024
    assert vintages.last("X") is None


def test_mapping_before_and_after_the_merger(vintages):
    base_codes = [row[0] for row in TINY_LOOKUP]
    before = vintages.mapping(2020)
    assert before.index.name == "code"
    assert before.to_dict() == {**{c: c for c in base_codes}, "E67000001": HACKNEY}
    assert vintages.mapping(2019).equals(before)
    after = vintages.mapping(2021)
    assert after.to_dict() == {
        CITY: CITY,
        HACKNEY: HACKNEY,
        CORBY: NORTH_NORTHANTS,
        EAST_NORTHANTS: NORTH_NORTHANTS,
        KETTERING: KETTERING,
        ANGLESEY: ANGLESEY,
        NORTH_NORTHANTS: NORTH_NORTHANTS,
        "E67000001": HACKNEY,
    }
    assert vintages.mapping(2024).equals(after)
    with pytest.raises(BadParameter, match="2019, 2020, 2021, 2023, 2024"):
        vintages.mapping(2022)


def test_districts_at_the_base_are_the_lookup(vintages, lookup):
    assert vintages.districts(2019).equals(lookup)
    assert vintages.districts(2020).equals(lookup)


def test_districts_after_the_merger(vintages, lookup):
    districts = vintages.districts(2021)
    assert list(districts.columns) == list(lookup.columns)
    assert districts.index.name == "district"
    assert list(districts.index) == [CITY, HACKNEY, KETTERING, ANGLESEY, NORTH_NORTHANTS]
    assert (districts["district"] == districts.index).all()
    assert districts.loc[NORTH_NORTHANTS].to_dict() == {
        "district": NORTH_NORTHANTS,
        "district_name": "North Northamptonshire",
        "region_code": "E12000004",
        "region_name": "East Midlands",
        "country_code": "E92000001",
        "country_name": "England",
        "series": NORTH_NORTHANTS,
        "series_name": "North Northamptonshire",
    }
    # the City's figures are still published with Hackney's
    assert districts.loc[CITY, "series"] == HACKNEY
    assert districts.loc[CITY, "series_name"] == "Hackney and City of London"
    assert districts.drop(NORTH_NORTHANTS).equals(lookup.drop([CORBY, EAST_NORTHANTS]))
    assert (districts.dtypes == lookup.dtypes).all()


def test_a_merger_of_a_merged_district(lookup):
    changes = make_changes(
        [*TINY_CHANGES, (NORTH_NORTHANTS, "E06000099", "Made-up Shire", 2023)]
        + [(KETTERING, "E06000099", "Made-up Shire", 2023)]
    )
    vintages = build_vintages(changes, lookup)
    assert vintages.first(NORTH_NORTHANTS) == 2021
    assert vintages.last(NORTH_NORTHANTS) == 2021
    assert vintages.first("E06000099") == 2023
    mapping = vintages.mapping(2023)
    assert mapping[CORBY] == mapping[KETTERING] == mapping[NORTH_NORTHANTS] == "E06000099"
    assert list(vintages.districts(2023).index) == [CITY, HACKNEY, ANGLESEY, "E06000099"]
    assert vintages.natural([CORBY, "E06000099"]) == 2023


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(KETTERING, "E06000099", "X", 2021), (HACKNEY, "E06000099", "X", 2021)], "one region"),
        ([(CITY, "E06000099", "City and Kettering", 2021)], "dashboard series"),
        ([("E07000999", NORTH_NORTHANTS, "N", 2021)], "E07000999 is not a district"),
        ([(CORBY, KETTERING, "K", 2021)], "already exists"),
        ([(CORBY, "E06000099", "A", 2021), (KETTERING, "E06000099", "B", 2021)], "one name"),
        ([(CORBY, "E06000099", "A", 2022)], r"\[2022\]"),
    ],
)
def test_inconsistent_mergers_are_data_errors(lookup, rows, message):
    with pytest.raises(DataError, match=message):
        build_vintages(make_changes(rows), lookup)


# --- natural and check_forward --------------------------------------------------------


def test_natural_is_the_newest_vintage_the_codes_need(vintages):
    assert vintages.natural([CORBY, KETTERING]) == 2019
    assert vintages.natural([CORBY, NORTH_NORTHANTS]) == 2021
    assert vintages.natural(["E67000001", ANGLESEY]) == 2019
    assert vintages.natural([]) == BASE


def test_natural_names_unknown_codes(vintages):
    with pytest.raises(DataError, match="codes that map to no district: X1, X2$"):
        vintages.natural([CORBY, "X2", "X1"])
    unknown = [f"X{n}" for n in range(7)]
    with pytest.raises(
        DataError, match="codes that map to no district: X0, X1, X2, X3, X4 and 2 more"
    ):
        vintages.natural([CORBY, *unknown])


def test_check_forward(vintages):
    check_forward(2019, 2023)
    check_forward(2021, 2021)
    vintages.check_forward(2020, 2024)
    with pytest.raises(BadParameter, match="would have to be split"):
        check_forward(2021, 2019)
    with pytest.raises(BadParameter, match="would have to be split"):
        vintages.check_forward(2023, 2020)
    with pytest.raises(BadParameter, match="2022 is not served.*2019, 2020, 2021, 2023, 2024"):
        check_forward(2019, 2022)


# --- sum_forward ----------------------------------------------------------------------


def test_sum_forward(vintages):
    values = pd.Series({CORBY: 10, EAST_NORTHANTS: 20, KETTERING: 5, CITY: 1}, name="population")
    summed = sum_forward(values, vintages.mapping(2021))
    assert summed.to_dict() == {NORTH_NORTHANTS: 30, KETTERING: 5, CITY: 1}
    assert summed.name == "population"
    assert summed.index.name == "code"
    assert sum_forward(values, vintages.mapping(2020)).to_dict() == values.to_dict()


def test_sum_forward_of_an_unknown_part_is_unknown(vintages):
    values = pd.Series({CORBY: 10.0, EAST_NORTHANTS: np.nan, KETTERING: 5.0})
    summed = sum_forward(values, vintages.mapping(2021))
    assert np.isnan(summed[NORTH_NORTHANTS])
    assert summed[KETTERING] == 5


def test_sum_forward_refuses_unknown_codes(vintages):
    with pytest.raises(DataError, match="map to no district: X9"):
        sum_forward(pd.Series({CORBY: 1, "X9": 2}), vintages.mapping(2021))


# --- daily_forward --------------------------------------------------------------------

DAYS = pd.date_range("2021-04-01", periods=4, name="date")


def test_daily_forward_own_value_parts_and_unknowns(vintages):
    nan = np.nan
    wide = pd.DataFrame(
        {
            CORBY: [1, nan, 1, nan],
            EAST_NORTHANTS: [2, 2, nan, nan],
            NORTH_NORTHANTS: [nan, nan, 10, 7],
            KETTERING: [4, nan, 6, 8],
        },
        index=DAYS,
    )
    out, conflicts = daily_forward(wide, vintages.mapping(2021))
    assert list(out.columns) == [NORTH_NORTHANTS, KETTERING]
    assert out.index.equals(DAYS)
    # day 1: no own value, both parts known -> their sum; day 2: a part unknown -> NaN;
    # days 3 and 4: the own value wins, whatever the parts say
    assert out[NORTH_NORTHANTS].tolist()[0] == 3
    assert np.isnan(out[NORTH_NORTHANTS].iloc[1])
    assert out[NORTH_NORTHANTS].tolist()[2:] == [10, 7]
    assert out[KETTERING].tolist()[0] == 4 and np.isnan(out[KETTERING].iloc[1])
    assert conflicts == [Conflict(NORTH_NORTHANTS, CORBY, DAYS[2])]


def test_daily_forward_without_an_own_column_sums_parts(vintages):
    wide = pd.DataFrame({CORBY: [1.0, 2.0], EAST_NORTHANTS: [3.0, np.nan]}, index=DAYS[:2])
    out, conflicts = daily_forward(wide, vintages.mapping(2021))
    assert out[NORTH_NORTHANTS].iloc[0] == 4
    assert np.isnan(out[NORTH_NORTHANTS].iloc[1])
    assert conflicts == []


def test_daily_forward_conflicts_are_ordered_by_target_part_and_date(vintages):
    wide = pd.DataFrame(
        {
            EAST_NORTHANTS: [1.0, 1.0, np.nan],
            CORBY: [1.0, np.nan, 1.0],
            NORTH_NORTHANTS: [5.0, 5.0, 5.0],
            "E67000001": [1.0, np.nan, np.nan],
            HACKNEY: [2.0, 2.0, np.nan],
        },
        index=DAYS[:3],
    )
    out, conflicts = daily_forward(wide, vintages.mapping(2021))
    assert out[NORTH_NORTHANTS].tolist() == [5, 5, 5]
    assert out[HACKNEY].iloc[:2].tolist() == [2, 2] and np.isnan(out[HACKNEY].iloc[2])
    assert conflicts == [
        Conflict(NORTH_NORTHANTS, CORBY, DAYS[0]),
        Conflict(NORTH_NORTHANTS, CORBY, DAYS[2]),
        Conflict(NORTH_NORTHANTS, EAST_NORTHANTS, DAYS[0]),
        Conflict(NORTH_NORTHANTS, EAST_NORTHANTS, DAYS[1]),
        Conflict(HACKNEY, "E67000001", DAYS[0]),
    ]


def test_daily_forward_on_the_same_vintage_changes_nothing(vintages):
    wide = pd.DataFrame({CORBY: [1.0, np.nan], KETTERING: [2.0, 3.0]}, index=DAYS[:2])
    out, conflicts = daily_forward(wide, vintages.mapping(2019))
    pd.testing.assert_frame_equal(out, wide, check_names=False)
    assert conflicts == []


def test_daily_forward_refuses_unknown_columns(vintages):
    wide = pd.DataFrame({CORBY: [1.0], NORTH_NORTHANTS: [2.0]}, index=DAYS[:1])
    with pytest.raises(DataError, match=f"map to no district: {NORTH_NORTHANTS}"):
        daily_forward(wide, vintages.mapping(2020))
    twice = pd.DataFrame([[1.0, 2.0]], index=DAYS[:1], columns=[CORBY, CORBY])
    with pytest.raises(DataError, match=f"columns appear twice: {CORBY}"):
        daily_forward(twice, vintages.mapping(2021))


# --- dissolve -------------------------------------------------------------------------


def test_dissolve_unions_parts_and_keeps_first_part_order(vintages):
    areas = gpd.GeoDataFrame(
        {"code": [KETTERING, CORBY, EAST_NORTHANTS], "name": ["Kettering", "Corby", "EN"]},
        geometry=[box(0, 1, 1, 2), box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    ).set_index("code", drop=False)
    names = vintages.districts(2021)["district_name"]
    out = dissolve(areas, vintages.mapping(2021), names)
    assert list(out.index) == [KETTERING, NORTH_NORTHANTS]
    assert list(out.columns) == ["code", "name", "geometry"]
    assert (out["code"] == out.index).all()
    assert out.loc[NORTH_NORTHANTS, "name"] == "North Northamptonshire"
    assert out.geometry[NORTH_NORTHANTS].equals(box(0, 0, 2, 1))
    assert out.geometry[KETTERING].equals(box(0, 1, 1, 2))
    assert out.crs == areas.crs
    with pytest.raises(DataError, match=f"no names for the districts {NORTH_NORTHANTS}"):
        dissolve(areas, vintages.mapping(2021), names.drop(NORTH_NORTHANTS))
    with pytest.raises(DataError, match=f"map to no district: {CORBY}"):
        dissolve(areas, vintages.mapping(2021).drop(CORBY), names)


# --- the real data --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_lookup() -> pd.DataFrame:
    return read_lookup(SHARED_DATA / "lookups" / "lad19_lad20_utla_region_lookup.csv")


@pytest.fixture(scope="module")
def real(real_lookup):
    return builtin_vintages(real_lookup)


def test_the_shipped_changes_table_is_the_ons_file_byte_for_byte():
    body = lzma.decompress(resource(CHANGES_RESOURCE).read_bytes())
    assert hashlib.sha256(body).hexdigest() == CHANGES_SHA256
    shared = SHARED_DATA / "lookups" / "sources" / "onsvisual_geography_changes_2014_2025.csv"
    assert body == shared.read_bytes()


def test_real_changes_are_the_seven_new_unitaries(real):
    assert real.changes.groupby("new").size().to_dict() == {
        "E06000060": 4,
        "E06000061": 4,
        "E06000062": 3,
        "E06000063": 3,
        "E06000064": 3,
        "E06000065": 7,
        "E06000066": 4,
    }
    assert dict(real.aliases) == dict(MERGED_ALIASES)


@pytest.mark.parametrize(
    ("vintage", "england", "total"),
    [(2019, 317, 382), (2020, 314, 379), (2021, 309, 374), (2023, 296, 361), (2024, 296, 361)],
)
def test_real_district_counts(real, vintage, england, total):
    districts = real.districts(vintage)
    assert (districts["country_code"] == "E92000001").sum() == england
    assert len(districts) == total and districts.index.is_unique


def test_real_codes_and_places(real, real_lookup):
    assert real.mapping(2020)[CORBY] == CORBY
    assert real.mapping(2021)[CORBY] == NORTH_NORTHANTS
    assert real.mapping(2024)["E67000002"] == "E06000052"
    assert real.first("E06000060") == 2020 and real.first(NORTH_NORTHANTS) == 2021
    assert real.last(CORBY) == 2020 and real.last(NORTH_NORTHANTS) == 2024
    at_2023 = real.districts(2023)
    assert at_2023.loc[NORTH_YORKSHIRE, "region_name"] == "Yorkshire and The Humber"
    assert at_2023.loc[NORTH_YORKSHIRE, "region_code"] == "E12000003"
    assert CRAVEN not in at_2023.index and CRAVEN in real.districts(2021).index
    assert at_2023.loc["E06000053", "series"] == "E06000052"  # Scilly with Cornwall
    assert real.districts(2019).equals(real_lookup)
    assert real.natural([CORBY, NORTH_NORTHANTS]) == 2021
    assert real.natural(real_lookup.index) == 2019
    with pytest.raises(BadParameter):
        real.check_forward(2023, 2019)


@pytest.fixture(scope="module")
def real_areas() -> gpd.GeoDataFrame:
    return read_boundaries(SHARED_DATA / "boundaries" / "lad19_uk_buc_ons.shp")


def test_real_dissolve_at_2023(real, real_areas):
    mapping = real.mapping(2023)
    out = dissolve(real_areas, mapping, real.districts(2023)["district_name"])
    assert out["code"].str.startswith("E").sum() == 296
    assert set(out.index) == set(real.districts(2023).index)
    assert out.is_valid.all()
    parts = mapping.index[mapping == NORTH_YORKSHIRE].intersection(real_areas.index)
    assert len(parts) == 7
    merged_area = out.loc[[NORTH_YORKSHIRE]].to_crs("EPSG:27700").area.iloc[0]
    parts_area = real_areas.loc[parts].to_crs("EPSG:27700").area.sum()
    assert merged_area == pytest.approx(parts_area, rel=1e-3)
    assert out.loc[NORTH_YORKSHIRE, "name"] == "North Yorkshire"
    assert out.index[0] == real_areas.index[0]  # first-part order


def test_real_population_sums_forward(real):
    population = read_population(SHARED_DATA / "population" / "ons_mye2019_population_lad19.csv")
    mapping = real.mapping(2021)
    summed = sum_forward(population[population.index.isin(mapping.index)], mapping)
    parts = [CORBY, EAST_NORTHANTS, KETTERING, WELLINGBOROUGH]
    assert summed[NORTH_NORTHANTS] == population[parts].sum()
    assert CORBY not in summed.index


def reference_daily_forward(wide: pd.DataFrame, mapping: pd.Series) -> tuple[pd.DataFrame, int]:
    """The rule spelt out one target at a time: slow, but plainly right; and the clash count."""
    columns, clashes = {}, 0
    for target in pd.unique(mapping[wide.columns]):
        parts = [c for c in wide.columns if mapping[c] == target and c != target]
        own = wide[target] if target in wide.columns else pd.Series(np.nan, index=wide.index)
        summed = wide[parts].sum(axis=1).where(wide[parts].notna().all(axis=1)) if parts else own
        columns[target] = own.where(own.notna(), summed)
        clashes += sum(int((own.notna() & wide[part].notna()).sum()) for part in parts)
    return pd.DataFrame(columns), clashes


def test_daily_forward_is_right_on_a_full_size_table(real):
    mapping = real.mapping(2023)
    columns = list(mapping.index)  # 382 base codes, 7 new codes, 2 aliases
    generator = np.random.default_rng(1)
    counts = generator.integers(0, 100, (1400, len(columns))).astype("float64")
    counts[generator.random(counts.shape) < 0.1] = np.nan
    wide = pd.DataFrame(counts, index=pd.date_range("2020-01-30", periods=1400), columns=columns)
    out, conflicts = daily_forward(wide, mapping)
    assert out.shape == (1400, 361)
    expected, clashes = reference_daily_forward(wide, mapping)
    pd.testing.assert_frame_equal(out, expected, check_names=False)
    assert len(conflicts) == clashes > 0
