"""Collecting matches: exact totals and the recorded matches facets count.

Whoosh 2.7.4's default top-N collector skips low-scoring blocks and swaps in
matchers that drop documents which cannot reach the top N, then counts what it
kept: ``len(results)`` is an estimate (on Reuters, ``trade -japan`` gave 2,346 of
2,348). :func:`collect` turns both shortcuts off, so one pass ranks the page,
counts every match and, for facets, records them.
"""

from __future__ import annotations

from typing import Any, Literal

from whoosh import collectors, query
from whoosh.searching import Results, Searcher

__all__ = ["Sort", "collect", "matching_docnums"]

Sort = Literal["relevance", "newest", "oldest"]


class _Recorder(collectors.WrappingCollector):
    """Notes the document number of every match, for facets."""

    def prepare(self, top_searcher: Searcher, q: query.Query, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.docnums: list[int] = []

    def collect(self, sub_docnum: int) -> Any:
        self.docnums.append(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


def collect(
    searcher: Searcher, q: query.Query, limit: int, sort: Sort, mask: query.Query | None, record: bool
) -> tuple[Results, list[int]]:
    """Run ``q`` once: the top ``limit`` hits in ``sort`` order, an exact
    ``len(results)``, and (with ``record``) every matching global document number.

    Documents matching ``mask`` are never counted nor recorded. No
    ``terms=True``: recording matched terms per document costs 5-15x on broad
    queries; snippets find the query's words in the body themselves.
    """
    c: collectors.Collector
    if sort == "relevance":
        c = collectors.TopCollector(limit, usequality=False, replace=0)
    else:
        c = collectors.SortingCollector("published", limit=limit, reverse=sort == "newest")
    recorder = _Recorder(c) if record else None
    if recorder is not None:
        c = recorder
    if mask is not None:  # outermost, so masked documents are never counted or recorded
        c = collectors.FilterCollector(c, restrict=mask)
    searcher.search_with_collector(q, c)
    return c.results(), recorder.docnums if recorder is not None else []


def matching_docnums(searcher: Searcher, q: query.Query, sort: Sort) -> list[int]:
    """Every document matching ``q``, as global document numbers in ``sort`` order.

    For exports: the list of numbers is the only thing held in memory (stored
    fields are read one document at a time by the caller).
    """
    results, _ = collect(searcher, q, max(1, searcher.doc_count_all()), sort, None, record=False)
    return [results.docnum(i) for i in range(results.scored_length())]
