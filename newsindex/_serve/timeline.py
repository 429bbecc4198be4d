"""The timeline: a date histogram of all matches, drawn as inline SVG by the server.

The search asks for ``published:day`` counts once; the granularity follows the
span of the matches (day up to 45 days, week up to 30 weeks, month up to 6
years, else year) and day counts are summed into those buckets, empty ones
included, so the bars sit on a true time axis. Each bar narrows the search to
its period with the query language's own date forms.

>>> from newsindex import FacetCount
>>> t = build_timeline([FacetCount("2023-09-13", 2), FacetCount("2023-09-15", 1)])
>>> t.granularity, [(b.label, b.count, b.filter) for b in t.bars][:2]
('day', [('13 Sep 2023', 2, 'published:2023-09-13'), ('14 Sep 2023', 0, 'published:2023-09-14')])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from .._facets import FacetCount

__all__ = ["Bar", "Timeline", "build_timeline"]


@attrs.frozen
class Bar:
    label: str  # for people: "Sep 1987", "week of 7 Sep 2023"
    filter: str  # the query clause that narrows to this period
    count: int
    start: dt.date


@attrs.frozen
class Timeline:
    granularity: str
    bars: tuple[Bar, ...]

    @property
    def peak(self) -> Bar:
        return max(self.bars, key=lambda b: b.count)

    @property
    def max_count(self) -> int:
        return max((b.count for b in self.bars), default=0)


def _granularity(first: dt.date, last: dt.date) -> str:
    days = (last - first).days
    if days <= 45:
        return "day"
    if days <= 7 * 30:
        return "week"
    if days <= 366 * 6:
        return "month"
    return "year"


def _start(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return day.replace(month=1, day=1)
    return day


def _next(start: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def _bar(start: dt.date, granularity: str, count: int) -> Bar:
    if granularity == "day":
        return Bar(f"{start.day} {start:%b %Y}", f"published:{start.isoformat()}", count, start)
    if granularity == "week":
        end = start + dt.timedelta(days=6)
        clause = f"published:[{start.isoformat()} TO {end.isoformat()}]"
        return Bar(f"week of {start.day} {start:%b %Y}", clause, count, start)
    if granularity == "month":
        return Bar(f"{start:%b %Y}", f"published:{start:%Y-%m}", count, start)
    return Bar(f"{start.year}", f"published:{start.year:04d}", count, start)


def build_timeline(days: Sequence[FacetCount]) -> Timeline | None:
    """Bars from ``published:day`` facet counts; ``None`` when no match is dated."""
    counts: dict[dt.date, int] = {}
    for item in days:
        try:
            counts[dt.date.fromisoformat(item.value)] = item.count
        except ValueError:
            continue
    if not counts:
        return None
    first, last = min(counts), max(counts)
    granularity = _granularity(first, last)
    buckets: dict[dt.date, int] = {}
    for day, count in counts.items():
        key = _start(day, granularity)
        buckets[key] = buckets.get(key, 0) + count
    bars = []
    start, end = _start(first, granularity), _start(last, granularity)
    while start <= end:
        bars.append(_bar(start, granularity, buckets.get(start, 0)))
        start = _next(start, granularity)
    return Timeline(granularity, tuple(bars))
