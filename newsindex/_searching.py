"""Running a parsed query over one or many shards: exact totals, a page of hits, facets, "did you mean".

One index is one shard. A search goes in three steps, as Elasticsearch's
``dfs_query_then_fetch`` does: gather collection statistics for the query's
terms from every shard (:meth:`Shards.stats`), search each shard that can match
with those statistics (:func:`search_shard`: its total, its best
``page * limit`` hits by a key every shard shares, its full facet counts), then
fetch the hits of the requested page from the shards holding them
(:func:`fetch_hits`). Scores use archive-wide statistics and ties are broken
by article id, so any split of the same articles into shards gives the same
results as one index.

:meth:`Index.search` and :meth:`Index.similar` call :func:`execute` with one
shard; :class:`~newsindex.Archive` with many, searched here or on Dask workers.
"""

from __future__ import annotations

import datetime as dt
import heapq
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import attrs
from whoosh import query
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ._analysis import index_terms, normalize
from ._builder import Q
from ._errors import QueryError
from ._facets import FacetSpec, count_facets, finish_facets, parse_facets
from ._query import DEFAULT_FIELDS, MAX_EXPANSIONS, over_budget, parse, prepare, too_many_words
from ._results import Hit, Results
from ._snippets import QueryWords, query_words, snippet
from ._vocabulary import ENTITY_FIELDS, NAME_FIELDS
from ._whoosh import (
    MAX_QUERY_WORDS,
    Budget,
    BudgetExceeded,
    Collected,
    GlobalStats,
    Phrase,
    Sort,
    Words,
    check_sort,
    collect,
    doc_ids,
    expand,
    gather_stats,
    key_terms,
    scored_terms,
    text_terms,
    use_stats,
    without_andnot,
)

__all__ = [
    "LocalShards",
    "ShardAnswer",
    "Shards",
    "Sort",
    "execute",
    "expand_globally",
    "fetch_hits",
    "more_like",
    "search_shard",
    "similar_articles",
    "suggest",
]

_SUGGEST_FIELDS = (*DEFAULT_FIELDS, *NAME_FIELDS)
# Work "did you mean" may do over all unknown words of a query, in the units
# of the query budget (see MAX_QUERY_STEPS): about half a second; a misspelt
# word takes 100,000-250,000 over six fields and two distances.
MAX_SUGGEST_STEPS = 1_000_000


# -- on the shard ------------------------------------------------------------


@attrs.frozen(slots=True)
class ShardAnswer:
    """One shard's part of a search: plain data, so it can come back from a Dask worker."""

    total: int
    top: list[tuple[Any, float, int]]  # (sort key, score, docnum in this shard), best first
    facets: dict[str, Counter[str]]
    words: QueryWords


def search_shard(
    searcher: Searcher,
    q: query.Query,
    stats: GlobalStats,
    *,
    limit: int,
    sort: Sort,
    specs: Sequence[FacetSpec] = (),
    mask: query.Query | None = None,
) -> ShardAnswer:
    """Search one shard with archive-wide ``stats``: total, best ``limit``, full facet counts."""
    use_stats(searcher, stats)
    reader = searcher.reader()
    matched = prepare(q, reader)
    got = Collected(0, [], []) if cannot_match(matched, reader) else collect(searcher, matched, limit, sort, mask)
    counts = count_facets(searcher, got.docnums, specs) if specs else {}
    return ShardAnswer(got.total, got.top, counts, query_words(matched, "body"))


def cannot_match(q: query.Query, reader: IndexReader) -> bool:
    """True when ``q`` certainly matches no document of ``reader``: a required
    word (or a word of a required phrase) is in no segment.

    Whoosh builds every clause's matcher in every segment before intersecting
    them, and a large OR preloads all its matches, even beside a clause that
    matches nothing: ``(wheat OR grain) location:ussr -corn`` spent about 0.3 s
    of its time so on 200,000 synthetic articles without names. Conservative:
    anything it does not know how to judge may match.
    """
    if q is query.NullQuery or isinstance(q, type(query.NullQuery)):
        return True
    if type(q) is query.Term or isinstance(q, query.Phrase):
        words = [q.text] if type(q) is query.Term else list(q.words)
        try:
            return any((q.fieldname, word) not in reader for word in words)
        except (TypeError, ValueError):  # a word the field cannot turn into bytes
            return False
    if isinstance(q, query.And):
        return any(cannot_match(child, reader) for child in q.children())
    if isinstance(q, query.Or):
        return all(cannot_match(child, reader) for child in q.children())
    return False


def fetch_hits(searcher: Searcher, picks: Sequence[tuple[int, float]], words: QueryWords) -> list[Hit]:
    """The :class:`Hit` of each ``(docnum, score)``, with its snippet."""
    hits = []
    for docnum, score in picks:
        stored = searcher.stored_fields(docnum)
        snippet_text, spans = snippet(stored.get("body", ""), words)
        published = stored.get("published")
        hits.append(
            Hit(
                id=stored["id"],
                title=stored.get("title", ""),
                published=published.replace(tzinfo=dt.UTC) if published else None,
                source=stored.get("source", ""),
                url=stored.get("url", ""),
                score=float(score or 0.0),
                snippet=snippet_text,
                highlights=spans,
            )
        )
    return hits


def shard_stats(searcher: Searcher, terms: Iterable[tuple[str, bytes]], frequencies: bool = False) -> GlobalStats:
    return gather_stats([searcher.reader()], terms, frequencies)


ExpansionKey = tuple[str, str, Any, int, int]  # as newsindex._query keys a repeated term


def _expansion_key(q: query.Query) -> ExpansionKey:
    return (
        type(q).__name__,
        q.fieldname,
        getattr(q, "text", None),
        getattr(q, "maxdist", 0),
        getattr(q, "prefixlength", 0),
    )


def shard_expansions(
    searcher: Searcher, terms: Sequence[tuple[ExpansionKey, query.MultiTerm]], limit: int
) -> dict[ExpansionKey, set[str] | None]:
    """The words of this shard each wildcard or fuzzy term matches (stopping
    past ``limit``), under one budget of words examined for them all, as one
    index spends it; a term where that budget ran out, and every term after
    it, maps to ``None``."""
    budget = Budget(words=sys.maxsize)  # words matched are counted over all shards, by the caller
    out: dict[ExpansionKey, set[str] | None] = {}
    reader = searcher.reader()
    for key, term in terms:
        try:
            out[key] = expand(term, reader, limit, budget)
        except BudgetExceeded:
            out.update((k, None) for k, _ in terms if k not in out)
            break
    return out


def shard_candidates(searcher: Searcher, field: str, term: str, distance: int, budget: Budget) -> set[str] | None:
    """Index words within ``distance`` edits of ``term`` (sharing its first letter),
    or ``None`` when that ran past ``budget``."""
    fuzzy = query.FuzzyTerm(field, term, maxdist=distance, prefixlength=1)
    try:
        return expand(fuzzy, searcher.reader(), budget=budget)
    except BudgetExceeded:
        return None


def shard_surface(searcher: Searcher, field: str, term: str) -> tuple[str, str] | None:
    """``(article id, word as written)`` for ``term``, from the matching article
    with the smallest id (the same article however the index is split)."""
    reader = searcher.reader()
    best: tuple[str, int] | None = None
    for leaf, offset in reader.leaf_readers():
        if (field, term) not in leaf:
            continue
        ids = doc_ids(leaf)
        for docnum in leaf.postings(field, term).all_ids():
            if best is None or ids[docnum] < best[0]:
                best = (ids[docnum], docnum + offset)
    if best is None:
        return None
    if field not in DEFAULT_FIELDS:
        return best[0], term  # names are indexed unstemmed
    text = searcher.stored_fields(best[1]).get(field, "")
    for found in index_terms(text):
        if found.text == term:
            return best[0], normalize(text[found.start : found.end])
    return None


def shard_document(searcher: Searcher, article_id: str) -> dict[str, Any] | None:
    """The stored fields of an article, or ``None``."""
    stored = searcher.document(id=article_id)
    return dict(stored) if stored else None


# -- the shards of one search ------------------------------------------------


class Shards(Protocol):
    """The shards a search runs over, wherever they are open."""

    schema: Schema

    def __len__(self) -> int: ...

    def stats(self, terms: set[tuple[str, bytes]], frequencies: bool = False) -> GlobalStats:
        """Statistics of every shard together."""
        ...

    def search(self, which: Sequence[int], q: query.Query, stats: GlobalStats, **kw: Any) -> list[ShardAnswer]:
        """:func:`search_shard` on each shard of ``which``."""
        ...

    def fetch(self, picks: Mapping[int, tuple[list[tuple[int, float]], QueryWords]]) -> dict[int, list[Hit]]:
        """:func:`fetch_hits` on each shard of ``picks``."""
        ...

    def candidates(self, field: str, term: str, distance: int, budget: Budget) -> set[str] | None:
        """Words near ``term`` in any shard; ``None`` when that ran past ``budget``."""
        ...

    def expansions(
        self, terms: Sequence[tuple[ExpansionKey, query.MultiTerm]], limit: int
    ) -> list[dict[ExpansionKey, set[str] | None]]:
        """:func:`shard_expansions` on every shard."""
        ...

    def surface(self, field: str, term: str) -> str | None: ...

    def document(self, article_id: str) -> dict[str, Any] | None: ...


class LocalShards:
    """Shards open in this process; ``map`` runs per-shard work (in threads, say)."""

    def __init__(
        self,
        searchers: Sequence[Searcher],
        map: Callable[..., Iterable[Any]] | None = None,
        schema: Schema | None = None,
    ) -> None:
        self.searchers = list(searchers)
        self.schema = schema or self.searchers[0].schema
        self._map: Callable[..., Iterable[Any]] = map or (lambda f, xs: [f(x) for x in xs])

    def __len__(self) -> int:
        return len(self.searchers)

    def stats(self, terms: set[tuple[str, bytes]], frequencies: bool = False) -> GlobalStats:
        return gather_stats([s.reader() for s in self.searchers], terms, frequencies)

    def search(self, which: Sequence[int], q: query.Query, stats: GlobalStats, **kw: Any) -> list[ShardAnswer]:
        return list(self._map(lambda i: search_shard(self.searchers[i], q, stats, **kw), which))

    def fetch(self, picks: Mapping[int, tuple[list[tuple[int, float]], QueryWords]]) -> dict[int, list[Hit]]:
        keys = list(picks)
        found = self._map(lambda i: fetch_hits(self.searchers[i], *picks[i]), keys)
        return dict(zip(keys, found, strict=True))

    def candidates(self, field: str, term: str, distance: int, budget: Budget) -> set[str] | None:
        out: set[str] = set()
        for searcher in self.searchers:  # one budget for all shards, as for one index's segments
            found = shard_candidates(searcher, field, term, distance, budget)
            if found is None:
                return None
            out |= found
        return out

    def expansions(
        self, terms: Sequence[tuple[ExpansionKey, query.MultiTerm]], limit: int
    ) -> list[dict[ExpansionKey, set[str] | None]]:
        return list(self._map(lambda s: shard_expansions(s, terms, limit), self.searchers))

    def surface(self, field: str, term: str) -> str | None:
        found = [f for s in self.searchers if (f := shard_surface(s, field, term))]
        return min(found)[1] if found else None

    def document(self, article_id: str) -> dict[str, Any] | None:
        for searcher in self.searchers:
            if (stored := shard_document(searcher, article_id)) is not None:
                return stored
        return None


def parse_request(
    text_or_q: str | Q, schema: Schema, now: dt.datetime | None, facets: Iterable[str] = ()
) -> tuple[query.Query, str, tuple[FacetSpec, ...]]:
    """The Whoosh query, its text and the facet specs of a search request.

    Raises :class:`~newsindex.QueryError` for a malformed query or an unknown facet.
    """
    if isinstance(text_or_q, Q):
        q, text = text_or_q.to_query(schema, now), str(text_or_q)
    else:
        q, text = parse(text_or_q, schema, now=now), text_or_q
    try:
        specs = parse_facets(facets)
    except ValueError as exc:
        raise QueryError(str(exc), text) from None
    return q, text, specs


def execute(
    shards: Shards,
    q: query.Query,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    sort: Sort = "relevance",
    facets: Iterable[FacetSpec] = (),
    facet_limit: int = 10,
    mask: query.Query | None = None,
    spelling: bool = True,
    which: Sequence[int] | None = None,
) -> Results:
    """Search ``shards`` (those of ``which``, default all; statistics always come
    from all); ``total`` counts every match, ``hits`` holds page ``page``."""
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    check_sort(sort)
    specs = tuple(facets)
    q = expand_globally(shards, q)
    stats = shards.stats(set(scored_terms(without_andnot(q), shards.schema)))
    targets = list(range(len(shards))) if which is None else list(which)
    answers = shards.search(targets, q, stats, limit=page * limit, sort=sort, specs=specs, mask=mask)
    ranked = heapq.merge(
        *[[(key, i, docnum, score) for key, score, docnum in a.top] for i, a in zip(targets, answers, strict=True)]
    )
    chosen = list(ranked)[(page - 1) * limit : page * limit]
    words = dict(zip(targets, (a.words for a in answers), strict=True))
    picks: dict[int, tuple[list[tuple[int, float]], QueryWords]] = {}
    for _, i, docnum, score in chosen:
        picks.setdefault(i, ([], words[i]))[0].append((docnum, score))
    fetched = {i: iter(hits) for i, hits in shards.fetch(picks).items()}
    hits = tuple(next(fetched[i]) for _, i, _, _ in chosen)
    counts: dict[str, Counter[str]] = {}
    for answer in answers:
        for key, found in answer.facets.items():
            counts.setdefault(key, Counter()).update(found)
    return Results(
        query=text,
        total=sum(a.total for a in answers),
        hits=hits,
        page=page,
        limit=limit,
        facets=finish_facets(counts, specs, facet_limit) if specs else {},
        suggestion=suggest(shards, q, text) if spelling else None,
    )


def _multiterms(q: query.Query) -> Iterator[query.MultiTerm]:
    """The wildcard and fuzzy terms :func:`~newsindex._query.prepare` expands, in its order."""
    if isinstance(q, query.Every) or (isinstance(q, query.Wildcard) and q.text.strip("*") == ""):
        return  # a cheap date range, or refused by every shard as by one index
    if isinstance(q, query.MultiTerm) and not isinstance(q, query.Variations):
        yield q
    elif not q.is_leaf():
        for child in q.children():
            yield from _multiterms(child)


def expand_globally(shards: Shards, q: query.Query, limit: int = MAX_EXPANSIONS) -> query.Query:
    """``q`` with each wildcard and fuzzy term replaced by the words it matches
    in all ``shards`` together, checked against the limits one index applies
    (:func:`~newsindex._query.expand_multiterms`: ``limit`` words per term,
    :data:`~newsindex._whoosh.MAX_QUERY_WORDS` for all terms together, each copy
    of a repeated term counting again), so an archive refuses exactly the
    queries one index of its articles refuses.

    Each shard expands the terms once (:func:`shard_expansions`); the union
    over shards is what one index's merged word list gives, since a word
    matches a pattern or not whatever shard holds it. The shards then match
    the same :class:`~newsindex._whoosh.Words` and expand nothing. The budget
    of words *examined* (:data:`~newsindex._whoosh.MAX_QUERY_STEPS`) bounds
    the work of one process, so it applies per shard.

    With one shard nothing changes: that shard expands as one index does.
    """
    found = list(_multiterms(without_andnot(q)))
    if len(shards) < 2 or not found:
        return q
    q = without_andnot(q)
    terms = list({_expansion_key(t): t for t in found}.items())
    union: dict[ExpansionKey, set[str] | None] = {key: set() for key, _ in terms}
    for answer in shards.expansions(terms, limit):
        for key, words in answer.items():
            held = union[key]
            union[key] = None if held is None or words is None else held | words
    budget = Budget(words=MAX_QUERY_WORDS)
    seen: set[ExpansionKey] = set()

    def replace(node: query.Query) -> query.Query:
        if isinstance(node, query.Every) or (isinstance(node, query.Wildcard) and node.text.strip("*") == ""):
            return node
        if isinstance(node, query.MultiTerm) and not isinstance(node, query.Variations):
            key = _expansion_key(node)
            words = union[key]
            if words is None:
                raise BudgetExceeded("examine", budget.step_limit, node)
            if key not in seen and len(words) > limit:
                raise too_many_words(node, limit)
            seen.add(key)
            budget.spend_words(len(words), node)
            return Words(node.fieldname, frozenset(words), node.boost) if words else query.NullQuery
        if node.is_leaf():
            return node
        return node.apply(replace)

    try:
        return replace(q)
    except BudgetExceeded as exc:
        raise over_budget(exc) from None


def _words(q: query.Query, negated: bool = False) -> Iterator[tuple[str, str, int, int]]:
    """``(field, term, start, end)`` of the positive words of a parsed query."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.MultiTerm | query.FuzzyTerm):
        return  # wildcards and fuzzy terms are deliberate, not misspellings
    if isinstance(q, query.Term) and q.fieldname in _SUGGEST_FIELDS and getattr(q, "startchar", None) is not None:
        yield q.fieldname, q.text, q.startchar, q.endchar
    elif isinstance(q, query.Phrase) and q.fieldname in _SUGGEST_FIELDS and q.char_ranges:
        for word, (start, end) in zip(q.words, q.char_ranges, strict=False):
            if start is not None:
                yield q.fieldname, word, start, end
    elif not q.is_leaf():
        for child in q.children():
            yield from _words(child)


def suggest(shards: Shards, q: query.Query, text: str) -> str | None:
    """The query with each unknown word replaced by the most frequent near one.

    A word is unknown when none of the fields it searches holds it; candidates
    are index terms within one edit (two for words of five letters or more),
    most frequent first, then nearest field and word. Returns ``None`` when every
    word is known or nothing close exists, and when looking would cost more than
    :data:`MAX_SUGGEST_STEPS` (a query of a thousand unknown words gets no
    suggestion rather than a thousand automaton walks).
    """
    budget = Budget(words=sys.maxsize, steps=MAX_SUGGEST_STEPS)
    spans: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for field, term, start, end in _words(q):
        spans.setdefault((start, end), []).append((field, term))
    if not spans:
        return None
    asked = {(field, term.encode("utf-8")) for places in spans.values() for field, term in places}
    known = shards.stats(asked)
    fixes: list[tuple[int, int, str]] = []
    for (start, end), places in spans.items():
        if any(known.doc_frequency(field, term) for field, term in places):
            continue
        best: tuple[int, int, str, str] | None = None  # (distance, -frequency, field, candidate)
        for distance in (1, 2) if len(text[start:end]) >= 5 else (1,):
            found: set[tuple[str, str]] = set()
            for field, term in places:
                near = shards.candidates(field, term, distance, budget)
                if near is None:
                    return None  # over budget: suggestions are a courtesy
                found |= {(field, c) for c in near}
            if found:
                freqs = shards.stats({(field, c.encode("utf-8")) for field, c in found})
                for field, candidate in found:
                    key = (distance, -freqs.doc_frequency(field, candidate), field, candidate)
                    best = key if best is None or key < best else best
            if best:
                break
        if best and (word := shards.surface(best[2], best[3])):
            fixes.append((start, end, word))
    if not fixes:
        return None
    out = text
    for start, end, word in sorted(fixes, reverse=True):
        original = out[start:end]
        out = out[:start] + (word.capitalize() if original[:1].isupper() else word) + out[end:]
    return out if out != text else None


# -- more like this ----------------------------------------------------------


def similar_articles(shards: Shards, article_id: str, *, limit: int, page: int) -> Results | None:
    """The articles of ``shards`` most like ``article_id`` (never itself), or ``None`` if it is not there."""
    stored = shards.document(article_id)
    if stored is None:
        return None
    q = more_like(shards, stored)
    mask = query.Term("id", article_id)
    return execute(shards, q, f"similar:{article_id}", limit=limit, page=page, mask=mask, spelling=False)


def more_like(shards: Shards, stored: Mapping[str, Any], numterms: int = 12) -> query.Query:
    """An OR of the most distinctive words and names of one article (its stored fields).

    Words come from the title and body (weighted by Whoosh's Bo1 model over
    every shard's statistics); the article's people, organizations and places
    are added as whole names.
    """
    schema = shards.schema
    parts: list[query.Query] = []
    texts = {field: stored.get(field, "") for field in DEFAULT_FIELDS}
    terms = set().union(*(text_terms(schema, field, value) for field, value in texts.items() if value))
    stats = shards.stats(terms, frequencies=True)
    for field, value in texts.items():
        if value:
            for word, weight in key_terms(stats, schema, field, value, numterms):
                parts.append(query.Term(field, word, boost=weight))
    for field in ENTITY_FIELDS:
        for name in stored.get(field, "").splitlines()[:5]:
            words = list(schema[field].process_text(name, mode="query"))
            if len(words) > 1:
                parts.append(Phrase(field, words))
            elif words:
                parts.append(query.Term(field, words[0]))
    return query.Or(parts) if parts else query.NullQuery
