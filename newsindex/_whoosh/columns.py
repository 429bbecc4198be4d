"""In-memory copies of per-segment columns and word lists, for date ranges, facets and fuzzy terms.

Whoosh answers a date range by expanding it into hundreds of numeric trie
terms, and reads a column value by value; for ``published:1987-03`` or facets
over ten thousand matches that dominated query time. A segment's columns never
change once written (deletions are kept apart), so each is read once into
plain lists and kept for as long as the segment's reader is open (Whoosh opens
new readers after each commit).

A date range then costs two binary searches and a sort of the matching
document numbers; a facet count is one pass over them. Word lists, for fuzzy
terms and "did you mean", are kept under a budget of words, not entries.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from whoosh.codec.base import Automata
from whoosh.reading import IndexReader

__all__ = [
    "NO_DATE",
    "cached",
    "date_order",
    "date_values",
    "doc_ids",
    "lexicon",
    "names",
    "split_by_segment",
    "terms_within",
]

NO_DATE = 2**64 - 1  # the column value of an undated document (Whoosh's default)
MAX_CACHED = 512  # (reader, field, kind) entries kept; old ones fall out
T = TypeVar("T")

_cache: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
_lock = threading.Lock()


_serial = itertools.count()


def _reader_key(reader: IndexReader) -> str | None:
    """A cache key for one open segment reader, or ``None`` for other readers.

    Not the segment id alone: Whoosh draws it from the global ``random``, so two
    indexes built after the same ``random.seed()`` share ids. Whoosh opens new
    readers after every commit, so a reader's segment never changes under it,
    and its entries are dropped when the reader is garbage-collected.
    """
    if not callable(getattr(reader, "segment", None)):
        return None
    key: str | None = getattr(reader, "_newsindex_key", None)
    if key is None:
        key = f"{reader.segment().segment_id()}#{next(_serial)}"
        try:
            reader._newsindex_key = key
        except AttributeError:
            return None
        weakref.finalize(reader, _forget, key)
    return key


def _forget(key: str) -> None:
    with _lock:
        for entry in [entry for entry in _cache if entry[0] == key]:
            del _cache[entry]
    _word_lists.forget(key)


def _memo(reader: IndexReader, field: str, kind: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per segment, field and kind, while the reader lives (an LRU
    of at most :data:`MAX_CACHED` entries; a reader without a segment is not cached)."""
    owner = _reader_key(reader)
    key = (owner or "", field, kind)
    if owner is not None:
        with _lock:
            if key in _cache:
                _cache.move_to_end(key)
                found: T = _cache[key]
                return found
    value = compute()
    if owner is not None:
        with _lock:
            _cache[key] = value
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    return value


def cached(reader: IndexReader, field: str, kind: str, build: Callable[[list[Any]], T]) -> T | None:
    """``build(raw column values)`` for one segment's column, computed once.

    ``None`` when the segment has no such column (an index from before the
    column existed).
    """
    if not reader.has_column(field):
        return None
    return _memo(reader, field, kind, lambda: build(list(reader.column_reader(field, translate=False))))


def doc_ids(reader: IndexReader) -> list[str]:
    """The article id of each document of one segment (deleted ones included), read once.

    From the ``id`` field's word list: each id is one term whose lowest
    document is the article (a segment holds an id once; a merge drops
    deleted copies). Ranking uses it to order equal scores by id.
    """

    def read() -> list[str]:
        ids = [""] * reader.doc_count_all()
        for text, info in reader.iter_field("id"):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            if info.doc_frequency() == 1:
                ids[info.min_id()] = word
            else:  # the same id twice in one segment: every copy gets it
                for docnum in reader.postings("id", text).all_ids():
                    ids[docnum] = word
        return ids

    return _memo(reader, "id", "ids", read)


def date_order(reader: IndexReader, field: str) -> tuple[Sequence[int], Sequence[int]] | None:
    """The segment's dated documents as ``(values, docnums)``, sorted by value
    (compact arrays: 12 bytes a document)."""

    def build(values: list[int]) -> tuple[Sequence[int], Sequence[int]]:
        pairs = sorted((v, d) for d, v in enumerate(values) if v != NO_DATE)
        return array("Q", [v for v, _ in pairs]), array("I", [d for _, d in pairs])

    return cached(reader, field, "date_order", build)


def date_values(reader: IndexReader, field: str) -> list[int]:
    """The distinct dates of every document of ``reader`` (deleted ones included, as
    a word list lists them), sorted: the date field's terms, which it no longer indexes."""
    values: set[int] = set()
    for leaf, _ in reader.leaf_readers():
        order = date_order(leaf, field)
        if order is not None:
            values.update(order[0])
    return sorted(values)


def names(reader: IndexReader, field: str) -> list[tuple[str, ...]] | None:
    """Each document's distinct names (the column holds one per line)."""
    interned: dict[Any, Any] = {}  # one object per distinct name and per distinct list of names

    def build(values: list[bytes]) -> list[tuple[str, ...]]:
        out = []
        for value in values:
            text = value.decode("utf-8") if isinstance(value, bytes) else str(value or "")
            found = dict.fromkeys(n.strip() for n in text.split("\n"))
            names = tuple(interned.setdefault(n, n) for n in found if n)
            out.append(interned.setdefault(names, names))
        return out

    return cached(reader, field, "names", build)


MAX_LEXICON_WORDS = 1_000_000  # words kept in memory over all cached word lists (~70 MB)


class _WordLists:
    """An LRU of word lists bounded by the total number of words they hold."""

    def __init__(self, budget: int) -> None:
        self.budget, self.words = budget, 0
        self.lists: OrderedDict[tuple[str, str], list[str]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> list[str] | None:
        with _lock:
            found = self.lists.get(key)
            if found is not None:
                self.lists.move_to_end(key)
            return found

    def forget(self, owner: str) -> None:
        with _lock:
            for key in [key for key in self.lists if key[0] == owner]:
                self.words -= len(self.lists.pop(key))

    def put(self, key: tuple[str, str], words: list[str]) -> None:
        with _lock:
            if key not in self.lists:
                self.lists[key] = words
                self.words += len(words)
            while self.words > self.budget:
                _, dropped = self.lists.popitem(last=False)
                self.words -= len(dropped)


_word_lists = _WordLists(MAX_LEXICON_WORDS)


def lexicon(reader: IndexReader, field: str) -> list[str] | None:
    """The segment's words in ``field``, sorted, kept in memory.

    ``None`` when the segment cannot be cached, or holds more than a quarter of
    the budget: the caller then walks the on-disk word list instead.
    """
    owner = _reader_key(reader)
    if owner is None:
        return None
    key = (owner, field)
    words = _word_lists.get(key)
    if words is not None:
        return words
    words = []
    for word in reader.lexicon(field):
        words.append(word.decode("utf-8") if isinstance(word, bytes) else word)
        if len(words) > _word_lists.budget // 4:
            return None
    _word_lists.put(key, words)
    return words


class _ListCursor:
    """The part of Whoosh's term cursor that its automaton search uses, over a list."""

    def __init__(self, words: list[str]) -> None:
        self._words, self._i = words, 0

    def text(self) -> str | None:
        return self._words[self._i] if self._i < len(self._words) else None

    def find(self, word: str) -> None:
        self._i = bisect.bisect_left(self._words, word, self._i)


def terms_within(reader: IndexReader, field: str, text: str, maxdist: int, prefix: int = 0) -> Iterator[str]:
    """One segment's words within ``maxdist`` edits of ``text`` that share its first
    ``prefix`` letters: Whoosh's automaton, run over the in-memory word list.

    Whoosh walks the on-disk word list, a binary search of file reads per step
    (about 3 ms a segment for ``refinry~``); in memory it is a bisection.
    """
    prefix = min(prefix, len(text))  # Whoosh's automaton fails on a longer prefix
    spell = reader.schema[field].spelling_fieldname(field)
    words = lexicon(reader, spell)
    if words is None:
        yield from reader.terms_within(field, text, maxdist, prefix=prefix)
        return
    dfa = Automata.levenshtein_dfa(text, maxdist, prefix)
    yield from Automata.find_matches(dfa, _ListCursor(words))


def split_by_segment(reader: IndexReader, docnums: Sequence[int]) -> Iterable[tuple[IndexReader, list[int]]]:
    """Sorted global document numbers, grouped by segment as segment-local numbers."""
    leaves = reader.leaf_readers()
    for i, (leaf, offset) in enumerate(leaves):
        end = leaves[i + 1][1] if i + 1 < len(leaves) else offset + leaf.doc_count_all()
        lo, hi = bisect.bisect_left(docnums, offset), bisect.bisect_left(docnums, end)
        if lo < hi:
            yield leaf, [d - offset for d in docnums[lo:hi]]
