"""Collecting matches: exact totals, a deterministic order, and every match for facets.

Whoosh 2.7.4's default top-N collector skips low-scoring blocks and swaps in
matchers that drop documents which cannot reach the top N, then counts what it
kept: ``len(results)`` is an estimate (on Reuters, ``trade -japan`` gave 2,346 of
2,348). And it orders equal scores by document number, which is insertion
order: one index and a sharded archive of the same articles would list ties
differently. :func:`collect` scores every match once (no shortcuts), counts
them all, and ranks by score (or date), then by article id, so any set of
shards ranks exactly as one index does.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from typing import Any, Literal, get_args

import attrs
from whoosh import collectors, query
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from .columns import NO_DATE, cached, doc_ids

__all__ = ["SORTS", "Collected", "Sort", "SortKey", "check_sort", "collect", "matching_docnums"]

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = get_args(Sort)  # the orders every search, scan, command and page accepts


def check_sort(sort: str) -> None:
    """Raise ValueError unless ``sort`` is one of :data:`SORTS`."""
    if sort not in SORTS:
        raise ValueError(f"sort must be {', '.join(SORTS[:-1])} or {SORTS[-1]}, not {sort!r}")


SortKey = tuple[float, str]  # smaller ranks first: (-score or ±date, article id)


@attrs.frozen(slots=True)
class Collected:
    """What :func:`collect` found in one searcher."""

    total: int
    top: list[tuple[SortKey, float, int]]  # (key, score, global docnum), best first
    docnums: list[int]  # every match, ascending (global document numbers)


class _Everything(collectors.ScoredCollector):
    """Every match and its score; no block-quality shortcuts, no heap."""

    def _collect(self, global_docnum: int, score: float) -> float:
        self.items.append((score, global_docnum))
        return 0 - score


def _leaves(reader: IndexReader) -> tuple[list[IndexReader], list[int]]:
    pairs = reader.leaf_readers()
    return [leaf for leaf, _ in pairs], [offset for _, offset in pairs]


def _lookup(reader: IndexReader, docnums: Sequence[int], kind: str) -> list[Any]:
    """The article id (``kind="id"``) or raw date value (``"date"``) of each document.

    Each segment's id list or date column is fetched once, not once per
    document: for ``published:>=1987-04-01`` (every one of 50,000 synthetic
    articles tied at one score) the per-document fetch was a third of the search.
    """
    leaves, offsets = _leaves(reader)
    tables: dict[int, Sequence[Any] | None] = {}
    out: list[Any] = []
    for docnum in docnums:
        i = bisect.bisect_right(offsets, docnum) - 1
        leaf, local = leaves[i], docnum - offsets[i]
        if i not in tables:
            if kind == "id":
                tables[i] = doc_ids(leaf)
            else:
                tables[i] = cached(leaf, "published", "raw", lambda v: v)
        values = tables[i]
        if values is not None:
            out.append(values[local])
        else:  # a segment without the date column
            stored = leaf.stored_fields(local).get("published")
            out.append(NO_DATE if stored is None else _to_long(stored))
    return out


def _to_long(value: Any) -> int:
    return int(datetime_to_long(value))


def collect(searcher: Searcher, q: query.Query, limit: int, sort: Sort, mask: query.Query | None) -> Collected:
    """Run ``q`` once: every match scored and counted, the best ``limit`` in order.

    Order: ``relevance`` by score (highest first), ``newest``/``oldest`` by
    publication date (undated articles count as newest, as Whoosh's date
    column has it); ties by article id, ascending. Documents matching ``mask``
    are neither counted nor returned. No ``terms=True``: recording matched
    terms per document costs 5-15x on broad queries; snippets find the
    query's words in the body themselves.
    """
    c = _Everything()
    searcher.search_with_collector(q, c)
    items: list[tuple[float, int]] = c.items
    if mask is not None:
        masked = set(searcher.docs_for_query(mask))
        if masked:
            items = [item for item in items if item[1] not in masked]
    reader = searcher.reader()
    docnums = sorted(d for _, d in items)
    if not items:
        return Collected(0, [], docnums)
    # Only documents that can reach the top `limit` need an id: those at or
    # above the limit-th best primary key (ties at the boundary included).
    if sort == "relevance":
        primary = [-score for score, _ in items]
    else:
        dates = _lookup(reader, [d for _, d in items], "date")
        primary = [-v if sort == "newest" else v for v in dates]  # ints: exact to the microsecond
    if len(items) > limit:
        bound = heapq.nsmallest(limit, primary)[-1]
        chosen = [i for i, p in enumerate(primary) if p <= bound]
    else:
        chosen = list(range(len(items)))
    ids = _lookup(reader, [items[i][1] for i in chosen], "id")
    # The best `limit` of the candidates, as sorted(...)[:limit] gives them,
    # without sorting every candidate: a constant-score query ties them all.
    ranked = heapq.nsmallest(
        limit, (((primary[i], article_id), items[i][0], items[i][1]) for i, article_id in zip(chosen, ids, strict=True))
    )
    return Collected(len(items), ranked, docnums)


def matching_docnums(searcher: Searcher, q: query.Query, sort: Sort) -> list[int]:
    """Every document matching ``q``, as global document numbers in ``sort`` order
    (ties by article id, as :func:`collect` ranks them).

    For exports: the list of numbers is the only thing held in memory (stored
    fields are read one document at a time by the caller).
    """
    found = collect(searcher, q, max(1, searcher.doc_count_all()), sort, None)
    return [docnum for _, _, docnum in found.top]
