"""Rows with and without counts are taken row by row: a row without a count keeps its
published value and limits, and changes no other area's figures nor the indicator's
unit, 99.8% limits or country figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_formats import FINGERTIPS_HEADER, ft_row, table, write
from .test_indicators import add, client_for

AREAS = [
    ("E06000031", "Peterborough", "UA", 60, 204000),
    ("E07000010", "Fenland", "District", 40, 102000),
    ("E06000061", "North Northamptonshire", "UA", 120, 350000),
    ("E09000012", "Hackney", "District", 70, 270000),
    ("E06000052", "Cornwall", "UA", 190, 570000),
    ("E08000003", "Manchester", "District", 180, 550000),
    ("E07000008", "Cambridge", "District", 35, 125000),
    ("E06000001", "Hartlepool", "UA", 30, 93000),
]
# Fenland's row as a value with its limits, and no count (as some exports give a row).
FENLAND = {
    "Lower CI 95.0 limit": "30.0",
    "Upper CI 95.0 limit": "40.5",
    "Lower CI 99.8 limit": "27.0",
    "Upper CI 99.8 limit": "44.0",
}
SHOWN = ("value", "lower", "upper", "lower_998", "upper_998", "count", "national", "compared")


def fingertips(folder: Path, fenland_counted: bool) -> Path:
    rows = [ft_row("E92000001", "England", "England", "2023", "31.4", "17740", "56500000")]
    for code, name, kind, count, denominator in AREAS:
        value = f"{count / denominator * 100_000:.1f}"
        if code == "E07000010" and not fenland_counted:
            rows.append(ft_row(code, name, kind, "2023", "35.0", other=FENLAND))
        else:
            rows.append(ft_row(code, name, kind, "2023", value, str(count), str(denominator)))
    return write(folder / "lyme.csv", table(FINGERTIPS_HEADER, rows))


def served(store: Path, id: str) -> tuple[dict, dict]:
    client = client_for(store)
    listed = {item["id"]: item for item in client.get("/api/indicators").get_json()}
    rows = client.get(f"/api/rates?indicator={id}&region=england").get_json()
    return listed[id], {row["code"]: row for row in rows}


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict:
    out = {}
    for counted in (True, False):
        folder = tmp_path_factory.mktemp(f"counted-{counted}")
        result = add(folder / "store", str(fingertips(folder, counted)), "--id", "lyme")
        assert result.exit_code == 0, result.output
        out[counted] = served(folder / "store", "lyme")
    return out


def test_a_row_without_a_count_leaves_the_unit_and_every_other_area(both):
    (counted, every), (uncounted, some) = both[True], both[False]
    assert uncounted["unit"] == counted["unit"] == "per 100,000"
    for code, name, *_ in AREAS:
        if code != "E07000010":
            assert {k: some[code][k] for k in SHOWN} == {k: every[code][k] for k in SHOWN}, name
            assert some[code]["lower_998"] is not None  # computed from its count
            assert some[code]["national"] == 31.4  # England's figure, from the file


def test_the_row_without_a_count_keeps_its_value_and_limits(both):
    fenland = both[False][1]["E07000010"]
    assert (fenland["value"], fenland["lower"], fenland["upper"]) == (35.0, 30.0, 40.5)
    assert (fenland["lower_998"], fenland["upper_998"]) == (27.0, 44.0)
    assert fenland["count"] is None
    assert fenland["compared"] == "similar"  # 30.0 to 40.5 takes in England's 31.4
    counted = both[True][1]["E07000010"]
    assert counted["value"] == round(40 / 102000 * 100_000, 1) and counted["count"] == 40


def test_one_denominator_given_changes_no_other_areas_rate(tmp_path):
    """Counts without denominators are over the area's population; one row with its own
    denominator keeps the rest so (before, the others lost their figures)."""
    codes = [code for code, *_ in AREAS]
    answers = {}
    for name, given in (("none", ""), ("one", "100000")):
        lines = [f"{code},2023,{10 + i}," for i, code in enumerate(codes)]
        lines[0] += given
        path = write(tmp_path / f"{name}.csv", "code,period,count,denominator\n")
        path.write_text(path.read_text() + "\n".join(lines) + "\n")
        assert add(tmp_path / name, str(path), "--id", "counts").exit_code == 0
        answers[name] = served(tmp_path / name, "counts")[1]
    for code in codes[1:]:
        assert answers["one"][code]["value"] == answers["none"][code]["value"] is not None
    assert answers["one"][codes[0]]["value"] == 10.0  # 10 per 100,000 of its own
