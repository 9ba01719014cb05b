"""Popup and tooltip wording from Python (popups.py), held to the web popup (format.js)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mapserver.maps.choropleth import region_values
from mapserver.words import popups

HOSTILE = "<img src=x onerror=alert(1)>"
WEEK_TEXT = "7 days to 21 February 2021"
FORMAT_JS = Path(__file__).resolve().parents[1] / "static" / "js" / "format.js"


def area(**changes) -> dict:
    """An area as read_areas gives it: Peterborough's figures for 21 February 2021."""
    values = {
        "code": "E06000031",
        "name": "Peterborough",
        "rate": 273.9,
        "cases": 554,
        "band": 4,
        "previous_rate": 268.0,
        "change_pct": 2.2,
        "rank": 2,
        "rank_of": 315,
        "country": "England",
        "days_known": 7,
        "colour": "#12407F",
        "note": None,
    }
    values.update(changes)
    return values


def test_popup_lines_for_a_complete_week():
    assert popups.popup_lines(area(), WEEK_TEXT) == [
        ("popup-name", "Peterborough"),
        ("popup-rate", "273.9 per 100,000"),
        ("popup-cases", "554 cases in the 7 days to 21 February 2021"),
        ("popup-change popup-change-up", "▲ 2.2% from 268.0 the week before"),
        ("popup-rank", "2nd of 315 in England"),
    ]


@pytest.mark.parametrize(
    ("changes", "kind", "text"),
    [
        ({"change_pct": -12.5}, "down", "▼ 12.5% from 268.0 the week before"),
        ({"change_pct": 0.0}, "same", "No change from 268.0 the week before"),
        (
            {"previous_rate": None, "change_pct": None},
            "unknown",
            "No comparison with the previous 7 days",
        ),
        # from zero cases: no percentage, but the direction is known
        ({"previous_rate": 0.0, "change_pct": None}, "up", "Up from 0.0 the week before"),
        (
            {"rate": 0.0, "previous_rate": 0.0, "change_pct": None},
            "same",
            "No change from 0.0 the week before",
        ),
        (
            {"previous_rate": 1234.56, "change_pct": 1500.0},
            "up",
            "▲ 1,500.0% from 1,234.6 the week before",
        ),
    ],
)
def test_change_sentences(changes, kind, text):
    assert popups.change_text(area(**changes)) == (kind, text)


@pytest.mark.parametrize(
    ("rank", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th"), (315, "315th")],
)  # fmt: skip
def test_rank_ordinals(rank, text):
    assert popups.rank_text(area(rank=rank)) == f"{text} of 315 in England"


def test_one_case_and_thousands():
    assert popups.cases_text(area(cases=1), WEEK_TEXT).startswith("1 case in the 7 days")
    assert popups.cases_text(area(cases=12345), WEEK_TEXT).startswith("12,345 cases in")
    assert popups.rate_text(area(rate=1612.0)) == "1,612.0"


def test_missing_week_and_merged_note():
    missing = area(rate=None, cases=None, change_pct=None, rank=None, days_known=6)
    missing["note"] = "Figures are for Cornwall and Isles of Scilly, reported together"
    assert popups.popup_lines(missing, WEEK_TEXT) == [
        ("popup-name", "Peterborough"),
        (
            "popup-missing",
            "No complete figures for the 7 days to 21 February 2021: 6 of 7 days reported",
        ),
        ("popup-note", "Figures are for Cornwall and Isles of Scilly, reported together"),
    ]
    assert popups.label(missing) == "Peterborough: no data"
    assert popups.tooltip_html(missing) == (
        '<div class="tip"><strong>Peterborough</strong><span>No data</span></div>'
    )
    assert popups.label(area()) == "Peterborough: 273.9 per 100,000"


def test_hostile_name_is_escaped():
    hostile = area(name=HOSTILE, note=f"Figures are for {HOSTILE}, reported together")
    for html in (popups.popup_html(hostile, WEEK_TEXT), popups.tooltip_html(hostile)):
        assert "<img" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_read_areas_resolves_fields_colours_and_notes(tiny):
    region = tiny.region("england")
    values = region_values(tiny, region, pd.Timestamp("2021-01-14"), "dashboard", 5)
    areas = popups.read_areas(values)
    # Delta is reported with Charlie: their series' 70 cases over 100,000 people
    assert areas["E06000904"]["rate"] == 70.0
    assert areas["E06000904"]["note"] == "Figures are for Charlie and Delta, reported together"
    assert areas["E06000904"]["country"] == "England"
    assert areas["E06000904"]["colour"] == "#399384"  # 50-99
    assert areas["E06000902"]["colour"] == "#e0e543"  # 0.0 is in 0-9


@pytest.mark.browser
@pytest.mark.parametrize(("region", "week"), [("england", "2021-02-21"), ("england", "2020-10-18")])
def test_python_popups_say_what_the_web_popups_say(real, new_page, region, week):
    """format.js builds each web popup in the browser; popups.py must give the same HTML."""
    values = region_values(real, real.region(region), real.parse_week(week), "dashboard", 5)
    areas = popups.read_areas(values)
    python = {
        code: {
            "popup": popups.popup_html(item, values["week_text"]),
            "tooltip": popups.tooltip_html(item),
            "label": popups.label(item),
        }
        for code, item in areas.items()
    }
    page = new_page()
    page.set_content("<!doctype html><body></body>")
    page.add_script_tag(content=FORMAT_JS.read_text(encoding="utf-8"))
    compared = page.evaluate(
        """([values, python]) => {
            const F = window.Mapserver.format;
            const areas = F.readAreas(values);
            // Both through the browser's own serialiser, so only the markup can differ.
            const normal = (html) => { const box = document.createElement("div");
                                       box.innerHTML = html; return box.innerHTML; };
            const out = {};
            for (const code of Object.keys(areas)) {
                const web = F.popupContent(areas[code], values.week_text);
                web.querySelector(".popup-trend").remove();  // the sparkline's slot
                const ours = python[code], tip = F.tooltipContent(areas[code]);
                out[code] = {
                    web: [web.outerHTML, tip.outerHTML, F.label(areas[code])],
                    python: [normal(ours.popup), normal(ours.tooltip), ours.label],
                };
            }
            return out;
        }""",
        [json.loads(json.dumps(values)), python],
    )
    assert len(compared) == len(areas) > 300
    for code, sides in compared.items():
        assert sides["python"] == sides["web"], code
    if week == "2021-02-21":
        peterborough = compared["E06000031"]["web"][0]
        assert "2nd of 315 in England" in peterborough and "273.9" in peterborough
    else:  # the October 2020 hole: areas without a complete week say so
        assert any("popup-missing" in sides["web"][0] for sides in compared.values())
    assert any("popup-note" in sides["web"][0] for sides in compared.values())
