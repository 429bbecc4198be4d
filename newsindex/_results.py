"""Search results: the exact total and one page of hits with highlighted snippets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._facets import FacetCount, facets_to_dict

__all__ = ["Hit", "Results"]

Span = tuple[int, int]


@attrs.frozen(slots=True)
class Hit:
    """One matching article.

    ``snippet`` is plain text from the body around the matches;
    ``highlights`` are the ``(start, end)`` offsets of the matched words in it.
    """

    id: str
    title: str
    published: dt.datetime | None
    source: str
    url: str
    score: float
    snippet: str
    highlights: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
        }


@attrs.frozen(slots=True)
class Results:
    """A page of hits and the exact number of matching articles.

    ``facets`` maps each requested facet (``person``, ``organization``,
    ``location``, ``source``, ``published``) to its counts over *all* matches;
    ``suggestion`` is a corrected query when some word is in no article.

    >>> results = index.search('person:Putin', limit=5, facets=["org"])  # doctest: +SKIP
    >>> results.total, [hit.title for hit in results]  # doctest: +SKIP
    >>> results.facets["organization"][0]  # doctest: +SKIP
    FacetCount(value='Kremlin', count=12)
    """

    query: str
    total: int
    hits: tuple[Hit, ...]
    page: int = 1
    limit: int = 10
    facets: Mapping[str, tuple[FacetCount, ...]] = attrs.field(factory=dict)
    suggestion: str | None = None

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": facets_to_dict(self.facets),
            "suggestion": self.suggestion,
        }
