"""How an embed presents its map: highlighted areas, focus, timeline, theme and labels."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import BadParameter
from ..ingest.regions import Region
from ..maps.labels import DEFAULT_MODE as DEFAULT_LABELS
from .params import PageParams, declared


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


def _in_region(codes: tuple[str, ...] | None, name: str, region: Region) -> tuple[str, ...]:
    unknown = [code for code in codes or () if code not in region.districts]
    if unknown:
        raise BadParameter(f"{name}: unknown area code(s) for {region.title}: {', '.join(unknown)}")
    return codes or ()


def parse_presentation(args, region: Region) -> Presentation:
    """How a page presents its map: the PageParams of a request (or a mapping of query
    values, validated here), the highlighted and focused codes checked against the region
    (raises BadParameter)."""
    params = declared(PageParams, args)
    highlight = _in_region(params.highlight, "highlight", region)
    focus = _in_region(params.focus, "focus", region)
    return Presentation(
        highlight,
        focus[0] if focus else None,
        params.timeline == "1",
        params.theme,
        labels=params.labels,
        search=params.search == "1",
        facts=params.facts == "1",
    )
