"""Date expressions of the query language, resolved to half-open UTC periods.

Every expression names a period: ``2023`` is the whole year, ``2023-09-13`` the
whole day, ``yesterday`` the whole of yesterday, ``-7d`` the day seven days ago,
``now`` the present instant. Ranges and comparisons are built from periods, so
``[2023-09-01 TO 2023-09-30]`` includes all of September 30th.

>>> now = dt.datetime(2023, 9, 14, 12, tzinfo=dt.UTC)
>>> p = parse_period("2023-09", now)
>>> p.start.isoformat(), p.end.isoformat()
('2023-09-01T00:00:00+00:00', '2023-10-01T00:00:00+00:00')
>>> parse_period("yesterday", now).start.isoformat()
'2023-09-13T00:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from ._errors import DateError

__all__ = ["MAX", "MIN", "DateError", "Period", "parse_period", "parse_range"]

MIN = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
MAX = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
_DAY = dt.timedelta(days=1)


@attrs.frozen(slots=True)
class Period:
    """A half-open span of time ``[start, end)`` in UTC.

    ``end == MAX`` includes MAX itself: the end of 9999 is past ``datetime.max``,
    so the last period the field can hold ends there instead.
    """

    start: dt.datetime
    end: dt.datetime


_PARTIAL = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_RELATIVE = re.compile(r"([+-]?)(\d{1,6})\s*([hdwmy])")
_UNITS_BACK = {"last": -1, "this": 0, "next": 1}


def _add_months(when: dt.datetime, months: int) -> dt.datetime:
    total = when.year * 12 + when.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise DateError("date is out of range")
    return when.replace(year=year, month=month + 1, day=1)


def _later(start: dt.datetime, months: int = 0, days: int = 0) -> dt.datetime:
    """The end of a period that starts at ``start``: MAX past the end of 9999."""
    try:
        return _add_months(start, months) if months else start + days * _DAY
    except (DateError, OverflowError):
        if start.year == 9999:
            return MAX
        raise


def _day(when: dt.datetime) -> dt.datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def _unit_period(unit: str, now: dt.datetime, offset: int) -> Period:
    """The calendar day/week/month/year containing ``now``, shifted by ``offset`` units."""
    today = _day(now)
    if unit == "day":
        start = today + offset * _DAY
        return Period(start, start + _DAY)
    if unit == "week":  # ISO weeks start on Monday
        start = today - today.weekday() * _DAY + offset * 7 * _DAY
        return Period(start, start + 7 * _DAY)
    if unit == "month":
        start = _add_months(today.replace(day=1), offset)
        return Period(start, _add_months(start, 1))
    start = _add_months(today.replace(month=1, day=1), 12 * offset)
    return Period(start, _add_months(start, 12))


def _absolute(text: str) -> Period | None:
    match = _PARTIAL.fullmatch(text)
    try:
        if match:
            year = int(match.group(1))
            month, day = (int(g) if g else None for g in match.groups()[1:])
            if month is None:
                start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
                return Period(start, _later(start, months=12))
            if day is None:
                start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
                return Period(start, _later(start, months=1))
            start = dt.datetime(year, month, day, tzinfo=dt.UTC)
            return Period(start, _later(start, days=1))
        when = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError) as exc:
        if match or re.match(r"\d{4}-\d", text):
            raise DateError(f"impossible date {text!r}: {exc}") from None
        return None
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    # A time given to the minute or second names that minute or second.
    step = dt.timedelta(seconds=1) if text.count(":") >= 2 else dt.timedelta(minutes=1)
    return Period(when, when + step)


def parse_period(text: str, now: dt.datetime) -> Period:
    """Resolve one date expression to the period it names."""
    raw = text
    text = " ".join(text.strip().strip("'\"").lower().split())
    if not text:
        raise DateError("empty date")
    if text == "now":
        return Period(now, now)
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if text in named:
        return _unit_period("day", now, named[text])
    words = text.split()
    if len(words) == 2 and words[0] in _UNITS_BACK and words[1] in ("day", "week", "month", "year"):
        return _unit_period(words[1], now, _UNITS_BACK[words[0]])
    match = _RELATIVE.fullmatch(text)
    if match:
        sign, amount, unit = match.groups()
        n = int(amount) * (1 if sign == "+" else -1)
        try:
            if unit == "h":
                when = now + dt.timedelta(hours=n)
                return Period(when, when)
            if unit in "dw":
                return _unit_period("day", now, n * (7 if unit == "w" else 1))
            months = n * (12 if unit == "y" else 1)
            start = _add_months(now, months) if 1 <= now.day <= 28 else _add_months(now.replace(day=28), months)
            return Period(_day(start), _day(start) + _DAY)
        except (OverflowError, DateError):
            raise DateError(f"date {raw!r} is out of range") from None
    period = _absolute(text)
    if period is None:
        raise DateError(
            f"cannot read date {raw!r}: use YYYY, YYYY-MM, YYYY-MM-DD, now, today, yesterday, -7d, or 'last week'"
        )
    return period


def parse_range(
    start: str | None,
    end: str | None,
    now: dt.datetime,
    *,
    start_exclusive: bool = False,
    end_exclusive: bool = False,
) -> Period:
    """Resolve a range to one period; a missing end is open.

    Inclusive ends cover their whole period (``[2023-09-01 TO 2023-09-30]`` ends
    at the end of September 30th); exclusive ends leave their period out.
    """
    lo, hi = MIN, MAX
    start, end = (None if x is None or x.strip() in ("", "*") else x for x in (start, end))  # [* TO 2023]
    if start is not None and start.strip():
        first = parse_period(start, now)
        lo = first.end if start_exclusive and first.end > first.start else first.start
    if end is not None and end.strip():
        last = parse_period(end, now)
        if end_exclusive:
            hi = last.start
        elif last.end == last.start:  # "now" is an instant: include it
            hi = last.start + dt.timedelta(microseconds=1)
        else:
            hi = last.end
    if start is not None and end is not None and first.start > last.start:
        raise DateError(f"range [{start} TO {end}] ends before it starts")
    return Period(lo, hi)
