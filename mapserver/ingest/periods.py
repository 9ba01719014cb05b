"""Periods as sources write them: first and last day, a URL-safe key and a reader's label.

The forms read are those of ONS Explore Local Statistics (ISO 8601 intervals), OHID
Fingertips exports ("2019/20", "2017 - 19", "2018/19 - 20/21", "2020/21 Q1",
"Mar 2020", rolling and cumulative ranges such as "2019 Q2 - 2020 Q1" or
"2020/21 Q1-Q3") and plain files (years, quarters, months, ISO weeks, dates).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..core.errors import DataError

# Spelled out rather than taken from strftime("%B"), which follows the process locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name.lower(): n for n, name in enumerate(MONTHS, 1)}
_MONTH_NUMBERS.update({name[:3].lower(): n for n, name in enumerate(MONTHS, 1)})
_MONTH_NUMBERS["sept"] = 9

KINDS = ("day", "week", "month", "quarter", "year", "financial-year", "interval")
_DAY = pd.Timedelta(days=1)


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A span of whole days as a source names it; periods sort by (end, start)."""

    key: str
    start: pd.Timestamp
    end: pd.Timestamp
    label: str
    kind: str

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        # The key breaks ties so that the order is total (two keys may span the same days).
        return (self.end, self.start, self.key) < (other.end, other.start, other.key)


def day_label(day: pd.Timestamp) -> str:
    """'21 February 2021': no leading zero, English month names."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def rolling_window_label(end: pd.Timestamp, days: int) -> str:
    """'7 days to 21 February 2021'."""
    return f"{days} {'day' if days == 1 else 'days'} to {day_label(pd.Timestamp(end))}"


def span_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The shortest plain-English name of the days start to end, both included."""
    if start == end:
        return day_label(start)
    whole_months = start.day == 1 and (end + _DAY).day == 1
    if whole_months and start.month == 1 and end.month == 12:
        return str(start.year) if start.year == end.year else f"{start.year} to {end.year}"
    if whole_months:
        first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
        if (start.year, start.month) == (end.year, end.month):
            return f"{first} {start.year}"
        if start.year == end.year:
            return f"{first} to {last} {end.year}"
        return f"{first} {start.year} to {last} {end.year}"
    return f"{day_label(start)} to {day_label(end)}"


def _date(year: int | str, month: int | str = 1, day: int | str = 1) -> pd.Timestamp:
    # pd.Timestamp refuses impossible dates (2021-02-30) with a ValueError.
    return pd.Timestamp(year=int(year), month=int(month), day=int(day))


def _month_end(year: int, month: int) -> pd.Timestamp:
    return _date(year, month) + pd.offsets.MonthEnd(0)


def interval(start: pd.Timestamp, end: pd.Timestamp) -> Period:
    """The canonical interval period: key `start/PnY`, `start/PnM` or `start/PnD`."""
    if end < start:
        raise ValueError("ends before it starts")
    after = end + _DAY
    months = (after.year - start.year) * 12 + after.month - start.month
    if months > 0 and start + pd.DateOffset(months=months) == after:
        duration = f"P{months // 12}Y" if months % 12 == 0 else f"P{months}M"
    else:
        duration = f"P{(after - start).days}D"
    return Period(f"{start:%Y-%m-%d}/{duration}", start, end, span_label(start, end), "interval")


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def _iso_interval(match: re.Match) -> Period:
    start = _date(*match[1].split("-"))
    second = match[2].upper()
    if second.startswith("P"):
        parts = _DURATION.fullmatch(second)
        if not parts or not any(parts.groups()):
            raise ValueError("has no duration")
        years, months, weeks, days = (int(n or 0) for n in parts.groups())
        after = start + pd.DateOffset(years=years, months=months, weeks=weeks, days=days)
        if after <= start:
            raise ValueError("has an empty duration")
        return interval(start, after - _DAY)
    return interval(start, _date(*second.split("-")))


def _day(year: int | str, month: int | str, day: int | str) -> Period:
    date = _date(year, month, day)
    return Period(f"{date:%Y-%m-%d}", date, date, day_label(date), "day")


def _week(match: re.Match) -> Period:
    year, week = int(match[1]), int(match[2])
    start = pd.Timestamp.fromisocalendar(year, week, 1)  # ValueError for week 53 of a 52-week year
    end = start + pd.Timedelta(days=6)
    label = f"{year} week {week} ({span_label(start, end)})"
    return Period(f"{year}-W{week:02d}", start, end, label, "week")


def _month(name: str) -> int:
    number = _MONTH_NUMBERS.get(name.lower().rstrip("."))
    if number is None:
        raise ValueError(f"has no month called {name!r}")
    return number


def _month_period(year: int | str, month: int | str) -> Period:
    start = _date(year, month)
    end = _month_end(start.year, start.month)
    return Period(f"{start:%Y-%m}", start, end, span_label(start, end), "month")


def _year(year: int) -> Period:
    start, end = _date(year), _date(year, 12, 31)
    return Period(str(year), start, end, str(year), "year")


def _quarter(year: int | str, quarter: int | str) -> Period:
    year, quarter = int(year), int(quarter)
    start = _date(year, 3 * quarter - 2)
    end = _month_end(year, 3 * quarter)
    return Period(f"{year}-Q{quarter}", start, end, span_label(start, end), "quarter")


def _financial_start(first: str, second: str) -> int:
    """The calendar year a financial year 'first/second' starts in, checked."""
    year = int(first)
    if int(second) != (year + 1) % 10 ** len(second):
        raise ValueError("does not name two consecutive years")
    return year


# Fingertips writes academic years (September to August) the same way, "2019/20"; its
# export does not say which, so "yyyy/yy" is read as the financial year it far more often is.
def _financial_year(year: int) -> Period:
    start, end = _date(year, 4), _date(year + 1, 3, 31)
    label = f"{year}/{(year + 1) % 100:02d}"
    return Period(label, start, end, label, "financial-year")


def _financial_quarter(year: int, quarter: int) -> Period:
    # Fingertips' Q1 of 2020/21 is April to June 2020; Q4 is January to March 2021.
    month = 3 * quarter + 1
    start = _date(year + (month > 12), (month - 1) % 12 + 1)
    end = _month_end(start.year, start.month + 2)
    name = f"{year}/{(year + 1) % 100:02d}"
    label = f"{name} Q{quarter} ({span_label(start, end)})"
    return Period(f"{name}-Q{quarter}", start, end, label, "quarter")


def _century(start: int, tail: str) -> int:
    """The year a two- or four-digit tail names: '2017 - 19' ends 2019, '1999 - 01' 2001."""
    if len(tail) == 4:
        return int(tail)
    year = start // 100 * 100 + int(tail)
    # Wrap into the next century only for a short range, so that '2020-13' is refused.
    return year + 100 if year < start and year + 100 - start <= 20 else year


def _year_range(first: int, last: int) -> Period:
    if last < first:
        raise ValueError("ends before it starts")
    return _year(first) if last == first else interval(_date(first), _date(last, 12, 31))


def _years(match: re.Match) -> Period:
    first = int(match[1])
    return _year_range(first, _century(first, match[2]))


def _iso_month_or_years(match: re.Match) -> Period:
    # "2020-03" is ISO 8601 for March 2020; "2017-19" (no month 19) is Fingertips' 2017 to 2019.
    year, tail = int(match[1]), match[2]
    if 1 <= int(tail) <= 12:
        return _month_period(year, tail)
    return _year_range(year, _century(year, tail))


def _financial_range(match: re.Match) -> Period:
    first = _financial_start(match[1], match[2])
    last = _financial_start(str(_century(first, match[3])), match[4])
    if last < first:
        raise ValueError("ends before it starts")
    if last == first:
        return _financial_year(first)
    key = f"{first}/{(first + 1) % 100:02d}-{last % 100:02d}/{(last + 1) % 100:02d}"
    label = f"{first}/{(first + 1) % 100:02d} to {last}/{(last + 1) % 100:02d}"
    return Period(key, _date(first, 4), _date(last + 1, 3, 31), label, "financial-year")


def _quarter_of_financial_year(match: re.Match) -> Period:
    return _financial_quarter(_financial_start(match[1], match[2]), int(match[3]))


def _cumulative_quarters(match: re.Match) -> Period:
    year = _financial_start(match[1], match[2])
    first, last = int(match[3]), int(match[4])
    if last < first:
        raise ValueError("ends before it starts")
    return interval(_financial_quarter(year, first).start, _financial_quarter(year, last).end)


# Tried in order, each against the whole text (case ignored, spaces collapsed).
_PATTERNS: list[tuple[str, Callable[[re.Match], Period]]] = [
    (r"(\d{4}-\d{2}-\d{2})/(P[0-9YMWD]+|\d{4}-\d{2}-\d{2})", _iso_interval),
    (r"(\d{4})-(\d{2})-(\d{2})", lambda m: _day(m[1], m[2], m[3])),
    (r"(\d{1,2}) ([a-z]+\.?) (\d{4})", lambda m: _day(m[3], _month(m[2]), m[1])),
    (r"(\d{4})-?W(\d{1,2})", _week),
    (r"(\d{4})-(\d{2})", _iso_month_or_years),
    (r"([a-z]+\.?) (\d{4})", lambda m: _month_period(m[2], _month(m[1]))),
    (r"(\d{4}) ?-? ?Q([1-4])", lambda m: _quarter(m[1], m[2])),
    (r"Q([1-4]) (\d{4})", lambda m: _quarter(m[2], m[1])),
    (r"(\d{4})/(\d{2}) ?-? ?Q([1-4])", _quarter_of_financial_year),
    (r"(\d{4})/(\d{2}) Q([1-4]) ?- ?Q([1-4])", _cumulative_quarters),
    (r"\d{4}", lambda m: _year(int(m[0]))),
    (r"(\d{4})/(\d{2}|\d{4})", lambda m: _financial_year(_financial_start(m[1], m[2]))),
    (r"(\d{4}) ?(?:-|to) ?(\d{2}|\d{4})", _years),
    (r"(\d{4})/(\d{2}) ?(?:-|to) ?(\d{2}|\d{4})/(\d{2})", _financial_range),
]
_FORMS = [(re.compile(pattern, re.IGNORECASE), build) for pattern, build in _PATTERNS]
_RANGE = re.compile(r" (?:-|to) ", re.IGNORECASE)
_READS = (
    "years, financial years, Fingertips ranges, quarters, months, ISO weeks, dates "
    "or ISO 8601 intervals"
)


def _parse_single(text: str) -> Period | None:
    for pattern, build in _FORMS:
        match = pattern.fullmatch(text)
        if match:
            return build(match)
    return None


@functools.lru_cache(maxsize=4096)
def parse_period(text: str) -> Period:
    """The Period a source's period string names; DataError quoting the text otherwise."""
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise DataError("period is empty")
    try:
        period = _parse_single(cleaned)
        if period is None:
            # Rolling and cumulative ranges: "2019 Q2 - 2020 Q1", "Aug 2019 - Jul 2020".
            parts = _RANGE.split(cleaned)
            ends = [_parse_single(part) for part in parts] if len(parts) == 2 else [None]
            if None in ends:
                raise DataError(f"period {text!r} is not one of the forms read ({_READS})")
            period = interval(ends[0].start, ends[1].end)
    except (ValueError, OverflowError) as error:
        reason = " ".join(str(error).split())
        raise DataError(f"period {text!r} is not a real period ({reason})") from None
    return period
