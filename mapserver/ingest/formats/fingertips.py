"""The OHID Fingertips 'Export data' CSV, narrowed to one series of local authorities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import missing
from .common import (
    Observations,
    SourceMeta,
    Table,
    build,
    check_no_repeated_rows,
    check_unique,
    counted,
    drop_repeats,
    fail,
    find_column,
    is_nation,
    plural,
    stripped,
)
from .tables import load_table

NAME = "fingertips"
# Output name -> patterns for the export's column name, squashed (common.squash): the
# website's export and fingertips_py write "Lower CI 95.0 limit", fingertipsR writes
# "LowerCI95.0limit", and R's read.csv makes that "Lower.CI.95.0.limit".
COLUMNS = {
    "indicator_id": [r"indicatorid"],
    "indicator": [r"indicatorname"],
    "code": [r"areacode"],
    "name": [r"areaname"],
    "area_type": [r"areatype"],
    "sex": [r"sex"],
    "age": [r"age"],
    "category_type": [r"categorytype"],
    "category": [r"category"],
    "period": [r"timeperiod"],
    "value": [r"value"],
    "lower": [r"lowerci950*limit", r"lowerci950*"],
    "upper": [r"upperci950*limit", r"upperci950*"],
    "lower_998": [r"lowerci998limit", r"lowerci998"],
    "upper_998": [r"upperci998limit", r"upperci998"],
    "count": [r"count"],
    "denominator": [r"denominator"],
    "note": [r"valuenote"],
}
REQUIRED = ("code", "area_type", "period", "value")
# Area types of local authorities, as Fingertips has named them over the years:
# "District & UA", "Districts & UAs (from Apr 2021)", "Counties & UAs (from Apr 2023)",
# "UA", "Lower tier local authorities (post 4/21)", "Upper tier local authorities ...".
LOCAL = r"District|\bUAs?\b|Unitary|Lower tier|Upper tier"
LOWER = r"District|Lower tier"
UPPER = r"Count|Upper tier"
SOURCE = "Office for Health Improvement and Disparities (Fingertips)"


def matches(header: list[str]) -> bool:
    """Whether a header is a Fingertips export's."""
    return all(find_column(header, *COLUMNS[name]) for name in REQUIRED)


def _text(table: pd.DataFrame, column: str | None) -> pd.Series:
    # R writes NA where the export has an empty cell (Category Type, Value note ...).
    return missing.blank(stripped(table[column])) if column else pd.Series("", index=table.index)


def _one(path: Path, values: pd.Series, what: str, advice: str) -> str:
    seen = list(values.unique())
    if len(seen) > 1:
        line = int(values.ne(seen[0]).idxmax())
        shown = ", ".join(repr(value) for value in seen)
        raise fail(path, line, f"rows for more than one {what} ({shown}): {advice}")
    return seen[0] if seen else ""


def _drop_breakdowns(table, columns, notes):
    category = _text(table, columns["category_type"]) + _text(table, columns["category"])
    breakdown = category.ne("")
    if breakdown.any():
        kinds = _text(table, columns["category_type"])[breakdown].unique()
        notes.append(
            f"dropped {plural(int(breakdown.sum()), 'breakdown row')} "
            f"(Category Type {', '.join(kinds)})"
        )
    return table[~breakdown]


def _keep_local_authorities(path, table, columns, notes):
    types = _text(table, columns["area_type"])
    local = types.str.contains(LOCAL, case=False)
    if (~local).any():
        other = types[~local].value_counts(sort=False).to_dict()
        notes.append(
            f"dropped {plural(int((~local).sum()), 'row')} of other area types ({counted(other)})"
        )
    lower = local & types.str.contains(LOWER, case=False)
    upper = local & types.str.contains(UPPER, case=False) & ~lower
    if lower.any() and upper.any():
        # Districts and counties together would cover two-tier areas twice: keep the
        # districts. Unitaries are in both tiers and are kept from the lower one.
        dropped = types[upper].value_counts(sort=False).to_dict()
        notes.append(
            f"kept the lower tier ({', '.join(types[lower].unique())}); dropped "
            f"{plural(int(upper.sum()), 'row')} of the upper tier ({counted(dropped)})"
        )
        local &= ~upper
    elif upper.any():
        counties = _text(table, columns["code"])[upper].str.startswith("E10")
        if counties.any():
            notes.append(
                f"upper-tier file: kept {plural(int(counties.sum()), 'row')} of counties "
                "(E10), whose figures cover all their districts"
            )
    if not local.any():
        found = ", ".join(types.unique())
        raise fail(path, 1, f"has no rows for local authorities (area types: {found})")
    return table[local]


# Multipliers a crude rate or proportion may be published with, most usual first.
MULTIPLIERS = (100_000, 1_000, 100, 1_000_000, 10_000, 1)


def _kind(frame: pd.DataFrame, notes: list[str]) -> tuple[str, int | None]:
    """("count", multiplier) when the values are Count / Denominator x a multiplier (the
    server may then recompute them and sum areas); else ("value", None): as published.
    Judged on the rows that have all three: a row without a count keeps its value as
    published, and changes nothing for the others."""
    valued = frame["value"].notna()
    counted = valued & frame["count"].notna() & frame["denominator"].notna()
    if not counted.any():
        return "value", None
    if (frame["count"] % 1 > 0).any():
        # Survey-weighted and modelled counts are not whole: the published value stands.
        notes.append("counts are not whole numbers (weighted or estimated): values used as given")
        return "value", None
    rows = frame[counted & (frame["denominator"] > 0)]
    for multiplier in MULTIPLIERS:
        crude = rows["count"] / rows["denominator"] * multiplier
        # Published values are rounded (to 1 decimal place, often): close, not equal.
        agree = np.isclose(rows["value"], crude, rtol=0.01, atol=0.06)
        if len(rows) and agree.mean() >= 0.95:
            return "count", multiplier
    # An age-standardised rate, say: Count / Denominator is not the figure published.
    notes.append(
        "values are not Count / Denominator (age-standardised or modelled?): used as given"
    )
    return "value", None


def _missing_note(frame: pd.DataFrame) -> str | None:
    missing = frame[frame["value"].isna()]
    if missing.empty:
        return None
    areas = list((missing["code"] + " " + missing["name"]).unique())
    shown = ", ".join(areas[:5]) + (", ..." if len(areas) > 5 else "")
    return f"{plural(len(missing), 'row')} with no value, kept as missing ({shown})"


def read(path: Path, table: Table | None = None) -> Observations:
    """One indicator, sex and age for local authorities from a Fingertips export."""
    table = (table or load_table(path)).frame
    header = list(table.columns)
    columns = {name: find_column(header, *patterns) for name, patterns in COLUMNS.items()}
    missing = [name for name in REQUIRED if columns[name] is None]
    if missing:
        raise fail(path, 1, f"lacks Fingertips column(s) for {', '.join(missing)}")
    check_no_repeated_rows(path, table)
    advice = "export one indicator at a time"
    _one(path, _text(table, columns["indicator_id"]), "Indicator ID", advice)
    notes: list[str] = []
    table = _drop_breakdowns(table, columns, notes)
    nations = table[is_nation(_text(table, columns["code"]))]
    table = _keep_local_authorities(path, table, columns, notes)
    advice = "export one, or filter the file to one"
    sex = _one(path, _text(table, columns["sex"]), "Sex", advice)
    age = _one(path, _text(table, columns["age"]), "Age", advice)
    wanted = ("code", "name", "period", "count", "denominator", "value", "note")
    wanted += ("lower", "upper", "lower_998", "upper_998")
    chosen = {name: columns[name] for name in wanted}
    frame = build(path, table, chosen, whole_counts=False)
    same = (_text(nations, columns["sex"]) == sex) & (_text(nations, columns["age"]) == age)
    national = build(path, nations[same], chosen, whole_counts=False) if same.any() else None
    if national is not None:
        national, _ = drop_repeats(national)
    # Fingertips lists an area once per parent it is shown under, and a unitary under
    # every tier type kept: identical rows are one observation.
    frame, repeats = drop_repeats(frame)
    if repeats:
        notes.append(f"kept once {plural(repeats, 'row')} repeating an earlier row")
    check_unique(path, frame)
    empty = _missing_note(frame)
    if empty:
        notes.append(empty)
    title = _text(table, columns["indicator"]).iloc[0] if columns["indicator"] else ""
    kind, multiplier = _kind(frame, notes)
    meta = SourceMeta(
        title=title or path.name,
        measure=", ".join(part for part in (sex, age) if part) or None,
        kind=kind,
        multiplier=multiplier,
        source=SOURCE,
        format=NAME,
    )
    return Observations(frame, meta, notes, national)
