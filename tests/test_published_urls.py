"""URLs published before indicators and vintages still answer the same maps.

`fixtures/published/b089565.json` holds what main answered at b089565 (the last commit
before indicators), recorded by `fixtures/published/record.py` on the built-in data.

A published URL may gain figures (confidence intervals, a comparison with England) but
never lose or change one it gave:
- PNG images and geometry are byte for byte the same;
- JSON keeps every key with the same value; new keys may appear, and a values
  resource's area rows may gain trailing fields, named at the end of `fields`;
- CSV keeps every column with the same cells; new columns may appear;
- pages, SVG images and key-facts sentences keep every figure they showed, in the same
  order; words and figures may be added between them. Their wording may change: key
  facts now say where two areas' intervals overlap instead of "followed by", and the
  site's name at the head of a map page is a setting (`MAPSERVER_SITE_NAME`), no longer
  "Covid-19 case rates by area". (The front-end code is not compared: it changes by
  design.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from mapserver import create_app

from .fixtures.published.record import record

RECORDED = Path(__file__).parent / "fixtures" / "published" / "b089565.json"
# Lists whose entries may gain trailing items: a values resource's field names and the
# rows of figures in that order.
EXTENSIBLE = {"fields", "areas"}
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def then_and_now(tmp_path_factory):
    then = json.loads(RECORDED.read_text(encoding="utf-8"))
    store = tmp_path_factory.mktemp("published")
    app = create_app({"store_dir": store, "watch_every": "0"})
    return then, record(app.test_client())


def kept(before, after, where: str = "", extensible: bool = False) -> list[str]:
    """Where `after` loses or changes something `before` had (empty: all kept)."""
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return [f"{where}: was an object"]
        problems = []
        for key, value in before.items():
            if key == "timeStamp":  # when the data was loaded, not a figure
                continue
            if key not in after:
                problems.append(f"{where}/{key}: missing")
                continue
            problems += kept(value, after[key], f"{where}/{key}", extensible or key in EXTENSIBLE)
        return problems
    if isinstance(before, list):
        if not isinstance(after, list):
            return [f"{where}: was a list"]
        if where.endswith("/sentences"):
            lost = in_order(figures(" ".join(before)), figures(" ".join(after)))
            return [f"{where}: lost {lost}"] if lost else []
        if len(after) != len(before) and not (extensible and len(after) > len(before)):
            return [f"{where}: {len(before)} items became {len(after)}"]
        problems = []
        for i, value in enumerate(before):
            problems += kept(value, after[i], f"{where}/{i}", extensible)
        return problems
    return [] if before == after else [f"{where}: {before!r} became {after!r}"]


# The site's name became the operator's to set (MAPSERVER_SITE_NAME, issue 25): pages
# no longer head every map "Covid-19 case rates by area", whose "19" is no figure.
OLD_SITE_NAME = ["Covid-19", "case", "rates", "by", "area"]


def without_site_name(words: list[str]) -> list[str]:
    """The recorded words without the old site name."""
    n = len(OLD_SITE_NAME)
    for i in range(len(words) - n + 1):
        if words[i : i + n] == OLD_SITE_NAME:
            return words[:i] + words[i + n :]
    return words


def in_order(before: list[str], after: list[str]) -> list[str]:
    """The words of `before` that `after` lacks, reading both in order."""
    missing, at = [], 0
    for word in before:
        try:
            at = after.index(word, at) + 1
        except ValueError:
            missing.append(word)
    return missing


def figures(text: str) -> list[str]:
    """The numbers in a text, in order (`7,783`, `107.2`, `14.5`)."""
    return FIGURE.findall(text)


def columns(text: str) -> dict[str, list[str]]:
    """A CSV's cells by column."""
    rows = list(csv.reader(io.StringIO(text)))
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


def test_at_least_twenty_urls_are_recorded(then_and_now):
    then, _ = then_and_now
    assert len(then["answers"]) >= 20
    assert {url.split("?")[0].split("/")[1] for url in then["answers"]} >= {
        "embed", "map", "image", "api", "ogc", "oembed", "values", "geo", "download",
    }  # fmt: skip


def test_the_data_and_geometry_versions_are_unchanged(then_and_now):
    then, now = then_and_now
    assert now["data_version"] == then["data_version"]
    assert now["geometry_version"] == then["geometry_version"]


def test_the_comparisons_catch_a_lost_or_changed_figure():
    values = {"fields": ["name", "rate"], "areas": {"E1": ["Alpha", 12.5]}}
    grown = {"fields": ["name", "rate", "lower"], "areas": {"E1": ["Alpha", 12.5, 9.1]}, "x": 1}
    assert kept(values, grown) == []
    assert kept(values, {**grown, "areas": {"E1": ["Alpha", 12.6, 9.1]}}) == [
        "/areas/E1/1: 12.5 became 12.6"
    ]
    assert kept({"rows": [1, 2]}, {"rows": [1, 2, 3]}) == ["/rows: 2 items became 3"]
    assert kept({"a": 1}, {}) == ["/a: missing"]
    said = {"sentences": ["Corby, 358.6, followed by Peterborough, 273.9.", "All 53 areas."]}
    reworded = ["Corby, 358.6, but Peterborough, 273.9, is close.", "Both are higher.", "All 53."]
    assert kept(said, {"sentences": reworded}) == []
    assert kept(said, {"sentences": reworded[:2]}) == ["/sentences: lost ['53']"]
    assert figures("1st of 315). 7,783 cases, 107.2 per 100,000") == [
        "1", "315", "7,783", "107.2", "100,000"
    ]  # fmt: skip
    assert in_order(["Corby", "358.6", "1st"], ["Corby", "358.6", "(95%", "CI)", "1st"]) == []
    assert in_order(["Corby", "358.6", "1st"], ["358.6", "Corby", "1st"]) == ["358.6"]


@pytest.mark.parametrize("url", list(json.loads(RECORDED.read_text())["answers"]))
def test_a_published_url_answers_as_before(then_and_now, url):
    then, now = then_and_now
    before, after = then["answers"][url], now["answers"][url]
    assert after["status"] == before["status"] == 200
    assert after["content_type"] == before["content_type"]
    if before["content_type"] == "image/png" or url.startswith("/geo/"):
        assert after["sha256"] == before["sha256"]  # byte for byte
    if "json" in before:
        assert kept(before["json"], after["json"]) == []
    if "csv" in before:
        old, new = columns(before["csv"]), columns(after["csv"])
        assert {name: new.get(name) for name in old} == old
    if "words" in before:
        old = figures(" ".join(without_site_name(before["words"])))
        new = figures(" ".join(after["words"]))
        assert in_order(old, new) == []
    # Every answer is compared on something a reader gets.
    assert {"json", "csv", "words"} & before.keys() or before["content_type"] == "image/png"
