"""The lean (format 2) values and geometry: a week's figures as columns, names with the shapes.

The first values format (choropleth.map_values) keys every area by its code and repeats
its name every week. Format 2 is what newly rendered maps load:

- the region's TopoJSON (`<region>.v2.topojson`) lists the region's own areas first, in
  the order labels=all tries them (largest population first, see labels.population_order),
  each with its `name` (and `short`, where a label shortens it) besides its `label`
  point, then the neighbours drawn for context, with no properties; its `version` is the
  version in its URL;
- the week's values (`<week>.v2.json`) give one array per figure (`columns`), in that
  order, with no codes and no names; an area is its position in the geometry's order.
  A column whose entries are nearly all one value is that value and the exceptions
  (`{"value": 7, "except": {"12": 5}}`). The labels' `others`, and the `names` and
  `short` names, are only there where the week's differ from the geometry's (another
  indicator's denominators may order the areas otherwise).

`read_lean` turns format 2 back into the first format: the browser (static/js/format.js,
readAreas) reads both the same way. No Flask here.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .labels import population_order, short_name

FORMAT = 2
# A column is written as its common value and the exceptions when at most this share of
# its entries differ from that value.
SPARSE_SHARE = 0.25
# The first format's keys that format 2 writes otherwise (or not at all).
RESHAPED = ("fields", "areas", "notes", "labels")


@dataclass(frozen=True)
class Places:
    """The areas of a lean geometry: their order, names and short names, and its version."""

    version: str
    order: dict[str, int]  # code -> its place among every district drawn
    names: dict[str, str]
    short: dict[str, str]  # only the names a label shortens

    def codes(self, districts: Iterable[str]) -> list[str]:
        """The districts (of a region) that the geometry draws, in its order."""
        return sorted({c for c in districts if c in self.order}, key=self.order.__getitem__)


def places_for(dataset, drawn: Iterable[str], geometry_version: str) -> Places:
    """The names and order of the districts drawn (codes), from the dataset's lookup and
    population; the version changes with the shapes, names, order or regions."""
    drawn = set(drawn)
    lookup = dataset.lookup
    rows = lookup.loc[[code for code in lookup.index if code in drawn]]
    table = pd.DataFrame(
        {
            "district_name": rows["district_name"].astype(str),
            "covered": rows["series"] != rows.index,
            "population": rows["series"].map(dataset.population),
        },
        index=rows.index,
    )
    order = population_order(table)
    names = {code: str(table.at[code, "district_name"]) for code in order}
    short = {code: short_name(name) for code, name in names.items() if short_name(name) != name}
    regions = {slug: list(region.districts) for slug, region in sorted(dataset.regions.items())}
    # Named by what it is made of (not its bytes, which differ by region): the shapes and
    # label points (the geometry version), the names, the order and the regions' members.
    made_of = json.dumps(
        [FORMAT, geometry_version, [[code, names[code]] for code in order], regions],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    version = hashlib.sha256(made_of.encode("utf-8")).hexdigest()[:12]
    return Places(version, {code: i for i, code in enumerate(order)}, names, short)


def lean_properties(places: Places, code: str, label: list[float] | None) -> dict:
    """A region area's properties in the lean geometry: name, short name and label point."""
    properties = {"name": places.names[code]}
    if code in places.short:
        properties["short"] = places.short[code]
    if label is not None:
        properties["label"] = label
    return properties


def lean_values(values: dict, places: Places, codes: list[str]) -> dict:
    """Format 2 of a values resource (choropleth.map_values), laid out for `codes`, the
    region's areas in the geometry's order (Places.codes); the same figures exactly."""
    if set(codes) != set(values["areas"]):
        missing = sorted(set(values["areas"]) - set(codes))
        raise ValueError(f"the geometry does not draw {', '.join(missing) or 'these areas'}")
    at = {code: i for i, code in enumerate(codes)}
    fields = values["fields"]
    rows = [values["areas"][code] for code in codes]
    columns = {
        name: column([row[i] for row in rows]) for i, name in enumerate(fields) if name != "name"
    }
    labels = values["labels"]
    lean_labels: dict = {"top": [at[code] for code in labels["top"]]}
    top = set(labels["top"])
    if labels["others"] != [code for code in codes if code not in top]:
        lean_labels["others"] = [at[code] for code in labels["others"]]
    names = [row[fields.index("name")] for row in rows]
    renamed = any(name != places.names[code] for code, name in zip(codes, names, strict=True))
    if renamed or labels["short"] != {c: places.short[c] for c in codes if c in places.short}:
        lean_labels["short"] = {str(at[code]): text for code, text in labels["short"].items()}
    out = {"format": FORMAT, "geometry": places.version}
    out |= {key: value for key, value in values.items() if key not in RESHAPED}
    out["columns"] = columns
    if renamed:
        out["names"] = names
    out["notes"] = {str(at[code]): text for code, text in values["notes"].items()}
    out["labels"] = lean_labels
    return out


def column(items: list) -> list | dict:
    """A column's entries, or its common value and the exceptions when few differ."""
    if not items:
        return items
    # Keyed by their JSON, so that True, 1 and 1.0 are not taken for one value.
    keys = [_key(item) for item in items]
    common, seen = Counter(keys).most_common(1)[0]
    if len(items) - seen > SPARSE_SHARE * len(items):
        return items
    out: dict = {"value": items[keys.index(common)]}
    exceptions = {str(i): items[i] for i, key in enumerate(keys) if key != common}
    if exceptions:
        out["except"] = exceptions
    return out


def _key(item):
    """Equal for two items exactly when their JSON is (so True, 1 and 1.0 differ, and
    -0.0 and 0.0): json.dumps for each of a region's thousands of cells took longer."""
    if item is None or isinstance(item, bool):
        return (bool, item)
    if isinstance(item, int):
        return (int, int(item))
    if isinstance(item, float) and math.isfinite(item):
        return (float, float.__repr__(item))
    if isinstance(item, str):
        return (str, str(item))
    return json.dumps(item, separators=(",", ":"), allow_nan=False)


def expand(spec: list | dict, count: int) -> list:
    """A column's entries from either form."""
    if isinstance(spec, list):
        if len(spec) != count:
            raise ValueError(f"a column of {len(spec)} entries for {count} areas")
        return spec
    items = [spec["value"]] * count
    for index, item in spec.get("except", {}).items():
        items[int(index)] = item
    return items


def places_of(topology: dict) -> tuple[str, list[str], dict[str, str], dict[str, str]]:
    """A lean TopoJSON's version, its region's codes in order, their names and short names."""
    codes, names, short = [], {}, {}
    for item in topology["objects"]["areas"]["geometries"]:
        properties = item.get("properties") or {}
        if "name" in properties:
            codes.append(item["id"])
            names[item["id"]] = properties["name"]
            if "short" in properties:
                short[item["id"]] = properties["short"]
    return topology.get("version"), codes, names, short


def read_lean(lean: dict, topology: dict) -> dict:
    """The first format of lean values, with the names from their lean TopoJSON."""
    version, codes, names, short = places_of(topology)
    if lean.get("format") != FORMAT or lean.get("geometry") != version:
        raise ValueError(
            f"values for another version of the areas ({lean.get('geometry')}, not {version})"
        )
    count = len(codes)
    columns = {name: expand(spec, count) for name, spec in lean["columns"].items()}
    named = lean.get("names") or [names[code] for code in codes]
    areas = {
        code: [named[i], *(items[i] for items in columns.values())] for i, code in enumerate(codes)
    }
    labels = lean["labels"]
    top = [codes[i] for i in labels["top"]]
    if "others" in labels:
        others = [codes[i] for i in labels["others"]]
    else:
        others = [code for code in codes if code not in set(top)]
    if "short" in labels:
        short = {codes[int(i)]: text for i, text in labels["short"].items()}
    out = {key: value for key, value in lean.items() if key not in ("format", "geometry")}
    for key in ("columns", "names"):
        out.pop(key, None)
    out |= {
        "fields": ["name", *columns],
        "areas": areas,
        "notes": {codes[int(i)]: text for i, text in lean["notes"].items()},
        "labels": {"top": top, "others": others, "short": short},
    }
    return out
