"""The UKHSA coronavirus dashboard download: one daily count per area and date."""

from __future__ import annotations

import re
from pathlib import Path

from .common import (
    Observations,
    SourceMeta,
    Table,
    build,
    check_unique,
    counted,
    fail,
    plural,
    stripped,
)
from .tables import load_table

NAME = "ukhsa-dashboard"
KEYS = ("areaCode", "areaName", "areaType", "date")


def matches(header: list[str]) -> bool:
    """Whether a header is the dashboard's: its four key columns (and, to read, one metric)."""
    return all(column in header for column in KEYS)


def _title(metric: str) -> str:
    # newCasesBySpecimenDate -> New cases by specimen date
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", metric).lower()
    return words[:1].upper() + words[1:]


def read(path: Path, table: Table | None = None) -> Observations:
    """Daily counts by area from a dashboard CSV; every count must be there and whole."""
    table = (table or load_table(path)).frame
    metrics = [column for column in table.columns if column not in KEYS]
    if len(metrics) != 1:
        found = ", ".join(metrics) or "none"
        raise fail(
            path,
            1,
            f"expected one figure column beside {', '.join(KEYS)}; found {found} "
            "(name the columns with --code, --date and --count)",
        )
    metric = metrics[0]
    notes = []
    types = stripped(table["areaType"])
    kinds = list(types.unique())
    if len(kinds) > 1:
        # A download can mix levels; adding them up would count every case twice.
        if "ltla" not in kinds:
            second = types.ne(kinds[0]).idxmax()
            raise fail(path, second, f"rows of several area types ({', '.join(kinds)}): keep one")
        other = types.ne("ltla")
        dropped = types[other].value_counts(sort=False).to_dict()
        notes.append(
            f"dropped {plural(int(other.sum()), 'row')} of area types other than ltla "
            f"({counted(dropped)})"
        )
        table = table[types.eq("ltla")]
    columns = {"code": "areaCode", "name": "areaName", "period": "date", "count": metric}
    frame = build(path, table, columns, count_required=True, dates=True)
    check_unique(path, frame)
    meta = SourceMeta(
        title=_title(metric),
        measure="Daily count by area",
        kind="count",
        source="UK Health Security Agency (coronavirus dashboard)",
        format=NAME,
    )
    return Observations(frame, meta, notes)
