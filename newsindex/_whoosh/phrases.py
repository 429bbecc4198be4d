"""Phrase queries that check word positions directly.

Whoosh matches a phrase by building a ``Span`` object for every position of
every word in every candidate document and merging them pairwise; on a
common phrase (``"interest rates"``) that was most of the query time. This
matcher reads each word's positions as plain integers and walks them once.
It matches exactly the documents Whoosh's ``SpanNear2`` would (in order,
each next word 1..slop positions after the previous), and still gives real
spans to anything that asks for them.

>>> Phrase("body", ["ballist", "missil"]) == Phrase("body", ["ballist", "missil"])
True
"""

from __future__ import annotations

import bisect
from typing import Any

from whoosh import matching, query
from whoosh.query.spans import SpanNear2

__all__ = ["Phrase", "PhraseMatcher", "chain_ends"]


def chain_ends(positions: list[list[int]], slop: int) -> list[int]:
    """End positions of every occurrence of a phrase, given each word's sorted positions.

    >>> chain_ends([[1, 7], [2, 9], [3]], slop=1)
    [3]
    >>> chain_ends([[1, 7], [9]], slop=2)
    [9]
    """
    current = positions[0]
    for following in positions[1:]:
        if slop == 1:
            previous = set(current)
            current = [p for p in following if p - 1 in previous]
        else:
            # p follows some c when 1 <= p - c <= slop: the first c >= p - slop must be < p.
            current = [
                p for p in following if (i := bisect.bisect_left(current, p - slop)) < len(current) and current[i] < p
            ]
        if not current:
            break
    return current


class PhraseMatcher(SpanNear2.SpanNear2Matcher):
    """Whoosh's phrase matcher with a position check that builds no objects."""

    def _get_spans(self) -> Any:
        # Truthy when the current document holds the phrase; _find_next only
        # asks that. The real spans are built by spans(), on demand.
        return chain_ends([m.value_as("positions") for m in self.ms], self.slop)

    def spans(self) -> Any:
        return super()._get_spans() if self._spans else []


class Phrase(query.Phrase):
    """:class:`whoosh.query.Phrase` matched by :class:`PhraseMatcher`."""

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        # As Whoosh's Phrase.matcher, with our matcher in place of SpanNear2's.
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher
        field = searcher.schema[self.fieldname]
        if not field.format or not field.format.supports("positions"):
            raise query.QueryError(f"Phrase search: {self.fieldname!r} field has no positions")
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher
            if (self.fieldname, btext) not in reader:
                return matching.NullMatcher  # a missing word: no document has the phrase
            terms.append(query.Term(self.fieldname, btext))
        m: matching.Matcher = PhraseMatcher([t.matcher(searcher, context) for t in terms], slop=self.slop)
        return matching.WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m
