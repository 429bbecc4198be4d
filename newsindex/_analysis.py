"""Text analysis: NLTK tokenization, normalization, stop words and stemming.

Every article is tokenized once. The token spans serve two consumers: the entity
extractor (which wants original-case tokens grouped in sentences) and the index
(which wants normalized, stemmed terms with positions for phrase search).

>>> [t.text for t in index_terms("Kim’s ballistic missiles")]
['kim', 'ballist', 'missil']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import regex
from nltk.stem.snowball import EnglishStemmer
from nltk.tokenize import RegexpTokenizer
from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
    load_punkt_params,
)
from whoosh.analysis import Analyzer, Token

__all__ = [
    "STOP_WORDS",
    "NameAnalyzer",
    "NewsAnalyzer",
    "Term",
    "index_terms",
    "index_words",
    "name_terms",
    "name_words",
    "normalize",
    "sentence_spans",
    "tokenize",
    "word_spans",
]

Span = tuple[int, int]

# Treebank/CoNLL conventions in one regular expression: "U.S." stays whole,
# possessives and clitics split off ("Kim’s" -> "Kim", "’s"), hyphenated names
# stay whole ("Soo-suk"), every other symbol is its own token. A regexp
# tokenizer is about 3x faster than NLTK's word_tokenize on news text
# (see benchmarks/) and gives exact character spans.
_CLITIC = r"(?:[sS]|[rR][eE]|[vV][eE]|[lL][lL]|[dD]|[mM]|[tT])\b"
_TITLES = r"(?:Mr|Mrs|Ms|Dr|Gov|Gen|Sen|Rep|Sgt|Capt|Col|Lt|Prof|Rev|St|Jr|Sr|Inc|Corp|Ltd|Co)"
TOKEN_PATTERN = rf"""
    {_TITLES}\.(?!\w)                            # titles: Mr. Gov. Inc.
  | (?:[^\W\d_]\.){{2,}}                        # abbreviations: U.S. U.N.
  | \d+(?:[.,:/]\d+)*(?:-\w+)*                  # numbers, dates, 18-month
  | ['’]{_CLITIC}                               # clitics: 's 're 't
  | \w+(?:(?:-|&|['’](?!{_CLITIC}))\w+)*        # words: Soo-suk, AT&T, O'Brien
  | [^\w\s\x1c-\x1f]                             # any other symbol (str.isspace agrees)
"""
# NLTK's RegexpTokenizer with this pattern gives the same tokens, but NLTK 3.10
# routes every match through a ReDoS guard that costs ~15% of indexing time.
# The pattern is linear (every repetition needs a separator), so we run the
# compiled expression directly; tests/test_analysis.py checks the two agree.
word_tokenizer = RegexpTokenizer(TOKEN_PATTERN, flags=re.VERBOSE | re.UNICODE)
# What we compile finds the same tokens faster (tests check it against NLTK's
# tokenizer); a token is group 1. `\s*+` skips the whitespace before a token inside
# the match, where the search would try all six alternatives at each blank, and
# gives nothing back (no token starts with whitespace). A run of ASCII letters
# followed by none of `\w . - & ' ’` can only be a plain word (titles and
# abbreviations need a period, longer words a joiner), so it is tried first.
# Spans of a Reuters article: 0.047 instead of 0.075 ms (tokenize: 0.129 instead of 0.154).
_FAST_PATTERN = rf"\s*+( [A-Za-z]+(?![\w.\-&'’]) | {TOKEN_PATTERN})"
# NLTK compiles with the `regex` module (an NLTK dependency), whose Unicode
# tables are newer than `re`'s; so do we, so the two agree on every character.
_TOKEN_RE = regex.compile(_FAST_PATTERN, regex.VERBOSE | regex.UNICODE)
# On ASCII text the standard `re` matches the same (the classes the pattern uses,
# \w, \d and [^\w\s\x1c-\x1f], agree on all 128 characters; a test checks) and is
# faster: tokenizing took 0.067 instead of 0.088 ms per Reuters article (all ASCII).
_ASCII_TOKEN_RE = re.compile(_FAST_PATTERN, re.VERBOSE)

# Typographic quotes map one character to one character, so offsets survive.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "′": "'"})

# A small built-in list, so the index never depends on what NLTK data a machine
# has. Deliberately absent: "us" (U.S.), "may" (the month), "who" (WHO).
STOP_WORDS = frozenset(
    """a about after all also an and any are as at be been before being but by can could
    did do does doing for from had has have having he her here hers him his how i if in
    into is it its itself me more most my no nor not of off on once only or other our
    ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when
    where which while whom why will with would you your yours
    """.split()
)

_MAX_TERM = 64  # longer "words" are noise (base64, URLs) and bloat the lexicon
_stem = functools.lru_cache(maxsize=1 << 16)(EnglishStemmer().stem)


# Without NLTK's trained Punkt model, Punkt still needs to know the titles and
# abbreviations of news prose, or "Gov. Oleg Kozhemyako" ends a sentence.
_ABBREVIATIONS = """adm brig capt cmdr col corp dept dr gen gov inc jr lt ltd maj messrs mr mrs ms no
    prof rep rev sen sgt sr st supt u.k u.n u.s vs jan feb mar apr aug sep sept oct nov
    dec
""".split()
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


# NLTK 3.10 runs each of Punkt's own patterns under a ReDoS timeout, which makes a
# short match 4-5x slower: deciding a new candidate break took 19 µs instead of 9.7,
# and splitting 10,000 Reuters articles 0.134 ms an article instead of 0.084 (cold
# caches). Punkt's patterns are NLTK's own, fixed and without nested repetition (no
# catastrophic backtracking), so we give Punkt the same patterns compiled as they
# are, through its extension points: the language variables and the token class
# (a test checks that it splits as stock Punkt).
def _untimed(pattern: Any) -> regex.Pattern[str]:
    """The ``regex`` pattern an NLTK ``redos`` pattern runs, without its timeout."""
    return regex.compile(pattern.pattern, pattern.flags)


class _PunktLanguageVars(PunktLanguageVars):
    """Punkt's English language variables, their patterns untimed."""

    __slots__ = ()
    re_boundary_realignment = _untimed(PunktLanguageVars.re_boundary_realignment)
    _word_re = _untimed(PunktLanguageVars()._word_tokenizer_re())
    _period_context_re = _untimed(PunktLanguageVars().period_context_re())

    def _word_tokenizer_re(self) -> regex.Pattern[str]:
        return self._word_re

    def period_context_re(self) -> regex.Pattern[str]:
        return self._period_context_re


class _PunktToken(PunktToken):
    """Punkt's token, its patterns untimed."""

    __slots__ = ()
    _RE_ELLIPSIS = _untimed(PunktToken._RE_ELLIPSIS)
    _RE_NUMERIC = _untimed(PunktToken._RE_NUMERIC)
    _RE_INITIAL = _untimed(PunktToken._RE_INITIAL)
    _RE_ALPHA = _untimed(PunktToken._RE_ALPHA)


@functools.cache
def _sentence_tokenizer() -> PunktSentenceTokenizer:
    """NLTK's trained Punkt model when installed, else Punkt with our abbreviations."""
    params: PunktParameters
    try:
        from nltk.data import find

        # What PunktTokenizer("english") loads, for a tokenizer built with our classes.
        params = load_punkt_params(find("tokenizers/punkt_tab/english/"))
    except (LookupError, OSError, ValueError):
        params = PunktParameters()
        params.abbrev_types = set(_ABBREVIATIONS)
    punkt = PunktSentenceTokenizer(params, lang_vars=_PunktLanguageVars(), token_cls=_PunktToken)
    # Punkt decides each candidate break from a short context ("Corp. said"), a pure
    # function of that string once the parameters are set; news repeats them (35% of
    # 39,000 candidates over 8,000 Reuters articles), and deciding is most of Punkt's
    # time: sentence splitting took 1.33 s instead of 1.62-1.79 s with this cache.
    punkt.text_contains_sentbreak = functools.lru_cache(maxsize=1 << 16)(punkt.text_contains_sentbreak)
    return punkt


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences in ``text`` (NLTK Punkt)."""
    spans: list[Span] = []
    punkt = _sentence_tokenizer()
    # Punkt reads across blank lines; a headline or paragraph never continues
    # into the next one, so split there first.
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text + "\n\n"):
        end = min(match.start(), len(text))
        if text[start:end].strip():
            spans.extend((start + s, start + e) for s, e in punkt.span_tokenize(text[start:end]))
        start = match.end()
    return spans


def _token_pattern(text: str) -> re.Pattern[str] | regex.Pattern[str]:
    """The token pattern to run over ``text``: standard ``re`` on ASCII (``isascii()`` is O(1))."""
    return _ASCII_TOKEN_RE if text.isascii() else _TOKEN_RE


def word_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Character spans of the word tokens of ``text[start:end]``, as offsets in ``text``."""
    return [m.span(1) for m in _token_pattern(text).finditer(text, start, len(text) if end is None else end)]


def tokenize(text: str) -> list[list[Span]]:
    """Sentences of token spans: the single tokenization shared by entities and index.

    >>> text = "Kim met Putin. He left."
    >>> [[text[s:e] for s, e in sent] for sent in tokenize(text)]
    [['Kim', 'met', 'Putin', '.'], ['He', 'left', '.']]
    """
    finditer = _token_pattern(text).finditer  # word_spans, inlined: one choice per text
    return [[m.span(1) for m in finditer(text, s, e)] for s, e in sentence_spans(text)]


def normalize(token: str) -> str:
    """Unicode-normalize, straighten quotes and case-fold one token."""
    if not token.isascii():
        token = unicodedata.normalize("NFKC", token).translate(_QUOTES)
    return token.lower()


class Term(NamedTuple):
    """One indexed term: its text, position and character span in the source.

    A NamedTuple rather than an attrs class: millions are made while indexing.
    """

    text: str
    pos: int
    start: int
    end: int


def _parts(word: str) -> list[str]:
    """Split a normalized token into indexable parts (or none for punctuation)."""
    if word[0] == "'" or not any(c.isalnum() for c in word):
        return []  # clitics and punctuation carry no meaning in search
    if "." in word and word.replace(".", "").isalpha():
        return [word.replace(".", "")]  # U.S. -> us
    if "-" in word:
        return [p for p in word.split("-") if p]
    return [word]


# Each distinct token is normalized, stopped and stemmed once per process: news
# vocabulary is small next to its running text, so these caches hit >95%.
# The hottest, index_words', is a plain dict emptied when full: a hit is one dict
# lookup, where an lru_cache also moves the entry to the front of its list.
_STEMMED: dict[str, tuple[str, ...]] = {}
_STEMMED_MAX = 1 << 17


def _stemmed_parts(token: str) -> tuple[str, ...]:
    parts = _STEMMED.get(token)
    if parts is None:
        if len(_STEMMED) >= _STEMMED_MAX:
            _STEMMED.clear()
        parts = tuple(_stem(p) if p.isalpha() else p for p in _parts(normalize(token)) if len(p) <= _MAX_TERM)
        _STEMMED[token] = parts
    return parts


@functools.lru_cache(maxsize=1 << 16)
def _index_parts(token: str) -> tuple[str, ...]:
    return tuple(
        _stem(p) if p.isalpha() else p for p in _parts(normalize(token)) if len(p) <= _MAX_TERM and p not in STOP_WORDS
    )


@functools.lru_cache(maxsize=1 << 16)
def _name_parts(token: str) -> tuple[str, ...]:
    return tuple(p for p in _parts(normalize(token)) if len(p) <= _MAX_TERM)


def _terms(text: str, spans: Iterable[Span], parts: Callable[[str], tuple[str, ...]], shift: int = 0) -> list[Term]:
    terms: list[Term] = []
    pos = 0
    for start, end in spans:
        for part in parts(text[start:end]):
            terms.append(Term(part, pos, start - shift, end - shift))
            pos += 1
    return terms


def index_terms(text: str, spans: Iterable[Span] | None = None, *, stops: bool = True, shift: int = 0) -> list[Term]:
    """Stemmed, stop-word-free terms of ``text`` for the title and body fields.

    ``spans`` are token spans from :func:`tokenize` when the caller has them;
    ``shift`` is subtracted from them (when ``text`` is a slice of what was
    tokenized).
    """
    if spans is None:
        spans = word_spans(text)
    return _terms(text, spans, _index_parts if stops else _stemmed_parts, shift)


def index_words(text: str, spans: Iterable[Span]) -> list[str]:
    """The words indexed for the title and body, in order, stop words included.

    The texts of ``index_terms(text, spans, stops=False)`` without positions or
    spans: the indexing hot path, where Whoosh numbers a sequence of words
    itself. Stop words are indexed so that a phrase matches the words as
    written (``"bank of england"`` is not ``"bank england"``); queries drop them
    outside phrases, so ``the`` alone still matches nothing.
    """
    words: list[str] = []
    cached = _STEMMED.get
    for start, end in spans:
        token = text[start:end]
        parts = cached(token)
        words += _stemmed_parts(token) if parts is None else parts
    return words


NAME_GAP = 100  # positions between two names, so no phrase spans the join


def name_terms(text: str) -> list[Term]:
    """Terms of names, one per line (no stemming, no stop words).

    >>> [(t.text, t.pos) for t in name_terms("Kim Jong Un\\nPutin")]
    [('kim', 0), ('jong', 1), ('un', 2), ('putin', 102)]
    """
    terms: list[Term] = []
    offset = pos = 0
    for line in text.split("\n"):
        for term in _terms(line, word_spans(line), _name_parts):
            terms.append(Term(term.text, pos + term.pos, offset + term.start, offset + term.end))
        if terms:
            pos = terms[-1].pos + NAME_GAP
        offset += len(line) + 1
    return terms


# Names recur across articles ("United States", "Reuters") far more than running
# text does, so a name's words are cached whole: the bulk writer's name fields cost
# 0.067 ms an article through name_terms, 0.043 through name_words (10,000 Reuters
# articles, cold caches included).
@functools.lru_cache(maxsize=1 << 14)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(part for start, end in word_spans(name) for part in _name_parts(name[start:end]))


def name_words(text: str) -> tuple[list[str], list[int]]:
    """The texts and positions of :func:`name_terms`, without the character spans.

    >>> name_words("Kim Jong Un\\nPutin")
    (['kim', 'jong', 'un', 'putin'], [0, 1, 2, 102])
    """
    words: list[str] = []
    positions: list[int] = []
    pos = 0
    for line in text.split("\n"):
        if parts := _name_words(line):
            words += parts
            positions += range(pos, pos + len(parts))
            pos += len(parts) - 1 + NAME_GAP
    return words, positions


class _TermAnalyzer(Analyzer):
    """Adapts a term function to Whoosh's analyzer protocol.

    Whoosh pickles analyzers into the index's schema, so these classes hold no
    state: the caches live at module level.
    """

    def _terms(self, value: str, removestops: bool) -> Sequence[Term]:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = self._terms(value, removestops) if tokenize else [Term(value, 0, 0, len(value))]
        for term in terms:
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class NewsAnalyzer(_TermAnalyzer):
    """Whoosh analyzer for article text: NLTK tokens, stop words, Snowball stems."""

    def _terms(self, value: str, removestops: bool) -> Sequence[Term]:
        return index_terms(value, stops=removestops)


class NameAnalyzer(_TermAnalyzer):
    """Whoosh analyzer for entity names: lowercase words, nothing removed or stemmed."""

    def _terms(self, value: str, removestops: bool) -> Sequence[Term]:
        return name_terms(value)
