"""Collection statistics gathered from many indexes, for scores as one index gives.

BM25F (Whoosh 2.7.4's default) scores a term with two collection statistics:
its inverse document frequency, which :class:`~whoosh.scoring.BM25FScorer`
reads from ``searcher.idf(field, text)`` (the top-level searcher's document
frequency of the term and ``doc_count_all``), and the average field length,
from ``searcher.avg_field_length(field)``. A shard's own values differ from
the archive's, so its scores would too. :func:`use_stats` overrides those two
methods on a shard's top-level searcher with archive-wide values gathered
first, as Elasticsearch's ``dfs_query_then_fetch`` does; ``doc_count_all``
itself is left alone, because Whoosh also uses it to walk the shard's own
documents.

Deleted documents count, as they do in one Whoosh index, until a merge
(``optimize``) drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs
from whoosh import classify, query
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

__all__ = ["GlobalStats", "gather_stats", "key_terms", "scored_terms", "text_terms", "use_stats"]

TermKey = tuple[str, bytes]


@attrs.define
class GlobalStats:
    """Archive-wide statistics: documents (deleted ones included), field
    lengths, and the document and collection frequencies of some terms.

    Plain data, so it travels to Dask workers; ``merge`` adds one shard's.
    """

    documents: int = 0  # doc_count_all: deleted documents included
    field_lengths: dict[str, int] = attrs.field(factory=dict)
    doc_frequencies: dict[TermKey, int] = attrs.field(factory=dict)
    frequencies: dict[TermKey, float] = attrs.field(factory=dict)

    def merge(self, other: GlobalStats) -> GlobalStats:
        out = GlobalStats(self.documents + other.documents, dict(self.field_lengths))
        for field, length in other.field_lengths.items():
            out.field_lengths[field] = out.field_lengths.get(field, 0) + length
        out.doc_frequencies = dict(self.doc_frequencies)
        for key, n in other.doc_frequencies.items():
            out.doc_frequencies[key] = out.doc_frequencies.get(key, 0) + n
        out.frequencies = dict(self.frequencies)
        for key, f in other.frequencies.items():
            out.frequencies[key] = out.frequencies.get(key, 0.0) + f
        return out

    # The IndexReader methods Whoosh's weighting and Expander call.

    def get_parent(self) -> GlobalStats:
        return self

    def doc_count_all(self) -> int:
        return self.documents

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        return self.doc_frequencies.get((fieldname, _bytes(text)), 0)

    def frequency(self, fieldname: str, text: str | bytes) -> float:
        return self.frequencies.get((fieldname, _bytes(text)), 0.0)

    def field_length(self, fieldname: str) -> int:
        return self.field_lengths.get(fieldname, 0)


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


def scored_terms(q: query.Query, schema: Schema) -> Iterator[TermKey]:
    """The ``(field, term)`` pairs BM25 will ask statistics for: terms and phrase words.

    Wildcard, fuzzy and date leaves score without collection statistics.
    """
    if isinstance(q, query.Term):
        if q.fieldname in schema:
            try:
                yield q.fieldname, _bytes(schema[q.fieldname].to_bytes(q.text))
            except ValueError:
                return
    elif isinstance(q, query.Phrase):
        if q.fieldname in schema:
            for word in q.words:
                yield q.fieldname, _bytes(schema[q.fieldname].to_bytes(word))
    elif not q.is_leaf():
        for child in q.children():
            yield from scored_terms(child, schema)


def gather_stats(readers: Sequence[IndexReader], terms: Iterable[TermKey], frequencies: bool = False) -> GlobalStats:
    """Statistics of ``readers`` together, for ``terms`` (and their collection
    frequencies too with ``frequencies``, which "more like this" weighs by)."""
    stats = GlobalStats()
    wanted = set(terms)
    for reader in readers:
        one = GlobalStats(reader.doc_count_all())
        for field in reader.schema.scorable_names():
            one.field_lengths[field] = reader.field_length(field)
        for field, text in wanted:
            if (field, text) in reader:
                one.doc_frequencies[field, text] = reader.doc_frequency(field, text)
                if frequencies:
                    one.frequencies[field, text] = reader.frequency(field, text)
        stats = stats.merge(one)
    return stats


def use_stats(searcher: Searcher, stats: GlobalStats) -> Searcher:
    """Make ``searcher`` score with ``stats``: its ``idf`` and ``avg_field_length``
    (which BM25F's scorer reads on the top-level searcher) use archive-wide values.

    The idf formula stays Whoosh's (the weighting's own ``idf``); only its
    inputs change. Returns the searcher.
    """
    weighting = searcher.weighting
    idfs: dict[tuple[str, Any], float] = {}

    def idf(fieldname: str, text: str | bytes) -> float:
        key = (fieldname, text)
        if key not in idfs:
            idfs[key] = weighting.idf(stats, fieldname, text)
        return idfs[key]

    def avg_field_length(fieldname: str, default: float | None = None) -> float | None:
        if not searcher.schema[fieldname].scorable:
            return default
        return stats.field_length(fieldname) / (stats.documents or 1)

    searcher.idf = idf
    searcher.avg_field_length = avg_field_length
    return searcher


class _StatsReader:
    """What :class:`whoosh.classify.Expander` reads of an index, from ``stats``."""

    def __init__(self, stats: GlobalStats, schema: Schema) -> None:
        self.stats, self.schema = stats, schema

    def doc_count_all(self) -> int:
        return self.stats.documents

    def field_length(self, fieldname: str) -> int:
        return self.stats.field_length(fieldname)

    def frequency(self, fieldname: str, text: bytes) -> float:
        return self.stats.frequency(fieldname, text)

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.stats.doc_frequency(*term) > 0


def key_terms(stats: GlobalStats, schema: Schema, fieldname: str, text: str, numterms: int) -> list[tuple[str, float]]:
    """``Searcher.key_terms_from_text`` (Bo1 weights) over ``stats``' collection.

    ``stats`` must hold the frequencies of ``text``'s words (:func:`text_terms`).
    """
    expander = classify.Expander(_StatsReader(stats, schema), fieldname, model=classify.Bo1Model)
    expander.add_text(text)
    found: list[tuple[str, float]] = expander.expanded_terms(numterms, normalize=True)
    return found


def text_terms(schema: Schema, fieldname: str, text: str) -> set[TermKey]:
    """The index terms of ``text`` in ``fieldname``, as :func:`key_terms` weighs them."""
    return {(fieldname, _bytes(term)) for term, _, _, _ in schema[fieldname].index(text)}
