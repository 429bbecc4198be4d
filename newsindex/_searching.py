"""Running a parsed query: exact totals, one page of hits, facets, "did you mean".

:meth:`Index.search` and :meth:`Index.similar` are thin wrappers around
:func:`execute`, which works on any Whoosh searcher of a newsindex schema.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import query
from whoosh.searching import Searcher

from ._analysis import index_terms, normalize
from ._facets import FacetSpec, compute_facets
from ._query import DEFAULT_FIELDS, prepare
from ._results import Hit, Results
from ._snippets import query_words, snippet
from ._vocabulary import ENTITY_FIELDS, NAME_FIELDS
from ._whoosh import Budget, BudgetExceeded, Phrase, Sort, collect, expand

__all__ = ["Sort", "execute", "more_like", "suggest"]

_SUGGEST_FIELDS = (*DEFAULT_FIELDS, *NAME_FIELDS)
# Work "did you mean" may do over all unknown words of a query, in the units
# of the query budget (see MAX_QUERY_STEPS): about half a second; a misspelt
# word takes 100,000-250,000 over six fields and two distances.
MAX_SUGGEST_STEPS = 1_000_000


def execute(
    searcher: Searcher,
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
) -> Results:
    """Search; ``total`` counts every match, ``hits`` holds page ``page``."""
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    if sort not in ("relevance", "newest", "oldest"):
        raise ValueError(f"sort must be relevance, newest or oldest, not {sort!r}")
    matched = prepare(q, searcher.reader())
    specs = tuple(facets)
    results, recorded = collect(searcher, matched, page * limit, sort, mask, record=bool(specs))
    words = query_words(matched, "body")
    hits = []
    for hit in results[(page - 1) * limit : page * limit]:
        stored = hit.fields()
        snippet_text, spans = snippet(stored.get("body", ""), words)
        published = stored.get("published")
        hits.append(
            Hit(
                id=stored["id"],
                title=stored.get("title", ""),
                published=published.replace(tzinfo=dt.UTC) if published else None,
                source=stored.get("source", ""),
                url=stored.get("url", ""),
                score=float(hit.score or 0.0),
                snippet=snippet_text,
                highlights=spans,
            )
        )
    total = len(results)  # exact: the collector saw every match
    counted = compute_facets(searcher, recorded, specs, facet_limit) if specs else {}
    return Results(
        query=text,
        total=total,
        hits=tuple(hits),
        page=page,
        limit=limit,
        facets=counted,
        suggestion=suggest(searcher, q, text) if spelling else None,
    )


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


def _surface(searcher: Searcher, field: str, term: str) -> str | None:
    """A word as users write it, for an index term (which may be a stem)."""
    if field not in DEFAULT_FIELDS:
        return term  # names are indexed unstemmed
    docnums = searcher.docs_for_query(query.Term(field, term))
    docnum = next(iter(docnums), None)
    if docnum is None:
        return None
    text = searcher.stored_fields(docnum).get(field, "")
    for found in index_terms(text):
        if found.text == term:
            return normalize(text[found.start : found.end])
    return None


def suggest(searcher: Searcher, q: query.Query, text: str) -> str | None:
    """The query with each unknown word replaced by the most frequent near one.

    A word is unknown when none of the fields it searches holds it; candidates
    are index terms within one edit (two for words of five letters or more).
    Returns ``None`` when every word is known or nothing close exists.
    """
    reader = searcher.reader()
    # Suggestions are a courtesy: a query of a thousand unknown words gets none
    # rather than a thousand automaton walks (see MAX_SUGGEST_STEPS).
    budget = Budget(words=sys.maxsize, steps=MAX_SUGGEST_STEPS)
    try:
        return _suggest(searcher, reader, q, text, budget)
    except BudgetExceeded:
        return None


def _suggest(searcher: Searcher, reader: Any, q: query.Query, text: str, budget: Budget) -> str | None:
    spans: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for field, term, start, end in _words(q):
        spans.setdefault((start, end), []).append((field, term))
    fixes: list[tuple[int, int, str]] = []
    for (start, end), places in spans.items():
        if any(reader.doc_frequency(field, term) for field, term in places):
            continue
        best: tuple[int, int, str, str] | None = None  # (distance, -frequency, field, candidate)
        for distance in (1, 2) if len(text[start:end]) >= 5 else (1,):
            for field, term in places:
                fuzzy = query.FuzzyTerm(field, term, maxdist=distance, prefixlength=1)
                for candidate in expand(fuzzy, reader, budget=budget):
                    key = (distance, -reader.doc_frequency(field, candidate), field, candidate)
                    best = key if best is None or key < best else best
            if best:
                break
        if best and (word := _surface(searcher, best[2], best[3])):
            fixes.append((start, end, word))
    if not fixes:
        return None
    out = text
    for start, end, word in sorted(fixes, reverse=True):
        original = out[start:end]
        out = out[:start] + (word.capitalize() if original[:1].isupper() else word) + out[end:]
    return out if out != text else None


# -- more like this ----------------------------------------------------------


def more_like(searcher: Searcher, docnum: int, numterms: int = 12) -> query.Query:
    """An OR of the most distinctive words and names of one article.

    Words come from the title and body (weighted by Whoosh's Bo1 model); the
    article's people, organizations and places are added as whole names.
    """
    stored = searcher.stored_fields(docnum)
    parts: list[query.Query] = []
    for field in DEFAULT_FIELDS:
        value = stored.get(field, "")
        if value:
            for word, weight in searcher.key_terms_from_text(field, value, numterms=numterms):
                parts.append(query.Term(field, word, boost=weight))
    for field in ENTITY_FIELDS:
        for name in stored.get(field, "").splitlines()[:5]:
            words = list(searcher.schema[field].process_text(name, mode="query"))
            if len(words) > 1:
                parts.append(Phrase(field, words))
            elif words:
                parts.append(query.Term(field, words[0]))
    return query.Or(parts) if parts else query.NullQuery
