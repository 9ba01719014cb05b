"""Local authority boundary vintages: LAD 2019 districts carried forward by mergers.

Between 2019 and 2024 England's districts changed only by mergers of whole districts
(Buckinghamshire 2020; North and West Northamptonshire 2021; Cumberland, Westmorland and
Furness, North Yorkshire and Somerset 2023), so every later vintage follows from the LAD
December 2019 lookup and the ONS table of changes. Data coded on older districts can be
drawn on newer ones by summing counts; never the other way round.

The changes table ships as data/lookups/onsvisual_geography_changes_2014_2025.csv.xz: the
xz-compressed, unmodified input/changes.csv of the GitHub repository ONSvisual/uk-topojson
at commit b2fde50cb130908b897de10b65cdc392f9b4ff78 (ONS data, Open Government Licence
v3.0), sha256 CHANGES_SHA256 once decompressed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core.errors import BadParameter, DataError
from ..core.resources import resource

VINTAGES = (2019, 2020, 2021, 2023, 2024)
BASE = 2019

CHANGES_RESOURCE = "data/lookups/onsvisual_geography_changes_2014_2025.csv.xz"
CHANGES_SHA256 = "f1e0a528e818d15bcfb8764be7645f15768e08287eb5834d70aaa3351f0e8c52"

# Areas ONS publishes combined, under their own codes, and the dashboard series they equal.
MERGED_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "E67000001": "E09000012",  # Hackney and City of London
        "E67000002": "E06000052",  # Cornwall and Isles of Scilly
    }
)

# LAD codes: English unitaries, districts, metropolitan districts and London boroughs;
# Welsh, Scottish and Northern Irish councils.
LAD_CODE = r"^(?:E0[6-9]|W06|S12|N09)\d{6}$"
CHANGE_COLUMNS = {"oldcd": "old", "newcd": "new", "newnm": "new_name", "type": "type"}
LOOKUP_COLUMNS = (
    "district",
    "district_name",
    "region_code",
    "region_name",
    "country_code",
    "country_name",
    "series",
    "series_name",
)
PLACE_COLUMNS = ("region_code", "region_name", "country_code", "country_name")


def _list(codes: Iterable[str], limit: int = 5) -> str:
    """The first few codes, sorted, and how many more there are."""
    codes = sorted({str(code) for code in codes})
    shown = ", ".join(codes[:limit])
    return f"{shown} and {len(codes) - limit} more" if len(codes) > limit else shown


def check_vintage(vintage: int) -> int:
    """The vintage itself if it is one served; BadParameter naming them otherwise."""
    if vintage not in VINTAGES:
        served = ", ".join(str(v) for v in VINTAGES)
        raise BadParameter(f"boundary vintage {vintage} is not served; choose one of {served}")
    return vintage


def _vintage_of(start: int) -> int:
    """The first served vintage in force at or after a change's start year."""
    return next(v for v in VINTAGES if v >= start)


def read_changes(path: Path | str) -> pd.DataFrame:
    """LAD mergers of 2020-2024 from the ONS changes CSV: old, new, new_name, vintage."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"boundary changes file not found: {path}")
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (ValueError, OSError, EOFError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"boundary changes file {path} could not be read: {error}") from None
    missing = [c for c in (*CHANGE_COLUMNS, "start") if c not in frame.columns]
    if missing:
        raise DataError(f"boundary changes file {path} lacks column(s) {', '.join(missing)}")
    frame = frame.rename(columns=CHANGE_COLUMNS)
    start = pd.to_numeric(frame["start"], errors="coerce")
    lads = frame["old"].str.match(LAD_CODE) & frame["new"].str.match(LAD_CODE)
    mergers = frame[(frame["type"] == "merger") & lads]
    if start[mergers.index].isna().any():
        row = mergers[start[mergers.index].isna()].iloc[0]
        raise DataError(
            f"boundary changes file {path}: merger {row['old']} -> {row['new']} has start "
            f"{row['start']!r}, not a year"
        )
    kept = mergers[start[mergers.index].between(BASE + 1, VINTAGES[-1])]
    vintage = start[kept.index].astype(int).map(_vintage_of)
    return pd.DataFrame(
        {
            "old": kept["old"].to_numpy(),
            "new": kept["new"].to_numpy(),
            "new_name": kept["new_name"].to_numpy(),
            "vintage": vintage.to_numpy(dtype="int64"),
        }
    )


@dataclass(frozen=True, eq=False)
class Vintages:
    """The districts of every served vintage, from the base lookup and the mergers."""

    lookup: pd.DataFrame  # the LAD 2019 lookup, as mapserver.loaders.read_lookup returns
    changes: pd.DataFrame  # mergers as read_changes returns, checked by build_vintages
    aliases: Mapping[str, str]  # combined-area codes -> the base series code they equal
    born: Mapping[str, int]  # code -> the vintage it first exists in
    retired: Mapping[str, int]  # code -> the vintage it no longer exists in
    # mapping() and districts() by vintage, made once: maps ask for them on every request.
    made: dict = field(default_factory=dict, repr=False)

    def first(self, code: str) -> int | None:
        """The vintage in which the code first exists; None if it is not known."""
        return self.born.get(code)

    def first_of(self, codes: pd.Series) -> pd.Series:
        """first() of each code in a column, aligned with it (NaN where unknown).

        Each distinct code is looked up once: a cases file has half a million rows but
        a few hundred codes, and a call per row took a quarter of a second at start-up.
        """
        positions, distinct = pd.factorize(codes)
        found = [self.born.get(code, np.nan) for code in distinct]
        found = np.array([*found, np.nan], dtype="float64")  # position -1: no code
        return pd.Series(found[positions], index=codes.index)

    def last(self, code: str) -> int | None:
        """The last vintage in which the code exists; None if it is not known."""
        if code not in self.born:
            return None
        if code not in self.retired:
            return VINTAGES[-1]
        return VINTAGES[VINTAGES.index(self.retired[code]) - 1]

    def mapping(self, vintage: int) -> pd.Series:
        """Every code known by `vintage` -> the district of `vintage` that contains it."""
        return self._once("mapping", vintage, self._mapping)

    def districts(self, vintage: int) -> pd.DataFrame:
        """One row per district of `vintage`, in the columns of read_lookup's output.

        Surviving districts keep their base row, in base order; new districts follow in
        the order of the changes table. Series are the base series carried forward.
        """
        return self._once("districts", vintage, self._districts)

    def series_mapping(self, vintage: int) -> pd.Series:
        """Every code known by `vintage` -> the series of `vintage` that counts it (the
        district that contains it, or the merged series that covers that: Hackney's)."""
        return self._once(
            "series", vintage, lambda v: self.mapping(v).map(self.districts(v)["series"])
        )

    def area_population(self, codes: pd.Series, population: pd.Series) -> pd.Series:
        """The population of each code's area on its own vintage (the LAD 2019 population
        summed), aligned with `codes`; NaN for codes no vintage knows."""
        first = self.first_of(codes)
        out = pd.Series(float("nan"), index=codes.index)
        for vintage in sorted(set(first.dropna().astype(int))):
            to_series = self.series_mapping(vintage)
            present = population.index.intersection(to_series.index)
            summed = sum_forward(population.loc[present], to_series)
            rows = first == vintage
            out[rows] = codes[rows].map(to_series).map(summed)
        return out

    def areas_at(self, areas: gpd.GeoDataFrame, vintage: int) -> gpd.GeoDataFrame:
        """LAD 2019 boundaries (as read_boundaries gives them) dissolved onto `vintage`."""
        mapping = self.mapping(vintage)
        inside = mapping.loc[mapping.index.intersection(areas.index)]
        return dissolve(areas, inside, self.districts(vintage)["district_name"])

    def _once(self, what: str, vintage: int, make):
        found = self.made.get((what, vintage))
        if found is None:
            found = self.made[(what, vintage)] = make(vintage)
        return found

    def _mapping(self, vintage: int) -> pd.Series:
        check_vintage(vintage)
        codes = [code for code, born in self.born.items() if born <= vintage]
        target = pd.Series(codes, index=pd.Index(codes, name="code"), name="district")
        target = target.drop(list(self.aliases))
        for step in VINTAGES[1 : VINTAGES.index(vintage) + 1]:
            merged = self.changes[self.changes["vintage"] == step]
            moves = dict(zip(merged["old"], merged["new"], strict=True))
            target = target.map(lambda code, moves=moves: moves.get(code, code))
        aliases = pd.Series(
            target.loc[list(self.aliases.values())].to_numpy(),
            index=pd.Index(list(self.aliases), name="code"),
            name="district",
        )
        return pd.concat([target, aliases])

    def _districts(self, vintage: int) -> pd.DataFrame:
        mapping = self.mapping(vintage)
        base = self.lookup
        district = mapping.loc[base.index].to_numpy()
        carried = mapping.loc[base["series"]].to_numpy()
        new = self.changes[self.changes["vintage"] <= vintage].drop_duplicates("new")
        new = new[~new["new"].isin(self._gone_by(vintage))]
        split = base[np.isin(district, new["new"]) & (carried != district)]
        if len(split):
            raise DataError(
                f"by {vintage}, districts {_list(split.index)} are merged apart from the "
                "dashboard series that holds their data"
            )
        rows = [
            {
                "district": code,
                "district_name": name,
                **_agreed(base[district == code], code, name),
                "series": code,
                "series_name": name,
            }
            for code, name in zip(new["new"], new["new_name"], strict=True)
        ]
        series_names = pd.concat(
            [
                base.drop_duplicates("series").set_index("series")["series_name"],
                pd.Series(new["new_name"].to_numpy(), index=new["new"].to_numpy()),
            ]
        )
        kept = base[district == base.index.to_numpy()]
        kept = kept.assign(series=mapping.loc[kept["series"]].to_numpy())
        kept = kept.assign(series_name=series_names.loc[kept["series"]].to_numpy())
        merged = pd.DataFrame(rows, columns=list(LOOKUP_COLUMNS)).astype(base.dtypes.to_dict())
        frame = pd.concat([kept, merged.set_index("district", drop=False)])
        frame.index.name = base.index.name
        return frame[list(LOOKUP_COLUMNS)]

    def _gone_by(self, vintage: int) -> set[str]:
        """Codes that no longer exist at `vintage` (merged into others by then)."""
        return {code for code, retired in self.retired.items() if retired <= vintage}

    def covers(self, code: str) -> frozenset[str]:
        """The LAD 2019 districts inside a code's area (a 2019 district: itself)."""
        if code in self.aliases:
            return frozenset(self.lookup.index[self.lookup["series"] == self.aliases[code]])
        first = self.first(code)
        if first is None:
            return frozenset()
        base = self.mapping(first).reindex(self.lookup.index)
        return frozenset(base.index[base == code])

    def natural(self, codes: Iterable[str]) -> int:
        """The newest vintage a set of codes (one period of a data file) needs."""
        codes = set(codes)
        unknown = [code for code in codes if code not in self.born]
        if unknown:
            raise DataError(f"codes that map to no district: {_list(unknown)}")
        return max((self.born[code] for code in codes), default=BASE)

    def check_forward(self, source: int, target: int) -> None:
        """Refuse drawing data coded on `source` districts on `target` districts."""
        check_forward(source, target)


def _agreed(parts: pd.DataFrame, code: str, name: str) -> dict[str, str]:
    """The region and country every part of a new district shares; DataError if not."""
    if parts.empty:
        raise DataError(f"new district {code} {name} has no parts among the base districts")
    places = parts[list(PLACE_COLUMNS)].drop_duplicates()
    if len(places) > 1:
        found = "; ".join(f"{r.region_code} {r.region_name}" for r in places.itertuples())
        raise DataError(
            f"the parts of {code} {name} ({_list(parts.index)}) are not in one region and "
            f"country: {found}"
        )
    return places.iloc[0].to_dict()


def build_vintages(changes: pd.DataFrame, lookup: pd.DataFrame) -> Vintages:
    """Check the mergers against the base lookup and note when each code exists."""
    missing = [c for c in ("old", "new", "new_name", "vintage") if c not in changes.columns]
    missing += [c for c in LOOKUP_COLUMNS if c not in lookup.columns]
    if missing:
        raise DataError(f"boundary vintages: missing column(s) {', '.join(missing)}")
    strays = pd.Index(lookup["series"]).difference(lookup.index)
    if len(strays):
        raise DataError(f"lookup series codes that are not districts: {_list(strays)}")
    wrong = sorted({int(v) for v in changes["vintage"]} - set(VINTAGES[1:]))
    if wrong:
        raise DataError(f"boundary changes in {wrong}: only {VINTAGES[1:]} are served")
    born = dict.fromkeys(lookup.index, BASE)
    retired: dict[str, int] = {}
    for vintage in VINTAGES[1:]:
        step = changes[changes["vintage"] == vintage]
        for old, new in zip(step["old"], step["new"], strict=True):
            if old not in born or old in retired:
                raise DataError(f"merger {old} -> {new} in {vintage}: {old} is not a district")
            if new in born and born[new] != vintage:
                raise DataError(f"merger {old} -> {new} in {vintage}: {new} already exists")
            if new == old:
                raise DataError(f"merger {old} -> {new} in {vintage}: a code merged into itself")
            retired[old] = vintage
            born[new] = vintage
    names = changes.groupby("new")["new_name"].nunique()
    if (names > 1).any():
        raise DataError(f"new districts with more than one name: {_list(names[names > 1].index)}")
    aliases = {a: s for a, s in MERGED_ALIASES.items() if s in lookup.index and a not in born}
    born.update(dict.fromkeys(aliases, BASE))
    vintages = Vintages(
        lookup=lookup,
        changes=changes.reset_index(drop=True),
        aliases=MappingProxyType(aliases),
        born=MappingProxyType(born),
        retired=MappingProxyType(retired),
    )
    for vintage in sorted({int(v) for v in vintages.changes["vintage"]}):
        vintages.districts(vintage)  # regions and series must agree: fail now, not later
    return vintages


@functools.lru_cache(maxsize=1)
def _builtin_changes() -> pd.DataFrame:
    return read_changes(resource(CHANGES_RESOURCE))


def builtin_vintages(lookup: pd.DataFrame) -> Vintages:
    """The vintages of a base lookup under the shipped ONS changes table.

    A lookup of other places (a hand-made fixture, say) gets the changes to its own
    districts only.
    """
    changes = _builtin_changes()
    return build_vintages(changes[changes["old"].isin(lookup.index)].copy(), lookup)


def shown_vintage(natural: int, asked: str | None) -> int:
    """The vintage to show data on: `asked` (a year, later only) or the data's own."""
    if not asked:
        return natural
    if not asked.isdigit():
        raise BadParameter(f"vintage must be a year such as 2023, not {asked!r}")
    check_forward(natural, int(asked))
    return int(asked)


def check_forward(source: int, target: int) -> None:
    """BadParameter unless `target` is a served vintage no older than `source`."""
    check_vintage(target)
    if target < source:
        raise BadParameter(
            f"cannot draw data coded on {source} districts on {target} districts: districts "
            f"merged by {source} would have to be split, which cannot be done with counts; "
            f"choose a vintage of {source} or later"
        )


def _unmapped(codes: Iterable[str], mapping: pd.Series, what: str) -> None:
    """DataError naming the codes that the mapping does not know."""
    unknown = pd.Index(codes).difference(mapping.index)
    if len(unknown):
        raise DataError(f"{what} codes that map to no district: {_list(unknown)}")


def sum_forward(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """Counts by old code summed onto target codes (populations, never rates).

    A target is NaN when any of its parts is NaN.
    """
    _unmapped(values.index, mapping, "value")
    target = pd.Index(mapping.loc[values.index].to_numpy(), name="code")
    grouped = values.groupby(target, sort=False)
    sums = grouped.sum()
    unknown = values.isna().groupby(target, sort=False).any()
    return sums.mask(unknown)


@dataclass(frozen=True)
class Conflict:
    """A date on which a district and one of its parts both have a value."""

    target: str
    part: str
    date: pd.Timestamp


def daily_forward(wide: pd.DataFrame, mapping: pd.Series) -> tuple[pd.DataFrame, list[Conflict]]:
    """Dates x old codes (NaN = unknown) onto target codes: own value, else sum of parts."""
    _unmapped(wide.columns, mapping, "column")
    if wide.columns.has_duplicates:
        raise DataError(f"columns appear twice: {_list(wide.columns[wide.columns.duplicated()])}")
    columns = wide.columns.to_numpy()
    targets = mapping.loc[wide.columns].to_numpy()
    order = pd.unique(targets)
    where = pd.Index(order).get_indexer(targets)
    values = wide.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(values)
    own_column = targets == columns
    own = np.full((len(wide), len(order)), np.nan)
    own[:, where[own_column]] = values[:, own_column]

    parts = ~own_column
    membership = np.zeros((parts.sum(), len(order)))
    membership[np.arange(parts.sum()), where[parts]] = 1.0
    part_sums = np.where(known[:, parts], values[:, parts], 0.0) @ membership
    part_unknown = (~known[:, parts]).astype("float64") @ membership
    has_parts = membership.sum(axis=0) > 0
    summed = np.where((part_unknown == 0) & has_parts, part_sums, np.nan)
    result = np.where(np.isnan(own), summed, own)

    frame = pd.DataFrame(result, index=wide.index, columns=pd.Index(order, name="code"))
    both = known[:, parts] & ~np.isnan(own[:, where[parts]])
    return frame, _conflicts(wide.index, columns[parts], targets[parts], both)


def _conflicts(
    dates: pd.Index, parts: np.ndarray, targets: np.ndarray, both: np.ndarray
) -> list[Conflict]:
    """The (date, part) cells of `both` that are true, ordered by target, part and date."""
    rows, columns = np.nonzero(both)
    rank = np.empty(len(parts), dtype="int64")
    rank[sorted(range(len(parts)), key=lambda j: (targets[j], parts[j]))] = np.arange(len(parts))
    ordered = np.argsort(rank[columns] * len(dates) + rows, kind="stable")
    rows, columns = rows[ordered], columns[ordered]
    return [
        Conflict(target, part, date)
        for target, part, date in zip(
            targets[columns].tolist(), parts[columns].tolist(), dates[rows].tolist(), strict=True
        )
    ]


def dissolve(areas: gpd.GeoDataFrame, mapping: pd.Series, names: pd.Series) -> gpd.GeoDataFrame:
    """Areas (code, name, geometry) merged onto target codes, in first-part order."""
    _unmapped(areas.index, mapping, "boundary")
    targets = pd.Series(mapping.loc[areas.index].to_numpy(), index=areas.index)
    missing = pd.Index(targets.unique()).difference(names.index)
    if len(missing):
        raise DataError(f"no names for the districts {_list(missing)}")
    alone = targets.map(targets.value_counts()) == 1
    single = areas.loc[alone.to_numpy(), ["geometry"]].copy()
    single.index = pd.Index(targets[alone].to_numpy())
    grouped = areas.loc[~alone.to_numpy(), ["geometry"]].copy()
    grouped["target"] = targets[~alone].to_numpy()
    merged = grouped.dissolve(by="target") if len(grouped) else grouped.drop(columns="target")
    if len(merged):
        merged["geometry"] = merged.geometry.make_valid()
    geometry = pd.concat([single.geometry, merged.geometry])
    codes = pd.Index(pd.unique(targets.to_numpy()))  # in the order of each first part
    out = gpd.GeoDataFrame(
        {"code": codes, "name": names.loc[codes].to_numpy()},
        geometry=geometry.loc[codes].to_numpy(),
        crs=areas.crs,
    )
    return out.set_index("code", drop=False)
