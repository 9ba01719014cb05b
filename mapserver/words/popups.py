"""The words of a map's popups and tooltips, for maps drawn from Python (folium).

The web maps put these sentences together in the browser (static/js/format.js); this
module says the same things from the same values resource (choropleth.map_values), so a
notebook map and a web map word an area alike. tests/test_popups.py holds the two to
the same text. Everything from the data is HTML-escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from .text import ordinal


def number1(value: float) -> str:
    """One decimal place with thousands separators, like Intl.NumberFormat("en-GB")."""
    return f"{value:,.1f}"


@dataclass(frozen=True)
class Words:
    """What the figures are: the Covid cases' words unless the values say otherwise."""

    unit: str = "per 100,000"
    noun: tuple[str, str] = ("case", "cases")
    weekly: bool = True
    decimals: int = 1
    confidence: str = "95"  # the level (%) of the limits shown and the comparison made

    def figure(self, value: float) -> str:
        """The figure to the indicator's decimals."""
        return f"{value:,.{self.decimals}f}"


COVID = Words()


def words_of(values: dict) -> Words:
    """The words a values resource asks for (another indicator's carry their own)."""
    level = values.get("confidence", "95")
    if "unit" not in values:
        return replace(COVID, confidence=level)
    noun = values.get("count_noun") or ["case", "cases"]
    return Words(values["unit"], (noun[0], noun[1]), False, values.get("decimals", 1), level)


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
        if area.get("suppressed"):  # a small count withheld: its colour and reason
            area["colour"] = values["suppressed_colour"]
            area["suppressed"] = values["suppressed_reason"]
        area["country"] = values["countries"][area["country"]]
        area["note"] = values["notes"].get(code)
        area["national"] = values.get("national", {}).get(area["country"])
        areas[code] = area
    return areas


def rate_text(area: dict, words: Words = COVID) -> str:
    """The rate as shown, "suppressed" or "no data"."""
    if area.get("suppressed"):
        return "suppressed"
    return "no data" if area["rate"] is None else words.figure(area["rate"])


def change_text(area: dict, words: Words = COVID) -> tuple[str, str]:
    """(up | down | same | unknown, the sentence comparing with the week before)."""
    span = "week" if words.weekly else "period"
    if area["previous_rate"] is None:
        return "unknown", f"No comparison with the previous {'7 days' if words.weekly else span}"
    before = f" from {words.figure(area['previous_rate'])} the {span} before"
    change = area["change_pct"]
    if change is None:
        kind, text = ("up", "Up" + before) if (area["rate"] or 0) > 0 else ("same", "No change")
    elif change > 0:
        kind, text = "up", f"\u25b2 {number1(change)}%{before}"
    elif change < 0:
        kind, text = "down", f"\u25bc {number1(-change)}%{before}"
    else:
        kind, text = "same", "No change"
    if kind == "same":
        text += before
    return tested(area, kind, text)


# What a test of the change says (an indicator's values carry `change_test`).
CHANCE = {
    "significant": ": more than chance would explain",
    "not significant": ": within chance variation (not significant)",
    "intervals overlap": ": the two periods' 95% confidence intervals overlap",
}


def tested(area: dict, kind: str, text: str) -> tuple[str, str]:
    """An indicator's change with its test: only a significant rise or fall is coloured
    as one; an untested change is not said to be more than chance."""
    if "change_test" not in area or kind == "same":
        return kind, text
    test = area["change_test"]
    if test in CHANCE:
        return (kind if test == "significant" else "unsure"), text + CHANCE[test]
    return "unsure", text


def rank_text(area: dict) -> str:
    """`2nd of 315 in England`, `Joint 1st of 315 in England` where the figure is shared."""
    rank = f"{ordinal(area['rank'])} of {area['rank_of']} in {area['country']}"
    return f"Joint {rank}" if area.get("tied") else rank


def cases_text(area: dict, week_text: str, words: Words = COVID) -> str:
    """`577 cases in the 7 days to 21 February 2021`."""
    noun = words.noun[0] if area["cases"] == 1 else words.noun[1]
    during = "in the" if words.weekly else "in"
    return f"{whole(area['cases'])} {noun} {during} {week_text}"


def label(area: dict, words: Words = COVID) -> str:
    """The accessible name of an area's shape: `Peterborough: 273.9 per 100,000`."""
    if area["rate"] is None:
        return f"{area['name']}: {rate_text(area, words)}"
    return f"{area['name']}: {rate_text(area, words)} {words.unit}".strip()


def popup_lines(area: dict, week_text: str, words: Words = COVID) -> list[tuple[str, str]]:
    """The popup as (CSS class, plain text) lines, in the order the web popup shows them."""
    lines = [("popup-name", area["name"])]
    if area["rate"] is not None:
        lines.append(("popup-rate", f"{rate_text(area, words)} {words.unit}".strip()))
        if area.get("lower") is not None and area.get("upper") is not None:
            low, high = words.figure(area["lower"]), words.figure(area["upper"])
            interval = f"{words.confidence}% confidence interval {low} to {high}"
            lines.append(("popup-ci", interval))
        if area.get("compared"):
            how = {"higher": "Higher than", "lower": "Lower than", "similar": "Similar to"}
            text = f"{how[area['compared']]} {area['country']}"
            if area.get("national") is not None:  # (withheld where it would reveal a count)
                text += f" ({words.figure(area['national'])})"
            lines.append((f"popup-compared popup-compared-{area['compared']}", text))
        if area.get("cases") is not None:
            lines.append(("popup-cases", cases_text(area, week_text, words)))
        elif not words.weekly:
            lines.append(("popup-cases", week_text))
        kind, text = change_text(area, words)
        lines.append((f"popup-change popup-change-{kind}", text))
        lines.append(("popup-rank", rank_text(area)))
    elif area.get("suppressed"):
        text = f"Figure suppressed: {area['suppressed']} in {week_text}, too few to publish"
        lines.append(("popup-suppressed", text))
    elif words.weekly:
        lines.append(
            (
                "popup-missing",
                f"No complete figures for the {week_text}: {area['days_known']} of 7 days reported",
            )
        )
    else:
        lines.append(("popup-missing", f"No figure for {week_text}"))
    if area["note"]:
        lines.append(("popup-note", area["note"]))
    return lines


def popup_html(area: dict, week_text: str, words: Words = COVID) -> str:
    """The popup as escaped HTML, with the web popup's elements and classes."""
    parts = []
    unit = f" {escape(words.unit)}" if words.unit else ""
    for css_class, text in popup_lines(area, week_text, words):
        if css_class == "popup-name":
            parts.append(f'<h3 class="popup-name">{escape(text)}</h3>')
        elif css_class == "popup-rate":
            parts.append(
                f'<p class="popup-rate"><strong class="popup-rate-value">'
                f"{escape(rate_text(area, words))}</strong>{unit}</p>"
            )
        else:
            parts.append(f'<p class="{css_class}">{escape(text)}</p>')
    return f'<div class="popup">{"".join(parts)}</div>'


def tooltip_html(area: dict, words: Words = COVID) -> str:
    """The hover tooltip as escaped HTML: the name and the rate (or "No data")."""
    shown = "No data" if area["rate"] is None else rate_text(area, words)
    name = escape(area["name"])
    return f'<div class="tip"><strong>{name}</strong><span>{escape(shown)}</span></div>'
