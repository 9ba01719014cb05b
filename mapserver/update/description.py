"""What an editor says of a map (title, subtitle, unit, source, notes) and how it is shown
(region, period, colours, highlighted areas, labels): checked, then put on the indicator."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..figures.bands import COMPARED_SCHEMES, SCHEMES
from ..ingest.formats.ons_els import multiplier as multiplier_of
from ..ingest.indicator import Indicator
from ..ingest.regions import Region

# The label modes of the maps (maps/labels.py MODES, which this layer may not import;
# a test checks that the two agree).
LABEL_MODES = ("none", "top", "all")
# The most characters each text may have: a title and a subtitle are one line of a map.
LIMITS = {
    "title": 120,
    "subtitle": 200,
    "unit": 40,
    "source": 200,
    "source_url": 500,
    "notes": 2000,
}
HIGHLIGHTS = 10  # areas highlighted at most: beyond, nothing stands out
# Control characters other than the line breaks notes may have.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Description:
    """An editor's words and display choices for a map; plain text, never markup."""

    title: str
    subtitle: str = ""
    unit: str = ""
    source: str = ""
    source_url: str = ""
    notes: str = ""
    region: str | None = None  # a region's slug or ONS code
    period: str | None = None  # a period's key, as the file gives it
    scheme: str | None = None
    highlight: tuple[str, ...] = ()
    labels: str | None = None

    @classmethod
    def of(cls, indicator: Indicator) -> Description:
        """What an indicator says already: where an editor starts."""
        display = indicator.display or {}
        return cls(
            title=indicator.title,
            subtitle=indicator.subtitle or "",
            unit=indicator.unit,
            source=indicator.source or "",
            source_url=indicator.source_url or "",
            notes=indicator.notes or "",
            region=display.get("region"),
            period=display.get("period"),
            scheme=indicator.scheme,
            highlight=tuple(display.get("highlight", ())),
            labels=display.get("labels"),
        )

    def as_dict(self) -> dict:
        """The description as JSON-ready values (a draft keeps it so)."""
        return dataclasses.asdict(self) | {"highlight": list(self.highlight)}

    @classmethod
    def from_dict(cls, values: dict) -> Description:
        """A description from JSON or a form's values: unknown names are ignored, and the
        highlighted areas may be one text of codes split by commas or spaces."""
        known = {field.name for field in dataclasses.fields(cls)}
        given = {name: value for name, value in values.items() if name in known}
        highlight = given.get("highlight") or ()
        if isinstance(highlight, str):
            highlight = highlight.replace(",", " ").split()
        given["highlight"] = tuple(str(code) for code in highlight)
        for name in ("region", "period", "scheme", "labels"):
            given[name] = given.get(name) or None
        return cls(**{"title": "", **given})

    def cleaned(self) -> Description:
        """The same, with spaces trimmed, line ends as `\\n`, and codes in capitals."""
        texts = {name: _clean(getattr(self, name), keep_lines=name == "notes") for name in LIMITS}
        return dataclasses.replace(
            self,
            **texts,
            region=(self.region or "").strip() or None,
            period=(self.period or "").strip() or None,
            scheme=(self.scheme or "").strip() or None,
            highlight=tuple(dict.fromkeys(c.strip().upper() for c in self.highlight if c.strip())),
            labels=(self.labels or "").strip() or None,
        )


def _clean(text: str, keep_lines: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not keep_lines:
        text = " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def problems(
    description: Description,
    regions: dict[str, Region],
    periods: Iterable[str],
    areas: Iterable[str],
) -> list[str]:
    """Each thing wrong with a (cleaned) description, one sentence each; none if it is
    right. `periods` and `areas`: the keys and codes the figures have."""
    found = []
    if not description.title:
        found.append("The title is empty: a map needs one.")
    for name, limit in LIMITS.items():
        text = getattr(description, name)
        words = name.replace("_", " ")
        if len(text) > limit:
            found.append(f"The {words} has {len(text):,} characters; at most {limit:,}.")
        if _CONTROL.search(text):
            found.append(f"The {words} has control characters; use plain text.")
    url = description.source_url
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            found.append(f"The source URL must begin http:// or https://, not {url[:40]!r}.")
    region = description.region
    if region is not None and not any(
        region.lower() in (r.slug, (r.code or "").lower()) for r in regions.values()
    ):
        found.append(f"No region {region!r}; choose from {', '.join(regions)}.")
    keys = list(periods)
    if description.period is not None and description.period not in keys:
        found.append(f"No period {description.period!r} in the figures; they have {_some(keys)}.")
    schemes = (*SCHEMES, *COMPARED_SCHEMES)
    if description.scheme is not None and description.scheme not in schemes:
        found.append(f"No colour scheme {description.scheme!r}; choose from {', '.join(schemes)}.")
    known = set(areas)
    unknown = [code for code in description.highlight if code not in known]
    if unknown:
        found.append(f"No figures for the highlighted area(s) {', '.join(unknown)}.")
    if len(description.highlight) > HIGHLIGHTS:
        found.append(f"{len(description.highlight)} areas are highlighted; at most {HIGHLIGHTS}.")
    if description.labels is not None and description.labels not in LABEL_MODES:
        found.append(f"No label mode {description.labels!r}; choose from {', '.join(LABEL_MODES)}.")
    return found


def _some(keys: list[str]) -> str:
    shown = ", ".join(keys[:5])
    return shown + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def described(indicator: Indicator, description: Description) -> Indicator:
    """The indicator as the (checked) description says: its words, unit and display."""
    unit = description.unit or indicator.unit
    multiplier = indicator.multiplier
    if unit != indicator.unit:
        # As `mapserver add --unit` does: a unit names its multiplier where it has one.
        multiplier = multiplier_of(unit) or multiplier
    display = {
        "region": description.region,
        "period": description.period,
        "highlight": list(description.highlight),
        "labels": description.labels,
    }
    display = {name: value for name, value in display.items() if value}
    return dataclasses.replace(
        indicator,
        title=description.title,
        subtitle=description.subtitle or None,
        unit=unit,
        multiplier=multiplier,
        source=description.source or None,
        source_url=description.source_url or None,
        notes=description.notes or None,
        scheme=description.scheme or indicator.scheme,
        display=display or None,
    )
