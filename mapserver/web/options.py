"""How an embed presents its map: highlighted areas, focus, timeline, theme and labels."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import BadParameter
from ..ingest.regions import Region
from ..maps.labels import DEFAULT_MODE as DEFAULT_LABELS
from ..maps.labels import parse_mode

THEMES = ("light", "dark", "auto")
CODE = re.compile(r"^[A-Z]\d{8}$")


@dataclass(frozen=True)
class Presentation:
    """Options that change what a reader sees first, not the figures."""

    highlight: tuple[str, ...] = ()
    focus: str | None = None
    timeline: bool = False
    theme: str = "auto"
    labels: str = DEFAULT_LABELS
    search: bool = True  # the "Find an area" box (search=0 hides it)
    facts: bool = False  # the key facts under an embed's map (facts=1)

    def params(self) -> dict:
        """Query parameters that reproduce these options (defaults left out)."""
        out = {}
        if self.highlight:
            out["highlight"] = ",".join(self.highlight)
        if self.focus:
            out["focus"] = self.focus
        if self.timeline:
            out["timeline"] = "1"
        if self.theme != "auto":
            out["theme"] = self.theme
        if self.labels != DEFAULT_LABELS:
            out["labels"] = self.labels
        if not self.search:
            out["search"] = "0"
        if self.facts:
            out["facts"] = "1"
        return out


def _codes(raw: str, name: str, region: Region) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.strip().upper() for code in raw.split(",") if code.strip()))
    if not codes:
        raise BadParameter(f"{name} needs one or more area codes, e.g. {name}=E07000150")
    malformed = [code for code in codes if not CODE.match(code)]
    if malformed:
        raise BadParameter(f"{name}: {', '.join(malformed)} is not an area code like E07000150")
    unknown = [code for code in codes if code not in region.districts]
    if unknown:
        raise BadParameter(f"{name}: unknown area code(s) for {region.title}: {', '.join(unknown)}")
    return codes


def parse_presentation(args, region: Region) -> Presentation:
    """Validate highlight, focus, timeline, theme, labels from a request (raises BadParameter)."""
    highlight = _codes(args["highlight"], "highlight", region) if "highlight" in args else ()
    focus = None
    if "focus" in args:
        focus_codes = _codes(args["focus"], "focus", region)
        if len(focus_codes) != 1:
            raise BadParameter("focus takes one area code")
        focus = focus_codes[0]
    timeline = args.get("timeline", "0")
    if timeline not in ("0", "1"):
        raise BadParameter(f"timeline must be 0 or 1, not {timeline!r}")
    theme = args.get("theme", "auto")
    if theme not in THEMES:
        raise BadParameter(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    labels = parse_mode(args.get("labels"))
    search, facts = _switch(args, "search", "1"), _switch(args, "facts", "0")
    return Presentation(
        highlight, focus, timeline == "1", theme, labels=labels, search=search, facts=facts
    )


def _switch(args, name: str, default: str) -> bool:
    value = args.get(name, default)
    if value not in ("0", "1"):
        raise BadParameter(f"{name} must be 0 or 1, not {value!r}")
    return value == "1"
