"""Snippets: the one or two passages of a body that best show why it matched.

Whoosh's highlighter re-analyzes the body through a chain of per-token
generators and marks a phrase's words wherever they occur. Here the body is
analyzed once with the index's own terms, a phrase's words are marked only
where they form the phrase, and the densest passages are kept.

>>> words = query_words(query.Phrase("body", ["ballist", "missil"]))
>>> text, spans = snippet("Missiles were shown. Ballistic missiles were tested.", words)
>>> [text[s:e] for s, e in spans]
['Ballistic', 'missiles']
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
from whoosh import query

from ._analysis import Term, index_terms
from ._whoosh import Words

__all__ = ["SNIPPET_CHARS", "QueryWords", "lead", "query_words", "snippet"]

SNIPPET_CHARS = 240  # the most one passage shows
SURROUND = 80  # context kept before the first match of a passage
FRAGMENTS = 2
BETWEEN = " … "
Span = tuple[int, int]


@attrs.frozen(slots=True)
class QueryWords:
    """What to mark in a field: single words, and phrases as ``(words, slop)``."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[tuple[str, ...], int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def _positive(q: query.Query) -> Iterator[query.Query]:
    """Leaves and phrases of ``q`` outside any negation."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _positive(q.a)
    elif isinstance(q, query.Phrase) or q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _positive(child)


def query_words(q: query.Query, field: str = "body") -> QueryWords:
    """The words and phrases of ``q`` that search ``field``.

    Wildcard and fuzzy terms mark nothing until
    :func:`~newsindex._query.expand_multiterms` has turned them into :class:`~newsindex._query.Words`.
    """
    words: set[str] = set()
    phrases: list[tuple[tuple[str, ...], int]] = []
    for node in _positive(q):
        if getattr(node, "fieldname", None) != field:
            continue
        if isinstance(node, query.Phrase):
            phrases.append((tuple(node.words), node.slop))
        elif isinstance(node, Words):
            words.update(node.words)
        elif isinstance(node, query.Term):
            words.add(node.text)
    return QueryWords(frozenset(words), tuple(phrases))


def _phrase_marks(terms: list[Term], words: tuple[str, ...], slop: int) -> Iterator[Term]:
    """Terms that take part in some occurrence of the phrase: the words in order,
    each next one 1..slop positions after the previous."""

    def follows(later: Term, earlier: Term) -> bool:
        return 1 <= later.pos - earlier.pos <= slop

    # Forward: occurrences of each word reachable from a start of the phrase.
    reach = [[t for t in terms if t.text == words[0]]]
    for word in words[1:]:
        before = reach[-1]
        reach.append([t for t in terms if t.text == word and any(follows(t, p) for p in before)])
        if not reach[-1]:
            return
    # Backward: keep only those that also lead on to a complete phrase.
    keep = reach[-1]
    yield from keep
    for layer in reversed(reach[:-1]):
        keep = [p for p in layer if any(follows(t, p) for t in keep)]
        yield from keep


def lead(body: str) -> str:
    """The start of the body, cut at a word boundary, when no words matched."""
    text = " ".join(body.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _bounds(text: str, first: int, last: int) -> Span:
    """A passage around matches spanning ``[first, last)``, cut at spaces."""
    start = max(0, first - SURROUND)
    end = min(len(text), max(start + SNIPPET_CHARS, last))
    if start > 0:
        cut = text.find(" ", start, first)
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", last, end)
        end = cut if cut != -1 else end
    return start, end


def snippet(body: str, words: QueryWords) -> tuple[str, tuple[Span, ...]]:
    """The best passages of ``body`` for ``words``, and the offsets of the marks in it.

    Falls back to :func:`lead` (with no marks) when nothing in the body matched.
    """
    if not words or not body:
        return lead(body), ()
    terms = index_terms(body, stops=False)  # as indexed: a phrase's stop words have positions
    marked = {(t.start, t.end): t.text for t in terms if t.text in words.words}
    for phrase, slop in words.phrases:
        marked.update(((t.start, t.end), t.text) for t in _phrase_marks(terms, phrase, slop))
    if not marked:
        return lead(body), ()
    marks = sorted(marked)
    # Group marks into windows narrow enough to show with context, then keep
    # the windows with the most distinct words (then the most marks).
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(marks):
        j = i
        while j + 1 < len(marks) and marks[j + 1][1] - marks[i][0] <= SNIPPET_CHARS - 2 * SURROUND:
            j += 1
        windows.append((i, j))
        i = j + 1

    def score(window: tuple[int, int]) -> tuple[int, int, int]:
        i, j = window
        return (len({marked[m] for m in marks[i : j + 1]}), j - i + 1, -i)

    best = sorted(sorted(windows, key=score, reverse=True)[:FRAGMENTS])
    passages: list[Span] = []
    for i, j in best:
        start, end = _bounds(body, marks[i][0], marks[j][1])
        if passages and start < passages[-1][1]:  # close together: one passage
            passages[-1] = (passages[-1][0], max(end, passages[-1][1]))
        else:
            passages.append((start, end))
    pieces: list[str] = []
    spans: list[Span] = []
    length = 0
    for start, end in passages:
        if pieces:
            pieces.append(BETWEEN)
            length += len(BETWEEN)
        elif start > 0:
            pieces.append("… ")
            length += 2
        piece, where = _squeeze(body, start, end)
        inside = (m for m in marks if start <= m[0] and m[1] <= end)
        spans.extend((length + where[s - start], length + where[e - start]) for s, e in inside)
        pieces.append(piece)
        length += len(piece)
    if passages[-1][1] < len(body.rstrip()):
        pieces.append(" …")
    return "".join(pieces), tuple(spans)


def _squeeze(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """``text[start:end]`` with each run of whitespace as one space, and where
    each original offset (relative to ``start``, end inclusive) lands in it."""
    out: list[str] = []
    where: list[int] = []
    blank = False
    for char in text[start:end]:
        where.append(len(out))
        if char.isspace():
            if not blank:
                out.append(" ")
            blank = True
        else:
            out.append(char)
            blank = False
    where.append(len(out))
    return "".join(out), where
