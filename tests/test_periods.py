"""Periods as sources write them: dates, keys, labels, order and refusals."""

from __future__ import annotations

import locale

import pandas as pd
import pytest

from mapserver.core.errors import DataError
from mapserver.ingest.periods import Period, parse_period, rolling_window_label, span_label

T = pd.Timestamp

# text, key, first day, last day, label, kind: each worked out by hand.
CASES = [
    # ONS Explore Local Statistics: ISO 8601 start/duration and start/end
    ("2022-01-01/P3Y", "2022-01-01/P3Y", "2022-01-01", "2024-12-31", "2022 to 2024", "interval"),
    ("2022-01-01/P1Y", "2022-01-01/P1Y", "2022-01-01", "2022-12-31", "2022", "interval"),
    (
        "2022-01-01/2024-12-31",
        "2022-01-01/P3Y",
        "2022-01-01",
        "2024-12-31",
        "2022 to 2024",
        "interval",
    ),
    (
        "2022-04-01/P1Y",
        "2022-04-01/P1Y",
        "2022-04-01",
        "2023-03-31",
        "April 2022 to March 2023",
        "interval",
    ),
    (
        "2022-01-01/P1Y6M",
        "2022-01-01/P18M",
        "2022-01-01",
        "2023-06-30",
        "January 2022 to June 2023",
        "interval",
    ),
    (
        "2022-01-01/P3M",
        "2022-01-01/P3M",
        "2022-01-01",
        "2022-03-31",
        "January to March 2022",
        "interval",
    ),
    (
        "2022-01-03/P2W",
        "2022-01-03/P14D",
        "2022-01-03",
        "2022-01-16",
        "3 January 2022 to 16 January 2022",
        "interval",
    ),
    (
        "2022-01-01/P1W3D",
        "2022-01-01/P10D",
        "2022-01-01",
        "2022-01-10",
        "1 January 2022 to 10 January 2022",
        "interval",
    ),
    ("2022-01-01/p3y", "2022-01-01/P3Y", "2022-01-01", "2024-12-31", "2022 to 2024", "interval"),
    # years and financial years
    ("2019", "2019", "2019-01-01", "2019-12-31", "2019", "year"),
    ("2019/20", "2019/20", "2019-04-01", "2020-03-31", "2019/20", "financial-year"),
    ("1999/00", "1999/00", "1999-04-01", "2000-03-31", "1999/00", "financial-year"),
    ("2019/2020", "2019/20", "2019-04-01", "2020-03-31", "2019/20", "financial-year"),
    # Fingertips multi-year ranges: the same key as the ISO interval for the same years
    ("2017 - 19", "2017-01-01/P3Y", "2017-01-01", "2019-12-31", "2017 to 2019", "interval"),
    ("2017-19", "2017-01-01/P3Y", "2017-01-01", "2019-12-31", "2017 to 2019", "interval"),
    ("2017 - 2019", "2017-01-01/P3Y", "2017-01-01", "2019-12-31", "2017 to 2019", "interval"),
    ("1999 - 01", "1999-01-01/P3Y", "1999-01-01", "2001-12-31", "1999 to 2001", "interval"),
    ("2006 - 15", "2006-01-01/P10Y", "2006-01-01", "2015-12-31", "2006 to 2015", "interval"),
    (
        "2018/19 - 20/21",
        "2018/19-20/21",
        "2018-04-01",
        "2021-03-31",
        "2018/19 to 2020/21",
        "financial-year",
    ),
    # quarters, calendar and financial (Fingertips: 2020/21 Q1 is April to June 2020)
    ("2020 Q1", "2020-Q1", "2020-01-01", "2020-03-31", "January to March 2020", "quarter"),
    ("2020Q1", "2020-Q1", "2020-01-01", "2020-03-31", "January to March 2020", "quarter"),
    ("2020-Q1", "2020-Q1", "2020-01-01", "2020-03-31", "January to March 2020", "quarter"),
    ("2020 Q4", "2020-Q4", "2020-10-01", "2020-12-31", "October to December 2020", "quarter"),
    (
        "2020/21 Q1",
        "2020/21-Q1",
        "2020-04-01",
        "2020-06-30",
        "2020/21 Q1 (April to June 2020)",
        "quarter",
    ),
    (
        "2020/21 Q4",
        "2020/21-Q4",
        "2021-01-01",
        "2021-03-31",
        "2020/21 Q4 (January to March 2021)",
        "quarter",
    ),
    # Fingertips rolling and cumulative periods
    (
        "2019 Q2 - 2020 Q1",
        "2019-04-01/P1Y",
        "2019-04-01",
        "2020-03-31",
        "April 2019 to March 2020",
        "interval",
    ),
    (
        "2019/20 Q2 - 2020/21 Q1",
        "2019-07-01/P1Y",
        "2019-07-01",
        "2020-06-30",
        "July 2019 to June 2020",
        "interval",
    ),
    (
        "2020/21 Q1-Q3",
        "2020-04-01/P9M",
        "2020-04-01",
        "2020-12-31",
        "April to December 2020",
        "interval",
    ),
    (
        "Aug 2019 - Jul 2020",
        "2019-08-01/P1Y",
        "2019-08-01",
        "2020-07-31",
        "August 2019 to July 2020",
        "interval",
    ),
    (
        "Mar 2019 - Feb 2020",
        "2019-03-01/P1Y",
        "2019-03-01",
        "2020-02-29",
        "March 2019 to February 2020",
        "interval",
    ),
    # months
    ("2020-03", "2020-03", "2020-03-01", "2020-03-31", "March 2020", "month"),
    ("March 2020", "2020-03", "2020-03-01", "2020-03-31", "March 2020", "month"),
    ("Mar 2020", "2020-03", "2020-03-01", "2020-03-31", "March 2020", "month"),
    ("sept 2020", "2020-09", "2020-09-01", "2020-09-30", "September 2020", "month"),
    ("2020-02", "2020-02", "2020-02-01", "2020-02-29", "February 2020", "month"),
    # ISO weeks (Monday to Sunday)
    (
        "2020-W05",
        "2020-W05",
        "2020-01-27",
        "2020-02-02",
        "2020 week 5 (27 January 2020 to 2 February 2020)",
        "week",
    ),
    (
        "2020-W53",
        "2020-W53",
        "2020-12-28",
        "2021-01-03",
        "2020 week 53 (28 December 2020 to 3 January 2021)",
        "week",
    ),
    # days
    ("2021-02-21", "2021-02-21", "2021-02-21", "2021-02-21", "21 February 2021", "day"),
    ("21 February 2021", "2021-02-21", "2021-02-21", "2021-02-21", "21 February 2021", "day"),
    (" 2021-02-01 ", "2021-02-01", "2021-02-01", "2021-02-01", "1 February 2021", "day"),
]


@pytest.mark.parametrize(("text", "key", "start", "end", "label", "kind"), CASES)
def test_parse_period(text, key, start, end, label, kind):
    period = parse_period(text)
    assert period == Period(key, T(start), T(end), label, kind)


@pytest.mark.parametrize("text", [case[0] for case in CASES])
def test_keys_round_trip(text):
    period = parse_period(text)
    assert parse_period(period.key) == period
    assert " " not in period.key  # usable in a query string as it is


def test_fingertips_range_and_ons_interval_are_the_same_period():
    assert parse_period("2017 - 19") == parse_period("2017-01-01/P3Y")


def test_periods_sort_by_end_then_start():
    texts = ["2022-01-01/P3Y", "2024", "2019/20", "2020 Q1", "2021-02-21", "2022-01-01/P1Y"]
    ordered = [period.key for period in sorted(map(parse_period, texts))]
    assert ordered == [
        "2019/20",  # ends on 31 March 2020 as 2020 Q1 does, but starts earlier
        "2020-Q1",
        "2021-02-21",
        "2022-01-01/P1Y",
        "2022-01-01/P3Y",
        "2024",
    ]
    assert parse_period("2024") > parse_period("2022-01-01/P3Y")  # same end, later start


def test_month_names_are_english_whatever_the_locale():
    previous = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
            break
        except locale.Error:
            continue
    try:
        assert parse_period("2021-03-01").label == "1 March 2021"
        assert parse_period("2020-05").label == "May 2020"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


def test_rolling_window_label():
    assert rolling_window_label(T("2021-02-21"), 7) == "7 days to 21 February 2021"
    assert rolling_window_label(T("2021-02-01"), 1) == "1 day to 1 February 2021"


def test_span_label():
    assert span_label(T("2022-01-01"), T("2024-12-31")) == "2022 to 2024"
    assert span_label(T("2022-04-01"), T("2023-03-31")) == "April 2022 to March 2023"
    assert span_label(T("2022-01-02"), T("2024-12-31")) == "2 January 2022 to 31 December 2024"


REFUSED = [
    ("", "period is empty"),
    ("   ", "period is empty"),
    ("abc", "period 'abc' is not one of the forms read"),
    ("2021-13-01", "period '2021-13-01' is not a real period"),
    ("2021-02-30", "period '2021-02-30' is not a real period"),
    ("2020-13", "period '2020-13' is not a real period (ends before it starts)"),
    ("2019/21", "period '2019/21' is not a real period (does not name two consecutive years)"),
    ("2021-W53", "period '2021-W53' is not a real period"),
    ("2020 Q5", "period '2020 Q5' is not one of the forms read"),
    ("2024 - 22", "period '2024 - 22' is not a real period (ends before it starts)"),
    ("2022-01-01/P0Y", "period '2022-01-01/P0Y' is not a real period (has an empty duration)"),
    ("2022-01-01/P", "period '2022-01-01/P' is not one of the forms read"),
    ("2022-01-01/2021-12-31", "is not a real period (ends before it starts)"),
    ("Smarch 2020", "period 'Smarch 2020' is not a real period (has no month called 'Smarch')"),
    ("2020/21 Q3-Q1", "period '2020/21 Q3-Q1' is not a real period (ends before it starts)"),
    ("2019 - 2020 - 2021", "is not one of the forms read"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refusals_quote_the_text_on_one_line(text, message):
    with pytest.raises(DataError) as caught:
        parse_period(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
