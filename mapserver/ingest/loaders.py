"""Read the input files into plain DataFrames, with errors that name the file and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.errors import DataError

CASE_COLUMNS = {"areaCode": "code", "date": "date", "newCasesBySpecimenDate": "cases"}
POPULATION_COLUMNS = {"areaCode": "code", "population_mid2019": "population"}
LOOKUP_COLUMNS = {
    "LAD19CD": "district",
    "LAD19NM": "district_name",
    "RGN19CD": "region_code",
    "RGN19NM": "region_name",
    "CTRY19CD": "country_code",
    "CTRY19NM": "country_name",
    "DASHBOARD_LTLA_CD": "series",
    "DASHBOARD_LTLA_NM": "series_name",
}


def _read_csv(path: Path, columns: dict[str, str], what: str, **kwargs) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{what} file not found: {path} (run `mapserver fetch`?)")
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in columns, **kwargs)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"{what} file {path} could not be read as CSV: {error}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what} file {path} lacks column(s) {', '.join(missing)}")
    return frame.rename(columns=columns)[list(columns.values())]


def read_cases(path: Path) -> pd.DataFrame:
    """Daily cases by specimen date: columns code, date (datetime64), cases (int)."""
    frame = _read_csv(path, CASE_COLUMNS, "cases", dtype={"areaCode": str, "date": str})
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    counts = pd.to_numeric(frame["cases"], errors="coerce")
    problems = {
        "a date that does not parse (YYYY-MM-DD)": dates.isna(),
        "a count that is not a number": counts.isna(),
        "a negative count": counts < 0,
        "a count that is not a whole number": counts % 1 != 0,
    }
    bad = frame.index[pd.concat(problems.values(), axis=1).any(axis=1)]
    if len(bad):
        row = frame.loc[bad[0]]
        what = next(text for text, mask in problems.items() if mask.loc[bad[0]])
        raise DataError(
            f"cases file {path}: {len(bad)} bad row(s), the first with {what} at line "
            f"{bad[0] + 2}: {row['code']},{row['date']},{row['cases']}"
        )
    frame = frame.assign(date=dates, cases=counts.astype("int64"))
    duplicated = frame.duplicated(["code", "date"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise DataError(
            f"cases file {path}: {int(duplicated.sum())} duplicate (areaCode, date) row(s), "
            f"first {row['code']} {row['date']:%Y-%m-%d}"
        )
    return frame


def read_population(path: Path) -> pd.Series:
    """Mid-year population by area code (a Series named population)."""
    frame = _read_csv(path, POPULATION_COLUMNS, "population", dtype={"areaCode": str})
    counts = pd.to_numeric(frame["population"], errors="coerce")
    if counts.isna().any() or (counts <= 0).any():
        code = frame.loc[counts.isna() | (counts <= 0), "code"].iloc[0]
        raise DataError(f"population file {path}: missing or non-positive population for {code}")
    if frame["code"].duplicated().any():
        code = frame.loc[frame["code"].duplicated(), "code"].iloc[0]
        raise DataError(f"population file {path}: {code} appears more than once")
    return pd.Series(counts.to_numpy(dtype="int64"), index=frame["code"], name="population")


def read_lookup(path: Path) -> pd.DataFrame:
    """District lookup: district, names, region, country and the dashboard series code."""
    frame = _read_csv(path, LOOKUP_COLUMNS, "lookup", dtype=str)
    if frame[["district", "series"]].isna().any().any():
        raise DataError(f"lookup file {path}: every row needs LAD19CD and DASHBOARD_LTLA_CD")
    if frame["district"].duplicated().any():
        code = frame.loc[frame["district"].duplicated(), "district"].iloc[0]
        raise DataError(f"lookup file {path}: district {code} appears more than once")
    return frame.set_index("district", drop=False)
