"""Key facts for an indicator other than the Covid cases: who is highest, lowest, missing.

The same rules as the Covid facts (facts.py) for naming the top areas; the figures are
the indicator's own, in its unit and to its decimals. A total is said only where the
indicator has counts (a published rate is never averaged).
"""

from __future__ import annotations

import pandas as pd

from ..figures import disclosure
from .facts import Facts, select_top
from .significance import compared_sentence, interval_fields, next_highest
from .text import joined, ordinal


def _figure(value: float, dataset) -> str:
    return f"{value:,.{dataset.decimals}f} {dataset.unit}".strip()


def _area(row, dataset) -> dict:
    return {
        "code": row["code"],
        "name": str(row["name"]),
        "rate": round(float(row["rate"]), dataset.decimals),
        "rank": int(row["rank"]),
        "rank_of": int(row["rank_of"]),
        "country": row["country"],
        **interval_fields(row, dataset.decimals),
    }


def _top_sentence(dataset, region, when: str, top: list[dict]) -> str:
    lead = top[0]
    leaders = [area for area in top if area["rank"] == lead["rank"]]
    rank = f"{ordinal(lead['rank'])} of {lead['rank_of']} in {lead['country']}"
    if len(leaders) > 1:
        names = joined([area["name"] for area in leaders])
        sentence = f"{names} share the highest figure in {region.title} in {when}"
    else:
        sentence = f"{lead['name']} had the highest figure in {region.title} in {when}"
    sentence += f": {_figure(lead['rate'], dataset)} ({'joint ' * (len(leaders) > 1)}{rank})"
    others = [area for area in top if area["rank"] != lead["rank"]]
    if others:
        second = others[0]
        figure = f"{second['rate']:,.{dataset.decimals}f}"
        rank = f"{'joint ' * (len(others) > 1)}{ordinal(second['rank'])} of {second['rank_of']}"
        sentence += next_highest(lead, others, figure, rank)
    return sentence + "."


def indicator_facts(dataset, region, week: pd.Timestamp) -> Facts:
    """The key facts of `region` for the period ending `week`."""
    figures = dataset.region_figures(region, week)
    when = dataset.period_text(week)
    known = figures[figures["complete"]]
    # Ties compare the figures as shown.
    shown = figures.assign(rate=figures["rate"].round(dataset.decimals))
    top_rows = select_top(shown) if dataset.indicator.higher_is_worse else known.head(2)
    top = [_area(row, dataset) for _, row in top_rows.iterrows()]
    total = dataset.region_total(region, week)
    sentences = []
    if top:
        sentences.append(_top_sentence(dataset, region, when, top))
        compared = compared_sentence(top, lambda value: _figure(value, dataset), when)
        if compared:
            sentences.append(compared)
    if len(known) > 2:
        lowest = _lowest_sentence(dataset, known, top, when)
        if lowest:
            sentences.append(lowest)
    if total["rate"] is not None:
        sentences.append(
            f"{region.title} as a whole: {_figure(total['rate'], dataset)} "
            f"({total['cases']:,} in {total['areas']} areas)."
        )
        own = dataset.file_counts(week).get(region.title)
        if own is not None and own != total["cases"] and region.kind == "official":
            sentences.append(_own_total_sentence(dataset, region, when, total["cases"], own))
    withheld = figures[figures["suppressed"].astype(bool)]
    if len(withheld):
        reason = disclosure.reason(dataset.indicator.suppress_below)
        sentences.append(
            f"{len(withheld)} of {len(figures)} areas had {reason} in {when}: their figures "
            f"are suppressed ({joined([str(name) for name in withheld['name'].head(5)])}"
            + (" and others)" if len(withheld) > 5 else ")")
            + (", and so is the total." if total.get("suppressed") else ".")
        )
    missing = figures[~figures["complete"] & ~figures["suppressed"].astype(bool)]
    if len(missing):
        sentences.append(
            f"{len(missing)} of {len(figures)} areas have no figure for {when}: "
            f"{joined([str(name) for name in missing['name'].head(5)])}"
            + (" and others." if len(missing) > 5 else ".")
        )
    if not sentences:
        sentences.append(f"No area of {region.title} has a figure for {when}.")
    return Facts(
        region.slug,
        region.title,
        week,
        week,
        top,
        total,
        None,
        {},
        [{"code": code, "name": str(name)} for code, name in missing["name"].items()],
        sentences,
        period_text=when,
    )


def _lowest_sentence(dataset, known: pd.DataFrame, top: list[dict], when: str) -> str | None:
    """`The lowest was Wyre Forest, 1.2 per 100,000.`, or, where areas share the lowest
    figure as shown, `67 areas had no cases in 2017, among them ...`."""
    shown = known["rate"].round(dataset.decimals)
    lowest_value = shown.min() if dataset.indicator.higher_is_worse else shown.max()
    lowest = known[shown == lowest_value]
    named = {area["code"] for area in top}
    if set(lowest["code"]) <= named:
        return None  # (already named as the highest: every area shares one figure)
    names = [str(name) for name in lowest["name"]]
    listed = (", among them " if len(names) > 5 else ": ") + joined(names[:5])
    word = "lowest" if dataset.indicator.higher_is_worse else "highest"
    if len(lowest) == 1:
        return f"The {word} was {names[0]}, {_figure(lowest_value, dataset)}."
    counted = dataset.indicator.kind == "count" and lowest["count"].notna().all()
    if lowest_value == 0 and counted and (lowest["count"] == 0).all():
        return f"{len(lowest)} areas had no cases in {when}{listed}."
    figure = _figure(lowest_value, dataset)
    return f"{len(lowest)} areas share the {word} figure in {when}, {figure}{listed}."


def _own_total_sentence(dataset, region, when: str, summed: int, own: int) -> str:
    """Which total is used where the file's own country row differs from its areas' sum."""
    gap = own - summed
    more = "more" if gap > 0 else "fewer"
    return (
        f"The {when} {region.title} total here is {summed:,} cases, the sum of its areas' "
        f"rows, so that it adds up to the map; the file's own {region.title} row says "
        f"{own:,}, {abs(gap):,} {more} than its areas' rows, and areas are compared with "
        f"that row's figure, as the source publishes it."
    )
