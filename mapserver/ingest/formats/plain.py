"""A plain CSV: an area code, a period or date, and a count or a value per row."""

from __future__ import annotations

from pathlib import Path

from .common import Observations, SourceMeta, build, check_unique, fail, find_column, read_table

NAME = "plain"
# Column-name patterns (lower case, spaces collapsed) tried when no options name them.
GUESSES = {
    "code": [r"area ?code", r"area_code", r"code", r"areacd", r"lad\d\dcd", r"ltla\d\dcd"],
    "name": [r"area ?name", r"area_name", r"name", r"areanm", r"lad\d\dnm", r"ltla\d\dnm"],
    "period": [r"period", r"date", r"year"],
    "count": [r"count"],
    "value": [r"value"],
    "denominator": [r"denominator", r"population"],
    "lower": [r"lower", r"lower_ci", r"lci", r"lci_95"],
    "upper": [r"upper", r"upper_ci", r"uci", r"uci_95"],
}


def guess(header: list[str]) -> dict[str, str | None]:
    """The columns a plain header seems to name, by name; None where not found."""
    return {name: find_column(header, *patterns) for name, patterns in GUESSES.items()}


def matches(header: list[str]) -> bool:
    """Whether a header has an obvious code, period, and exactly one of count and value."""
    found = guess(header)
    return bool(found["code"] and found["period"]) and bool(found["count"]) != bool(found["value"])


def _refuse(path: Path, header: list[str], problem: str):
    raise fail(
        path,
        1,
        f"{problem}; columns found: {', '.join(header)} "
        "(name them with code=, period= or date=, count= or value=, and denominator=)",
    )


def read(path: Path, **options: str) -> Observations:
    """Observations from the columns the options name, or that the header makes obvious."""
    table = read_table(path)
    header = list(table.columns)
    for option, column in options.items():
        if column not in header:
            _refuse(path, header, f"no column {column!r} for {option}=")
    if "period" in options and "date" in options:
        _refuse(path, header, "give period= or date=, not both")
    if not options and not matches(header):
        _refuse(path, header, "not a layout this server recognises")
    # Options override the guesses; naming a count or a value sets the other aside.
    columns = guess(header)
    if "count" in options or "value" in options:
        columns["count"], columns["value"] = options.get("count"), options.get("value")
    columns |= {name: options[name] for name in ("code", "denominator") if name in options}
    columns["period"] = options.get("period") or options.get("date") or columns["period"]
    if not (columns["code"] and columns["period"] and (columns["count"] or columns["value"])):
        _refuse(path, header, "no obvious code, period, or count or value column")
    # A date column must hold dates; a period column may hold any period.
    dates = "date" in options or columns["period"].lower() == "date"
    frame = build(path, table, columns, count_required=bool(columns["count"]), dates=dates)
    check_unique(path, frame)
    kind = "count" if columns["count"] else "value"
    # A plain file says nothing of itself: its name (without .csv, .csv.gz ...) is the title.
    title = path.name.split(".")[0] or path.name
    return Observations(frame, SourceMeta(title=title, kind=kind, format=NAME), [])
