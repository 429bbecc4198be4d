"""Wildcard and fuzzy expansion over one in-memory word list per field, under a query-wide budget.

Whoosh expands a wildcard segment by segment, and one with a leading ``*`` by
matching a regular expression against every word of the on-disk word list: 50
OR'd ``*abq*`` took 14 s on Reuters-21578, 500 over two minutes. Here every
segment's in-memory word list (:func:`~newsindex._whoosh.columns.lexicon`) is
merged once per reader into one sorted list, also kept as one newline-joined
string, and

- a pattern with a literal prefix (``petro*``, ``ab?c*``) reads the slice of the
  sorted list that starts with it (two bisections);
- a leading wildcard (``*abq*``) looks for its longest literal with ``str.find``
  over the joined string, a C-speed scan (0.4 ms over Reuters' 51,000 body
  words), and checks only the words found;
- a fuzzy term runs Whoosh's Levenshtein automaton once over the merged list,
  not once per segment.

Every expansion spends from one :class:`Budget` per query: the words matched
(:data:`MAX_QUERY_WORDS`, what matching will read postings for) and the words
examined on the way (:data:`MAX_QUERY_STEPS`, what expansion itself costs).
Past either, expansion stops and :class:`BudgetExceeded` says which term
exhausted it, so no query of 10,000 characters runs for more than about a
second of expansion (see benchmarks/bench_worst_queries.py).
"""

from __future__ import annotations

import bisect
import fnmatch
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from whoosh import query
from whoosh.reading import IndexReader

from .columns import Automata, _reader_key, lexicon

__all__ = [
    "AUTOMATON_STEP",
    "MAX_QUERY_STEPS",
    "MAX_QUERY_WORDS",
    "Budget",
    "BudgetExceeded",
    "Vocabulary",
    "expand_term",
    "vocabulary",
]

# Words all wildcard and fuzzy terms of one query may match together (each
# copy over title and body counts). Matching reads postings for each word in
# each segment: 5,000 words took 1.9 s on Reuters-21578 (ten segments), so
# the budget is 3,000, about a second.
MAX_QUERY_WORDS = 3_000
# Work expansion may do for one query, in words examined: each word of a
# sorted slice read or a found candidate checked counts 1 (about 0.5 us); each
# step of the Levenshtein automaton counts AUTOMATON_STEP (about 15 us: 499
# distinct 6-letter ~2 terms made 380,000 steps, 12 s, before this budget).
# 1,000,000 is about half a second either way.
MAX_QUERY_STEPS = 1_000_000
AUTOMATON_STEP = 25
_MAX_CACHED = 8  # merged word lists kept (one per reader and field)


class BudgetExceeded(Exception):
    """A query's expansions ran past its budget; ``term`` is the one that did.

    ``what`` is "match" (words matched) or "examine" (words examined).
    """

    def __init__(self, what: str, limit: int, term: query.Query) -> None:
        super().__init__(f"expansions {what} more than {limit:,} words")
        self.what, self.limit, self.term = what, limit, term


class Budget:
    """The expansion work one query may still do."""

    def __init__(self, words: int = MAX_QUERY_WORDS, steps: int = MAX_QUERY_STEPS) -> None:
        self.word_limit, self.step_limit = words, steps
        self.words = self.steps = 0

    def spend_words(self, n: int, term: query.Query) -> None:
        self.words += n
        if self.words > self.word_limit:
            raise BudgetExceeded("match", self.word_limit, term)

    def spend_steps(self, n: int, term: query.Query) -> None:
        self.steps += n
        if self.steps > self.step_limit:
            raise BudgetExceeded("examine", self.step_limit, term)


class Vocabulary:
    """The sorted, distinct words of one field over all segments of a reader."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.text = "\n".join(words)
        # starts[i] is where words[i] begins in text: a found offset's word by bisection.
        self.starts: list[int] = []
        at = 0
        for word in words:
            self.starts.append(at)
            at += len(word) + 1

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """The slice of ``words`` that start with ``prefix``."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)
        return lo, hi

    def containing(self, literal: str) -> Iterator[int]:
        """Indexes of the words that contain ``literal`` (which holds no newline)."""
        find = self.text.find
        at = find(literal)
        while at != -1:
            i = bisect.bisect_right(self.starts, at) - 1
            yield i
            end = self.starts[i] + len(self.words[i])
            at = find(literal, end + 1)  # on to the next word


_cache: OrderedDict[tuple[tuple[str, ...], str], Vocabulary] = OrderedDict()
_lock = threading.Lock()


def vocabulary(reader: IndexReader, field: str) -> Vocabulary | None:
    """The merged word list of ``field``, cached for the reader's segments; ``None``
    when a segment's list cannot be kept in memory (then Whoosh's walk is used)."""
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    keys = tuple(_reader_key(leaf) or "" for leaf in leaves)
    if not all(keys):
        return None
    key = (keys, field)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    lists: list[list[str]] = []
    for leaf in leaves:
        words = lexicon(leaf, field)
        if words is None:
            return None
        lists.append(words)
    merged = sorted(set().union(*lists)) if len(lists) != 1 else list(lists[0])
    vocab = Vocabulary(merged)
    with _lock:
        _cache[key] = vocab
        while len(_cache) > _MAX_CACHED:
            _cache.popitem(last=False)
    return vocab


_WILD = re.compile(r"\[[^\]]*\]?|[*?]")  # what fnmatch treats as a wildcard


def _literals(pattern: str) -> tuple[str, str]:
    """A wildcard pattern's literal prefix, and its longest literal run."""
    runs = _WILD.split(pattern)
    return runs[0], max(runs, key=len)


class _CountingCursor:
    """Whoosh's automaton cursor over a sorted list, counting its steps against a budget."""

    def __init__(self, words: list[str], budget: Budget, term: query.Query) -> None:
        self._words, self._i, self._budget, self._term = words, 0, budget, term

    def text(self) -> str | None:
        return self._words[self._i] if self._i < len(self._words) else None

    def find(self, word: str) -> None:
        self._budget.spend_steps(AUTOMATON_STEP, self._term)
        self._i = bisect.bisect_left(self._words, word, self._i)


def _matches(vocab: Vocabulary, term: query.MultiTerm, budget: Budget) -> Iterable[str]:
    words = vocab.words
    if isinstance(term, query.FuzzyTerm):
        prefix = min(term.prefixlength, len(term.text))
        dfa = Automata.levenshtein_dfa(term.text, term.maxdist, prefix)
        return Automata.find_matches(dfa, _CountingCursor(words, budget, term))
    if isinstance(term, query.Prefix):
        lo, hi = vocab.prefixed(term.text)
        budget.spend_steps(hi - lo, term)
        return words[lo:hi]
    pattern = term.text
    match = re.compile(fnmatch.translate(pattern)).match
    prefix, literal = _literals(pattern)
    if prefix:
        lo, hi = vocab.prefixed(prefix)
        budget.spend_steps(hi - lo, term)
        candidates: Iterable[str] = words[lo:hi]
    elif literal:
        candidates = _spending((words[i] for i in vocab.containing(literal)), budget, term)
    else:  # "*?*": every word is a candidate
        budget.spend_steps(len(words), term)
        candidates = words
    return (word for word in candidates if match(word))


def _spending(words: Iterator[str], budget: Budget, term: query.Query) -> Iterator[str]:
    for word in words:
        budget.spend_steps(1, term)
        yield word


def _walk(term: query.MultiTerm, reader: IndexReader, budget: Budget) -> Iterator[str]:
    """Whoosh's own expansion, segment by segment: for readers whose words are not in memory."""
    for leaf, _ in reader.leaf_readers():
        for word in term._btexts(leaf):
            budget.spend_steps(1, term)
            yield word.decode("utf-8") if isinstance(word, bytes) else word


def expand_term(term: query.MultiTerm, reader: IndexReader, limit: int, budget: Budget) -> set[str]:
    """The words ``term`` matches, stopping past ``limit`` (the caller refuses more);
    raises :class:`BudgetExceeded` when the query's budget runs out."""
    # Ranges of words (id:<0, title:[a TO c]) and any other kind: Whoosh's own walk.
    known = isinstance(term, query.FuzzyTerm | query.Prefix | query.Wildcard)
    vocab = vocabulary(reader, term.fieldname) if known else None
    found: set[str] = set()
    for word in _matches(vocab, term, budget) if vocab is not None else _walk(term, reader, budget):
        found.add(word)
        if len(found) > limit:
            return found  # too many for one term: the caller says so, naming it
    budget.spend_words(len(found), term)
    return found
