"""ONS Explore Local Statistics: an indicator CSV with its JSON metadata beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
    is_nation,
    plural,
    stripped,
)
from .tables import load_table

NAME = "ons-els"
REQUIRED = ("areacd", "areanm", "geography", "period", "observation")
GEOGRAPHIES = ("Local Authority District", "County or Unitary Authority")
# Districts and unitaries of England, Wales, Scotland and Northern Ireland; counties (E10)
# would overlap their districts on a district map.
DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")
# Hackney with the City of London, Cornwall with the Isles of Scilly, as the sources give them.
COMBINED = ("E67000001", "E67000002")


def matches(header: list[str]) -> bool:
    """Whether a header is an Explore Local Statistics indicator file's."""
    return all(column in header for column in REQUIRED)


def multiplier(unit: str | None) -> int | None:
    """100000 for 'per 100,000 population', 100 for a percentage, else None."""
    if not unit:
        return None
    per = re.search(r"\bper\s+([\d,]+)\b", unit, re.IGNORECASE)
    if per:
        return int(per[1].replace(",", ""))
    if "%" in unit or re.search(r"\bper ?cent", unit, re.IGNORECASE):
        return 100
    return None


def metadata_path(path: Path) -> Path:
    """The JSON beside the CSV: same stem, compression suffix dropped."""
    name = re.sub(r"\.csv(\.[a-z0-9]+)?$", "", path.name, flags=re.IGNORECASE)
    return path.with_name(f"{name}.json")


def _metadata(path: Path) -> dict | None:
    beside = metadata_path(path)
    if not beside.exists():
        return None
    try:
        document = json.loads(beside.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise fail(beside, error.lineno, f"is not valid JSON ({error.msg})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise fail(beside, None, f"could not be read ({error})") from None
    if not isinstance(document, dict):
        raise fail(beside, 1, "is not a JSON object")
    inner = document.get("ess-beta-metadata", document)
    return inner if isinstance(inner, dict) else {}


def _decimals(value, beside: Path) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise fail(beside, None, f"decimalPlaces {value!r} is not a whole number") from None


def _only(table, column: str, path: Path, what: str) -> str:
    texts = stripped(table[column])
    values = list(texts.unique())
    if len(values) > 1:
        line = texts.ne(values[0]).idxmax()
        raise fail(path, line, f"holds more than one {what} ({', '.join(values)}): keep one")
    return values[0] if values else ""


def read(path: Path, table: Table | None = None) -> Observations:
    """District and unitary figures from an Explore Local Statistics file."""
    table = (table or load_table(path)).frame
    missing = [column for column in REQUIRED if column not in table.columns]
    if missing:
        raise fail(path, 1, f"lacks column(s) {', '.join(missing)}")
    check_no_repeated_rows(path, table)
    notes = []
    codes = stripped(table["areacd"])
    geography = stripped(table["geography"])
    local = codes.str.startswith(DISTRICT_PREFIXES) | codes.isin(COMBINED)
    keep = geography.isin(GEOGRAPHIES) & local
    nations = table[is_nation(codes)]
    if (~keep).any():
        other = (geography + " " + codes.str[:3])[~keep].value_counts(sort=False).to_dict()
        notes.append(
            f"dropped {plural(int((~keep).sum()), 'row')} of areas other than districts "
            f"and unitaries ({counted(other)})"
        )
    table = table[keep]
    if table.empty:
        raise fail(path, 1, "has no rows for districts or unitary authorities")
    for column in ("status", "notes"):
        if column not in table.columns:
            table = table.assign(**{column: ""})
    note = stripped(table["status"]) + "; " + stripped(table["notes"])
    table = table.assign(note=note.str.strip("; "))
    indicator = _only(table, "indicator", path, "indicator") if "indicator" in table else ""
    columns = {
        "code": "areacd",
        "name": "areanm",
        "period": "period",
        "value": "observation",
        "lower": "lci_95" if "lci_95" in table else None,
        "upper": "uci_95" if "uci_95" in table else None,
        "note": "note",
    }
    frame = build(path, table, columns)
    national = None
    if len(nations):
        national = build(path, nations.assign(note=""), columns)
        national, _ = drop_repeats(national)
    # The same code may be listed under both geographies; once is enough.
    frame, repeats = drop_repeats(frame)
    if repeats:
        notes.append(
            f"kept once {plural(repeats, 'row')} repeating an earlier row "
            "(a code listed under both geographies)"
        )
    check_unique(path, frame)
    meta = _meta(path, table, indicator, notes)
    return Observations(frame, meta, notes, national)


def _meta(path: Path, table, indicator: str, notes: list[str]) -> SourceMeta:
    found = _metadata(path)
    if found is None:
        notes.append(
            f"no metadata file {metadata_path(path).name} beside it: title and unit "
            "taken from the CSV's indicator and unit columns"
        )
        unit = _only(table, "unit", path, "unit") if "unit" in table else ""
        measure = _only(table, "measure", path, "measure") if "measure" in table else ""
        return SourceMeta(
            title=indicator or path.name,
            measure=measure or None,
            unit=unit or None,
            multiplier=multiplier(unit),
            format=NAME,
        )
    unit = found.get("subText") or None
    return SourceMeta(
        title=found.get("label") or indicator or path.name,
        measure=found.get("subtitle") or None,
        unit=unit,
        multiplier=multiplier(unit),
        decimals=_decimals(found.get("decimalPlaces"), metadata_path(path)),
        source=found.get("sourceOrg") or None,
        caveats=found.get("caveats") or None,
        format=NAME,
    )
