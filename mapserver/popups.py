"""The words of a map's popups and tooltips, for maps drawn from Python (folium).

The web maps put these sentences together in the browser (static/js/format.js); this
module says the same things from the same values resource (choropleth.map_values), so a
notebook map and a web map word an area alike. tests/test_popups.py holds the two to
the same text. Everything from the data is HTML-escaped here.
"""

from __future__ import annotations

from html import escape

from .choropleth import ordinal


def number1(value: float) -> str:
    """One decimal place with thousands separators, like Intl.NumberFormat("en-GB")."""
    return f"{value:,.1f}"


def whole(value: int) -> str:
    """A whole number with thousands separators."""
    return f"{value:,}"


def read_areas(values: dict) -> dict[str, dict]:
    """Each area's figures by name (FIELDS), with its colour, country and note resolved."""
    fields = values["fields"]
    areas = {}
    for code, row in values["areas"].items():
        area = dict(zip(fields, row, strict=True))
        area["code"] = code
        band = area["band"]
        area["colour"] = values["no_data_colour"] if band is None else values["colours"][band]
        area["country"] = values["countries"][area["country"]]
        area["note"] = values["notes"].get(code)
        areas[code] = area
    return areas


def rate_text(area: dict) -> str:
    """The rate as shown, or "no data"."""
    return "no data" if area["rate"] is None else number1(area["rate"])


def change_text(area: dict) -> tuple[str, str]:
    """(up | down | same | unknown, the sentence comparing with the week before)."""
    if area["previous_rate"] is None:
        return "unknown", "No comparison with the previous 7 days"
    before = f" from {number1(area['previous_rate'])} the week before"
    change = area["change_pct"]
    if change is None:
        return ("up", "Up" + before) if (area["rate"] or 0) > 0 else ("same", "No change" + before)
    if change > 0:
        return "up", f"\u25b2 {number1(change)}%{before}"
    if change < 0:
        return "down", f"\u25bc {number1(-change)}%{before}"
    return "same", "No change" + before


def rank_text(area: dict) -> str:
    """`2nd of 315 in England`."""
    return f"{ordinal(area['rank'])} of {area['rank_of']} in {area['country']}"


def cases_text(area: dict, week_text: str) -> str:
    """`577 cases in the 7 days to 21 February 2021`."""
    noun = "case" if area["cases"] == 1 else "cases"
    return f"{whole(area['cases'])} {noun} in the {week_text}"


def label(area: dict) -> str:
    """The accessible name of an area's shape: `Peterborough: 273.9 per 100,000`."""
    if area["rate"] is None:
        return f"{area['name']}: no data"
    return f"{area['name']}: {rate_text(area)} per 100,000"


def popup_lines(area: dict, week_text: str) -> list[tuple[str, str]]:
    """The popup as (CSS class, plain text) lines, in the order the web popup shows them."""
    lines = [("popup-name", area["name"])]
    if area["rate"] is not None:
        lines.append(("popup-rate", f"{rate_text(area)} per 100,000"))
        lines.append(("popup-cases", cases_text(area, week_text)))
        kind, text = change_text(area)
        lines.append((f"popup-change popup-change-{kind}", text))
        lines.append(("popup-rank", rank_text(area)))
    else:
        lines.append(
            (
                "popup-missing",
                f"No complete figures for the {week_text}: {area['days_known']} of 7 days reported",
            )
        )
    if area["note"]:
        lines.append(("popup-note", area["note"]))
    return lines


def popup_html(area: dict, week_text: str) -> str:
    """The popup as escaped HTML, with the web popup's elements and classes."""
    parts = []
    for css_class, text in popup_lines(area, week_text):
        if css_class == "popup-name":
            parts.append(f'<h3 class="popup-name">{escape(text)}</h3>')
        elif css_class == "popup-rate":
            parts.append(
                f'<p class="popup-rate"><strong class="popup-rate-value">'
                f"{escape(rate_text(area))}</strong> per 100,000</p>"
            )
        else:
            parts.append(f'<p class="{css_class}">{escape(text)}</p>')
    return f'<div class="popup">{"".join(parts)}</div>'


def tooltip_html(area: dict) -> str:
    """The hover tooltip as escaped HTML: the name and the rate (or "No data")."""
    shown = "No data" if area["rate"] is None else rate_text(area)
    name = escape(area["name"])
    return f'<div class="tip"><strong>{name}</strong><span>{escape(shown)}</span></div>'
