"""Rows for areas that are not districts: countries, regions, counties listed among them.

ONS tables list England, its regions and the counties (E10) among the districts, each
county before its own districts. Drawn with them, a county would cover its districts
twice; so these rows are set aside and reported, as the Fingertips and Explore Local
Statistics layouts set aside their other area types. A country's row is kept apart: it
is what each area is compared with.
"""

from __future__ import annotations

import pandas as pd

from .common import counted, is_nation, plural

# ONS code prefixes (the entity codes) of areas made of whole districts.
ABOVE_DISTRICTS = {
    "K02": "United Kingdom",
    "K03": "Great Britain",
    "K04": "England and Wales",
    "E92": "country",
    "W92": "country",
    "S92": "country",
    "N92": "country",
    "E12": "region",
    "E13": "inner or outer London",
    "E10": "county",
    "E11": "metropolitan county",
    "E47": "combined authority",
}


def set_aside(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rows for districts; and the countries' rows (None if none), noting the rest."""
    prefix = frame["code"].str[:3]
    other = prefix.isin(list(ABOVE_DISTRICTS))
    if not other.any():
        return frame, None
    codes = frame.loc[other, "code"].drop_duplicates()
    kinds = (codes.str[:3].map(ABOVE_DISTRICTS) + " " + codes.str[:3]).value_counts(sort=False)
    notes.append(
        f"set aside {plural(int(other.sum()), 'row')} for {plural(len(codes), 'area')} other "
        f"than districts and unitaries, never drawn ({counted(kinds.to_dict())})"
    )
    nations = frame[is_nation(frame["code"])]
    national = nations.reset_index(drop=True) if len(nations) else None
    return frame[~other].reset_index(drop=True), national
