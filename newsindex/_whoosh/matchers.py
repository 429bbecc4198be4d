"""Matchers: how the queries newsindex makes find their documents in Whoosh segments.

- :class:`DateRange` answers a date range from a segment's in-memory date column
  (two bisections) instead of Whoosh's hundreds of numeric trie terms;
- :class:`Words` is a wildcard or fuzzy term once expanded (:func:`expand`):
  one walk over its words' postings, no per-word scorer;
- :class:`DocsMatcher` is the matcher both return: a sorted list of documents
  whose ``skip_to`` bisects;
- :func:`without_andnot` replaces Whoosh 2.7.4's faulty ``AndNot``/``Require``.

Phrases have their own module, :mod:`.phrases`.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from typing import Any

from whoosh import matching, query
from whoosh.reading import IndexReader

from .columns import date_order, lexicon
from .lexicon_search import Budget, BudgetExceeded, expand_term

__all__ = ["Budget", "BudgetExceeded", "DateRange", "DocsMatcher", "LeafQuery", "Words", "expand", "without_andnot"]


class DocsMatcher(matching.ListMatcher):
    """A matcher over a sorted list of document numbers.

    Each document scores its weight times ``boost`` (without weights: the
    boost). ``skip_to`` bisects instead of stepping, so intersecting a wide date
    range with a rare word costs little.
    """

    def __init__(
        self, ids: Sequence[int], boost: float = 1.0, weights: Sequence[float] | None = None, position: int = 0
    ) -> None:
        super().__init__(ids, weights=weights, position=position)
        self._boost = boost

    _i: int  # ListMatcher's position in the list

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise matching.ReadTooFar
        self._i = bisect.bisect_left(self._ids, id, self._i)

    # ListMatcher treats a zero weight as "none given" and scores it 1.0.
    def weight(self) -> float:
        return self._weights[self._i] * self._boost if self._weights is not None else self._boost

    def score(self) -> float:
        return self.weight()

    def copy(self) -> DocsMatcher:
        return DocsMatcher(self._ids, self._boost, self._weights, self._i)


class LeafQuery(query.Query):
    """A Whoosh leaf query on one field, equal to another by its ``_key()``.

    Whoosh compares and hashes queries (the builder's tests compare text and
    Python forms); subclasses say what identifies them.
    """

    fieldname: str

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LeafQuery) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self._key()))

    def __str__(self) -> str:
        return self.__unicode__()

    def field(self) -> str:
        return self.fieldname


class DateRange(LeafQuery):
    """Documents whose ``fieldname`` value lies in ``[start, end]`` (Whoosh longs).

    Answered from the segment's date column; a segment without that column
    falls back to Whoosh's :class:`~whoosh.query.NumericRange`. Scores are
    constant (the boost), as for any range.
    """

    def __init__(self, fieldname: str, start: int, end: int, boost: float = 1.0) -> None:
        self.fieldname, self.start, self.end, self.boost = fieldname, start, end, boost

    def _key(self) -> tuple[Any, ...]:
        return (self.fieldname, self.start, self.end, self.boost)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {self.start}, {self.end}, boost={self.boost})"

    def __unicode__(self) -> str:
        return f"{self.fieldname}:[{self.start} TO {self.end}]"

    def _fallback(self) -> query.Query:
        return query.NumericRange(self.fieldname, self.start, self.end, boost=self.boost, constantscore=True)

    def _docs(self, reader: IndexReader) -> list[int] | None:
        """Matching live documents of the whole reader, or None without a column."""
        out: list[int] = []
        for leaf, offset in reader.leaf_readers():
            order = date_order(leaf, self.fieldname)
            if order is None:
                return None
            values, docnums = order
            lo = bisect.bisect_left(values, self.start)
            hi = bisect.bisect_right(values, self.end)
            found = sorted(docnums[lo:hi])
            if leaf.has_deletions():
                found = [d for d in found if not leaf.is_deleted(d)]
            out.extend((d + offset for d in found) if offset else found)
        return out

    def estimate_size(self, ixreader: IndexReader) -> int:
        # Whoosh asks this to order an AND's clauses: count, don't collect.
        size = 0
        for leaf, _ in ixreader.leaf_readers():
            order = date_order(leaf, self.fieldname)
            if order is None:
                return self._fallback().estimate_size(ixreader)
            values = order[0]
            size += bisect.bisect_right(values, self.end) - bisect.bisect_left(values, self.start)
        return size

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        docs = self._docs(searcher.reader())
        if docs is None:
            return self._fallback().matcher(searcher, context)
        return DocsMatcher(docs, self.boost) if docs else matching.NullMatcher


class Words(LeafQuery):
    """Documents holding any of ``words`` in ``fieldname``.

    What a wildcard or fuzzy term becomes once expanded. Matching reads each
    word's postings (no per-word scorer or OR tree); a document scores how
    often it uses the words, times the boost, as Whoosh scores a wildcard that
    matches several words.
    """

    def __init__(self, fieldname: str, words: frozenset[str], boost: float = 1.0) -> None:
        self.fieldname, self.words, self.boost = fieldname, words, boost

    def _key(self) -> tuple[Any, ...]:
        return (self.fieldname, self.words, self.boost)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {sorted(self.words)!r}, boost={self.boost})"

    def __unicode__(self) -> str:
        return f"{self.fieldname}:({' OR '.join(sorted(self.words))})"

    def _weights(self, reader: IndexReader) -> dict[int, float]:
        """Each matching live document and how often it uses the words."""
        found: dict[int, float] = {}
        for leaf, offset in reader.leaf_readers():
            # The segment's in-memory word list answers "is it here?" without a
            # disk lookup per word (a quarter of the matching time).
            known = lexicon(leaf, self.fieldname)
            for word in self.words:
                if known is not None:
                    at = bisect.bisect_left(known, word)
                    if at == len(known) or known[at] != word:
                        continue
                elif (self.fieldname, word) not in leaf:
                    continue
                postings = leaf.postings(self.fieldname, word)  # skips deleted documents
                while postings.is_active():
                    docnum = postings.id() + offset
                    found[docnum] = found.get(docnum, 0.0) + postings.weight()
                    postings.next()
        return found

    def estimate_size(self, ixreader: IndexReader) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, word) for word in self.words)

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        found = self._weights(searcher.reader())
        if not found:
            return matching.NullMatcher
        docs = sorted(found)
        return DocsMatcher(docs, self.boost, [found[d] for d in docs])


def expand(
    node: query.MultiTerm, reader: IndexReader, limit: int | None = None, budget: Budget | None = None
) -> set[str]:
    """The index words a wildcard or fuzzy term matches (stopping past ``limit``).

    Over one merged in-memory word list per field (see :mod:`.lexicon_search`);
    with a ``budget``, the work is charged to it and :class:`BudgetExceeded`
    raised when it runs out.
    """
    unlimited = sys.maxsize
    return expand_term(node, reader, unlimited if limit is None else limit, budget or Budget(unlimited, unlimited))


def without_andnot(q: query.Query) -> query.Query:
    """``q`` with Whoosh 2.7.4's faulty binary queries replaced.

    Its ``AndNotMatcher`` only checks the excluded side at the start when both
    sides begin on the same document, so ``a ANDNOT b`` could return a document
    holding ``b``; and ``a REQUIRE b`` uses that same matcher, which returns
    ``a`` without ``b``. Both become ``And``, with a ``Not`` for ANDNOT.

    >>> print(without_andnot(query.AndNot(query.Term("body", "oil"), query.Term("body", "price"))))
    (body:oil AND NOT body:price)
    """
    if q.is_leaf():
        return q
    q = q.apply(without_andnot)
    if isinstance(q, query.AndNot):
        return query.And([q.a, query.Not(q.b)])
    if isinstance(q, query.Require):
        return query.And([q.a, q.b])
    return q
