"""Facets: counts of people, organizations, places, sources and dates over a result set.

Counts cover every matching article, not just the page shown. They are read
from per-document columns (the entity fields hold one canonical name per
line), which is far cheaper than loading stored documents; an index built
before those columns existed falls back to stored fields.

>>> parse_facets(["person", "org", "published:month"])
(('person', 'person', None), ('organization', 'organization', None), ('published', 'published', 'month'))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from whoosh.searching import Searcher
from whoosh.util.times import long_to_datetime

__all__ = ["DATE_INTERVALS", "FACET_NAMES", "FacetCount", "compute_facets", "facets_to_dict", "parse_facets"]

FACET_NAMES = {
    "person": "person",
    "persons": "person",
    "people": "person",
    "org": "organization",
    "orgs": "organization",
    "organization": "organization",
    "organizations": "organization",
    "location": "location",
    "locations": "location",
    "place": "location",
    "places": "location",
    "source": "source",
    "sources": "source",
}
DATE_INTERVALS = ("day", "week", "month", "year")
FacetSpec = tuple[str, str, str | None]  # (result key, field, date interval)


@attrs.frozen(slots=True)
class FacetCount:
    """One facet value and how many matching articles have it."""

    value: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count}


def parse_facets(names: Iterable[str]) -> tuple[FacetSpec, ...]:
    """Resolve facet names: ``person``, ``org``, ``location``, ``source`` and
    ``published:day|week|month|year`` (or just ``month``). Raises ValueError."""
    specs: dict[str, FacetSpec] = {}
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        interval = name.split(":", 1)[1] if name.startswith("published:") else name
        if interval in DATE_INTERVALS:
            specs["published"] = ("published", "published", interval)
        elif name in ("published", "date"):
            specs["published"] = ("published", "published", "month")
        elif name in FACET_NAMES:
            field = FACET_NAMES[name]
            specs[field] = (field, field, None)
        else:
            raise ValueError(
                f"unknown facet {raw!r}: use person, org, location, source or published:day|week|month|year"
            )
    return tuple(specs.values())


def _bucket(when: dt.datetime, interval: str) -> str:
    if interval == "day":
        return when.date().isoformat()
    if interval == "week":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    if interval == "month":
        return f"{when.year:04d}-{when.month:02d}"
    return f"{when.year:04d}"


def _values(searcher: Searcher, field: str, docnums: Iterable[int]) -> Iterable[Any]:
    """Each document's raw value of ``field``: from its column when there is one."""
    reader = searcher.reader()
    if reader.has_column(field):
        column = reader.column_reader(field, translate=False)
        return (column[docnum] for docnum in docnums)
    return (searcher.stored_fields(docnum).get(field) for docnum in docnums)


def compute_facets(
    searcher: Searcher, docnums: Iterable[int], specs: Iterable[FacetSpec], limit: int = 10
) -> dict[str, tuple[FacetCount, ...]]:
    """Count facet values over ``docnums``.

    Name facets give the ``limit`` most frequent values (ties by name); the date
    histogram gives every non-empty bucket in time order.
    """
    docs = sorted(docnums)  # column files are read front to back
    out: dict[str, tuple[FacetCount, ...]] = {}
    for key, field, interval in specs:
        counts: Counter[str] = Counter()
        if interval:
            for value in _values(searcher, field, docs):
                when = _as_datetime(value)
                if when is not None:
                    counts[_bucket(when, interval)] += 1
            out[key] = tuple(FacetCount(v, c) for v, c in sorted(counts.items()))
            continue
        for value in _values(searcher, field, docs):
            if not value:
                continue
            text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
            # A name listed twice in one article counts once for it.
            counts.update({name.strip() for name in text.split("\n") if name.strip()})
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
        out[key] = tuple(FacetCount(v, c) for v, c in top)
    return out


_NO_DATE = frozenset({0, 2**64 - 1})  # the column defaults of undated documents


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, int) and value not in _NO_DATE:
        try:
            return long_to_datetime(value)
        except (OverflowError, ValueError):
            return None
    return None


def facets_to_dict(facets: Mapping[str, tuple[FacetCount, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Facets as plain JSON-ready data."""
    return {key: [count.to_dict() for count in counts] for key, counts in facets.items()}
