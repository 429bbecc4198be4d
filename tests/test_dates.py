from __future__ import annotations

import datetime as dt

import pytest
from helpers import utc
from hypothesis import given
from hypothesis import strategies as st

from newsindex import DateError
from newsindex._dates import MAX, MIN, Period, parse_period, parse_range

NOW = dt.datetime(2023, 9, 14, 12, 30, tzinfo=dt.UTC)  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", utc(2023, 1, 1), utc(2024, 1, 1)),
        ("2023-09", utc(2023, 9, 1), utc(2023, 10, 1)),
        ("2023-12", utc(2023, 12, 1), utc(2024, 1, 1)),
        ("2023-09-13", utc(2023, 9, 13), utc(2023, 9, 14)),
        ("today", utc(2023, 9, 14), utc(2023, 9, 15)),
        ("yesterday", utc(2023, 9, 13), utc(2023, 9, 14)),
        ("-7d", utc(2023, 9, 7), utc(2023, 9, 8)),
        ("last week", utc(2023, 9, 4), utc(2023, 9, 11)),
        ("'last month'", utc(2023, 8, 1), utc(2023, 9, 1)),
        ("this year", utc(2023, 1, 1), utc(2024, 1, 1)),
    ],
)
def test_periods(text, start, end):
    period = parse_period(text, NOW)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13", "bogus", "", "last fortnight"])
def test_bad_dates_raise_date_error(text):
    with pytest.raises(DateError):
        parse_period(text, NOW)


def test_closed_range_includes_the_whole_end_day():
    period = parse_range("2023-09-01", "2023-09-30", NOW)
    assert (period.start, period.end) == (utc(2023, 9, 1), utc(2023, 10, 1))


def test_open_ranges():
    assert parse_range("2023-09-01", None, NOW).end == MAX
    assert parse_range(None, "2023-09-30", NOW).start == MIN


def test_exclusive_ends_leave_their_period_out():
    period = parse_range("2023-09-01", "2023-09-30", NOW, start_exclusive=True, end_exclusive=True)
    assert (period.start, period.end) == (utc(2023, 9, 2), utc(2023, 9, 30))


def test_range_to_now_includes_now():
    period = parse_range("-7d", "now", NOW)
    assert period.start == utc(2023, 9, 7) and period.end > NOW


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9998, 12, 1)))
def test_a_day_is_always_one_day_long(day):
    period = parse_period(day.isoformat(), NOW)
    assert period.end - period.start == dt.timedelta(days=1)
    assert period.start.date() == day


@given(st.text(max_size=40))
def test_any_text_gives_a_period_or_date_error(text):
    try:
        period = parse_period(text, NOW)
    except DateError:
        return
    assert period.start <= period.end


def test_a_range_that_ends_before_it_starts_is_an_error():
    with pytest.raises(DateError, match="ends before it starts"):
        parse_range("2024", "2023", NOW)
    assert parse_range("2023-09-13", "2023-09-13", NOW).end == utc(2023, 9, 14)  # one day is fine


def test_star_and_blank_ends_are_open():
    assert parse_range("*", "2023", NOW).start == MIN
    assert parse_range(" ", "*", NOW) == parse_range(None, None, NOW)


def test_the_last_year_the_field_holds_is_a_period():
    """Probe: the end of 9999 is past datetime.max, so '9999' and '9999-12-31' were impossible dates."""
    assert parse_period("9999", NOW) == Period(utc(9999, 1, 1), MAX)
    assert parse_period("9999-12", NOW) == Period(utc(9999, 12, 1), MAX)
    assert parse_period("9999-12-31", NOW) == Period(utc(9999, 12, 31), MAX)
    assert parse_range("1000-01-01", "9999-12-31", NOW) == Period(utc(1000, 1, 1), MAX)
    assert parse_range("0001", "9999", NOW) == Period(MIN, MAX)
