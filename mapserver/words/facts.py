"""Key facts: a region's week told in plain sentences, every figure from the league table.

Which areas are named as "highest": the areas whose rate ranks 1st or 2nd within the
region (so the top two, plus any area tied with them), counting only complete weeks
with at least one case. If more than MAX_NAMED areas qualify (many ties), they are
counted, not listed. The rest of the region is the region without the named areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..figures import rates
from ..figures.comparison import LIMIT_COLUMNS
from . import tables
from .significance import compared_sentence, interval_fields, next_highest
from .text import counted, joined, ordinal

TOP_RANKS = 2
MAX_NAMED = 5


@dataclass(frozen=True)
class Facts:
    """The structured figures for one region and week, and the sentences that tell them."""

    region: str
    title: str
    week: pd.Timestamp
    previous_week: pd.Timestamp
    top: list[dict]
    total: dict
    rest: dict | None
    changes: dict
    incomplete: list[dict]
    sentences: list[str]
    period_text: str | None = None  # an indicator's period label ("2022 to 2024")

    @property
    def week_text(self) -> str:
        """`7 days to 21 February 2021`."""
        return self.period_text or tables.format_week(self.week)

    def to_dict(self) -> dict:
        """JSON-ready: weeks as YYYY-MM-DD, rates and percentages to 1 dp."""
        return {
            "region": self.region,
            "title": self.title,
            "week": f"{self.week:%Y-%m-%d}",
            "week_text": self.week_text,
            "previous_week": f"{self.previous_week:%Y-%m-%d}",
            "top": self.top,
            "total": self.total,
            "rest": self.rest,
            "changes": self.changes,
            "incomplete": self.incomplete,
            "sentences": self.sentences,
        }


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _pct(cases: int | None, previous: int | None) -> float | None:
    if cases is None or previous is None or previous == 0:
        return None
    return (cases - previous) / previous * 100


def _total_figures(total: dict) -> dict:
    """A region total as JSON-ready figures, with its change on the previous week."""
    cases, previous = total["cases"], total["previous_cases"]
    return {
        "areas": total["areas"],
        "missing": total["missing"],
        "population": total["population"],
        "cases": cases,
        "rate": _round(total["rate"]),
        "previous_cases": previous,
        "previous_rate": _round(total["previous_rate"]),
        "change": None if cases is None or previous is None else cases - previous,
        "change_pct": _round(_pct(cases, previous)),
        **{name: _round(total.get(name)) for name in LIMIT_COLUMNS},
    }


def select_top(figures: pd.DataFrame) -> pd.DataFrame:
    """The areas to name as highest: ranked 1st or 2nd in the region, ties included.

    Only complete weeks with a rate above zero count. If that makes more than
    MAX_NAMED areas, only those tied 1st are kept; if those are still too many,
    none are (the caller then counts them instead).
    """
    known = figures[figures["complete"] & (figures["rate"] > 0)]
    place = known["rate"].rank(method="min", ascending=False)
    for ranks in range(TOP_RANKS, 0, -1):
        chosen = known[place <= ranks]
        if len(chosen) <= MAX_NAMED:
            return rates.sort_by_rate(chosen)
    return known.iloc[0:0]


def _area(row) -> dict:
    return {
        "code": row["code"],
        "name": str(row["name"]),
        "rate": _round(row["rate"]),
        "cases": int(row["cases"]),
        "rank": int(row["rank"]),
        "rank_of": int(row["rank_of"]),
        "country": row["country"],
        **interval_fields(row, 1),
    }


def _rank_text(area: dict, joint: bool, first: bool) -> str:
    where = f" in {area['country']}" if first else ""
    return f"{'joint ' if joint else ''}{ordinal(area['rank'])} of {area['rank_of']}{where}"


def _top_sentence(title: str, when: str, top: list[dict]) -> str:
    """Who is highest, with national ranks; ties said as ties."""
    ranks = [area["rank"] for area in top]
    leaders = [area for area in top if area["rank"] == ranks[0]]
    others = [area for area in top if area["rank"] != ranks[0]]
    lead = leaders[0]
    rank = _rank_text(lead, len(leaders) > 1, True)
    if len(leaders) > 1:
        names = joined([area["name"] for area in leaders])
        sentence = (
            f"{names} share the highest rate in {title} in the {when}: {lead['rate']:,.1f} "
            f"cases per 100,000 ({rank})"
        )
    else:
        sentence = (
            f"{lead['name']} had the highest rate in {title} in the {when}: "
            f"{lead['rate']:,.1f} cases per 100,000 ({rank})"
        )
    if others:
        second = others[0]
        rank = _rank_text(second, len(others) > 1, second["country"] != lead["country"])
        sentence += next_highest(lead, others, f"{second['rate']:,.1f}", rank)
    return sentence + "."


def _change_words(cases: int, previous: int, since: str) -> str:
    """`down 20.1% on the 9,741 cases in the 7 days to 14 February 2021`."""
    if previous == 0:
        if cases == 0:
            return f"none in the {since} either"
        return f"up from none in the {since}"
    pct = _pct(cases, previous)
    if cases == previous:
        return f"no change on the {since}"
    way = "up" if cases > previous else "down"
    return f"{way} {abs(pct):.1f}% on the {previous:,} cases in the {since}"


def _total_sentence(title: str, when: str, since: str, total: dict) -> str:
    if total["cases"] is None:
        return (
            f"{title} has no total for the {when}: {total['missing']} of "
            f"{counted(total['areas'])} {'lacks' if total['missing'] == 1 else 'lack'} "
            "a complete week of data."
        )
    sentence = (
        f"{title} as a whole had {counted(total['cases'], 'case')} in the {when}, "
        f"{total['rate']:,.1f} per 100,000"
    )
    if total["previous_cases"] is None:
        return sentence + f": no comparison, as the {since} are incomplete."
    return sentence + ": " + _change_words(total["cases"], total["previous_cases"], since) + "."


def _rest_sentence(title: str, when: str, since: str, named: list[str], rest: dict) -> str:
    cases, previous = rest["cases"], rest["previous_cases"]
    head = f"Across the rest of {title} (without {joined(named)}), cases"
    if previous == 0:
        if cases == 0:
            return f"{head} stayed at none in the {when}."
        return f"{head} rose from none to {cases:,} in the {when}."
    if cases == previous:
        return f"{head} did not change in the {when}: {cases:,}, as in the {since}."
    way = "rose" if cases > previous else "fell"
    return (
        f"{head} {way} {abs(_pct(cases, previous)):.1f}% in the {when}, from {previous:,} "
        f"to {cases:,} ({rest['rate']:,.1f} per 100,000)."
    )


def _change_counts(figures: pd.DataFrame) -> dict:
    both = figures[figures["cases"].notna() & figures["previous_cases"].notna()]
    change = both["change"].astype("int64")
    return {
        "rose": int((change > 0).sum()),
        "fell": int((change < 0).sum()),
        "same": int((change == 0).sum()),
        "not_compared": int(len(figures) - len(both)),
    }


def _changes_sentence(when: str, since: str, counts: dict) -> str:
    """`In the 7 days to …, cases rose in 10 areas, fell in 41 and did not change in 2, …`."""
    compared = counts["rose"] + counts["fell"] + counts["same"]
    if compared == 0:
        return f"No area can be compared between the {since} and the {when}."
    ways = (("rose", "rose"), ("fell", "fell"), ("same", "did not change"))
    partial = counts["not_compared"] > 0
    for way, word in ways:
        if counts[way] == compared:
            every = "the one area" if compared == 1 else f"all {compared:,} areas"
            change = f"{word} in {every}{' with figures for both weeks' if partial else ''}"
            break
    else:
        parts = []
        for way, word in ways:
            if counts[way]:
                # The first count carries the noun: "rose in 10 areas, fell in 41 and ..."
                number = counted(counts[way]) if not parts else f"{counts[way]:,}"
                parts.append(f"{word} in {number}")
        change = joined(parts)
    sentence = f"In the {when}, cases {change}, compared with the {since}"
    if partial:
        sentence += f"; {counted(counts['not_compared'])} could not be compared"
    return sentence + "."


def _incomplete_sentence(title: str, week: pd.Timestamp, incomplete: list[dict], areas: int) -> str:
    when = tables.format_week(week)
    if not incomplete:
        every = "The one area" if areas == 1 else f"All {areas:,} areas"
        return f"{every} of {title} reported all {when}."
    if len(incomplete) > MAX_NAMED:
        # Too many to list in a sentence (the JSON lists them all).
        days = [area["days_known"] for area in incomplete]
        low, high = min(days), max(days)
        if high == 0:
            reported = "no day of the 7"
        elif low == high:
            reported = f"only {low} of 7 days"
        else:
            reported = f"between {low} and {high} of 7 days"
        return (
            f"Incomplete data for the {when}: {len(incomplete):,} of {counted(areas)} reported "
            f"{reported}, so have no rate and are not ranked."
        )
    parts = [f"{area['name']} ({area['days_known']} of 7 days reported)" for area in incomplete]
    verb = "has no rate and is" if len(incomplete) == 1 else "have no rate and are"
    return f"Incomplete data for the {when}: {joined(parts)} {verb} not ranked."


def covid_facts(dataset, region, week: pd.Timestamp) -> Facts:
    """The key facts of `region` for the 7 days ending `week`, from the league table."""
    figures = dataset.region_figures(region, week)
    previous_week = week - pd.Timedelta(days=rates.WINDOW)
    when, since = tables.format_week(week), tables.format_week(previous_week)
    top_rows = select_top(figures)
    top = [_area(row) for _, row in top_rows.iterrows()]
    total = _total_figures(dataset.region_total(region, week))
    rest = None
    if top and len(top) < len(figures):
        named = set(top_rows["code"])
        rest_codes = [code for code in figures["code"] if code not in named]
        rest = _total_figures(rates.region_total(dataset.figures(week), rest_codes))
        rest["without"] = [area["code"] for area in top]
    changes = _change_counts(figures)
    incomplete = [
        {"code": row["code"], "name": str(row["name"]), "days_known": int(row["days_known"])}
        for _, row in figures[~figures["complete"]].iterrows()
    ]
    positive = figures[figures["complete"] & (figures["rate"] > 0)]
    sentences = []
    if top:
        sentences.append(_top_sentence(region.title, when, top))
        compared = compared_sentence(top, lambda value: f"{value:,.1f} per 100,000", f"the {when}")
        if compared:
            sentences.append(compared)
    elif len(positive):
        best = positive["rate"].max()
        tied = int((positive["rate"] == best).sum())
        sentences.append(
            f"{tied} areas of {region.title} share the highest rate in the {when}: "
            f"{best:,.1f} cases per 100,000."
        )
    elif figures["complete"].any():
        some = " with complete figures" if incomplete else ""
        sentences.append(f"No area of {region.title}{some} had a case in the {when}.")
    else:
        sentences.append(f"No area of {region.title} has a complete week of data for the {when}.")
    sentences.append(_total_sentence(region.title, when, since, total))
    if rest is not None and rest["cases"] is not None and rest["previous_cases"] is not None:
        names = [area["name"] for area in top]
        sentences.append(_rest_sentence(region.title, when, since, names, rest))
    sentences.append(_changes_sentence(when, since, changes))
    sentences.append(_incomplete_sentence(region.title, week, incomplete, len(figures)))
    return Facts(
        region.slug,
        region.title,
        week,
        previous_week,
        top,
        total,
        rest,
        changes,
        incomplete,
        sentences,
    )


def to_text(facts: Facts) -> str:
    """The sentences for a terminal, one paragraph each, under a title with the week."""
    when = facts.period_text or f"the {tables.format_week(facts.week)}"
    head = f"{facts.title}: key facts for {when}"
    return head + "\n\n" + "\n".join(f"- {sentence}" for sentence in facts.sentences) + "\n"
