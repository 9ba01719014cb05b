"""What the confidence intervals let key facts say: who is significantly higher than the
country, and whether the order of the top two is more than noise.

Each named area carries its 95% limits (`lower`, `upper`), its country's figure
(`national`) and its class (`compared`: higher, similar or lower). Two areas' order is
said only when their 95% intervals do not overlap; otherwise the sentence says that the
figures cannot tell them apart.
"""

from __future__ import annotations

from .text import joined

VERBS = {
    "higher": "significantly higher than",
    "similar": "not significantly different from",
    "lower": "significantly lower than",
}


def overlap(first: dict, second: dict) -> bool | None:
    """Whether two areas' 95% intervals overlap (None where either has none: without
    intervals nothing is said of significance)."""
    if None in (first.get("lower"), first.get("upper"), second.get("lower"), second.get("upper")):
        return None
    return first["lower"] <= second["upper"] and second["lower"] <= first["upper"]


def compared_sentence(top: list[dict], figure_text, when: str) -> str | None:
    """`In the 7 days to 21 February 2021, Corby and Peterborough were significantly
    higher than England as a whole (120.6 per 100,000), by 95% confidence intervals.`;
    None where no area can be compared.

    `figure_text(value)` writes a figure with its unit; `when` names the period.
    """
    shown = [area for area in top if area.get("compared")]
    if not shown:
        return None
    countries = {area["country"] for area in shown}
    parts = []
    for way, verb in VERBS.items():
        names = [area["name"] for area in shown if area["compared"] == way]
        if not names:
            continue
        be = "was" if len(names) == 1 else "were"
        if not parts:
            if len(countries) == 1:
                whole = f"{shown[0]['country']} as a whole"
                if shown[0]["national"] is not None:  # (withheld where it would reveal a count)
                    whole += f" ({figure_text(shown[0]['national'])})"
            else:
                whole = "their country as a whole"
            parts.append(f"{joined(names)} {be} {verb} {whole}")
        else:
            parts.append(f"{joined(names)} {be} {verb} it")
    sentence = f"In {when}, " + "; ".join(parts) + ", by 95% confidence intervals."
    unnamed = [area["name"] for area in top if area not in shown]
    if unnamed:
        sentence += f" {joined(unnamed)} cannot be compared."
    return sentence


def next_highest(lead: dict, others: list[dict], figure: str, rank: str) -> str:
    """The words after the leader: `, followed by B, 18.2 (2nd of 5)`, or, where their
    95% intervals overlap, `, but B, 18.2 (2nd of 5), is not significantly lower: ...`."""
    close = any(overlap(lead, area) is True for area in others)
    if len(others) > 1:
        names = joined([area["name"] for area in others])
        text = f"; {names} share the next highest, {figure} ({rank})"
        if close:
            text += ", not significantly lower: their 95% confidence intervals overlap"
        return text
    if close:
        return (
            f", but {others[0]['name']}, {figure} ({rank}), is not significantly lower: "
            "their 95% confidence intervals overlap"
        )
    return f", followed by {others[0]['name']}, {figure} ({rank})"


def interval_fields(row, decimals: int) -> dict:
    """A named area's limits, its country's figure and its class, for the facts' JSON."""
    out = {}
    for name in ("lower", "upper", "national"):
        value = row.get(name)
        out[name] = None if value is None or value != value else round(float(value), decimals)
    compared = row.get("compared")
    out["compared"] = compared if isinstance(compared, str) else None
    return out
