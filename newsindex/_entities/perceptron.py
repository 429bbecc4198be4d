"""Compact averaged-perceptron sequence tagger used by :mod:`newsindex._entities`.

Private module.  It holds everything the shipped model needs at run time:

* feature extraction (shared with :mod:`newsindex._entities.training`, so training
  and inference can never drift apart), including word classes and gazetteer flags
  (:class:`Lexicon`, shipped inside the model file),
* the weight container with its per-word-type score cache,
* left-to-right decoding over BILOU tags with hard constraints: beam search for the
  shipped (beam-trained) model, greedy for a model trained greedily,
* loading and saving the model as gzipped JSON (never pickle).

Design
------
Almost every feature is a function of *one token type at a fixed offset*
(-2..+2) from the token being tagged: its word form, lowercase form, shape,
prefixes/suffixes, capitalisation class.  For each word type we therefore
precompute, once, the summed per-label score it contributes at every offset
(``_TypeEntry``) and cache it.  Tagging a token is then a handful of tuple
additions plus three kinds of cheap non-local features:

* the previous two predicted tags (transition features),
* a document-level casing profile of the word (does it also appear in lower
  case, or title-cased mid-sentence, elsewhere in the same article?  This is
  what makes ALL-CAPS headlines tractable),
* the label most recently predicted for the same word earlier in the article
  ("extended prediction history").

Usage::

    >>> model = Model.load(default_model_path())            # doctest: +SKIP
    >>> model.tag_document([["Vladimir", "Putin", "met", "Kim", "."]])  # doctest: +SKIP
    [['B-PER', 'L-PER', 'O', 'U-PER', 'O']]
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, islice, pairwise, repeat
from operator import add, itemgetter
from pathlib import Path

__all__ = [
    "ALLOWED",
    "BOS",
    "CLOSED",
    "EOS",
    "FORMAT",
    "NTAGS",
    "START",
    "STARTS",
    "TAGS",
    "TYPE_OF_TAG",
    "Lexicon",
    "Model",
    "capitalised",
    "default_model_path",
    "doc_feature",
    "doc_profile",
    "iob_spans",
    "normalize_token",
    "to_bilou",
    "type_features",
]

#: /3: weights trained for beam search; the file says how many hypotheses to keep.
FORMAT = "newsindex-ner-perceptron/3"

#: BILOU tag set, in score-vector order: B(egin), I(nside), L(ast) of a multi-word name,
#: U(nit) for a one-word name.  Ratinov & Roth (2009) measured BILOU above IOB for
#: greedy news NER; here it added about +0.3 F1 on the dev split.
ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")
TAGS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in ENTITY_TYPES for p in "BILU"))
NTAGS = len(TAGS)
TYPE_OF_TAG: tuple[str, ...] = tuple(t[2:] if t != "O" else "O" for t in TAGS)
#: Tags that begin a name (after O, L-, U- or at sentence start only these or O may come).
STARTS: tuple[int, ...] = tuple(k for k, t in enumerate(TAGS) if t[:2] in ("B-", "U-"))
#: Tags after which a name is closed: O, L-X, U-X (and sentence start, index NTAGS).
CLOSED: tuple[bool, ...] = (*(t == "O" or t[:2] in ("L-", "U-") for t in TAGS), True)

# Allowed transitions: after B-X or I-X only I-X or L-X; elsewhere only O, B-, U-.
ALLOWED = tuple(
    tuple(
        (cur == "O" or cur[:2] in ("B-", "U-"))
        if CLOSED[p]
        else (cur[:2] in ("I-", "L-") and cur[2:] == TYPE_OF_TAG[p])
        for cur in TAGS
    )
    for p in range(NTAGS + 1)  # last row: sentence start
)
START = NTAGS  # pseudo tag index for "before the sentence"
_NEG = -1e9

BOS = "<S>"
EOS = "</S>"

_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)

_DIGITS = re.compile(r"\d")


def default_model_path() -> Path:
    """Path of the model file shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "data" / "entities.json.gz"


def normalize_token(tok: str) -> str:
    """Map typographic quotes and dashes to ASCII, and Treebank quotes to ``"``.

    >>> normalize_token("Kim\u2019s"), normalize_token("\u2019s"), normalize_token("``")
    ("Kim's", "'s", '"')
    """
    tok = tok.translate(_QUOTES)
    if tok == "``" or tok == "''":
        return '"'
    return tok


# For ASCII the character classes of _shape are exactly A-Z, a-z and 0-9, so one
# str.translate gives the same shape about 5x faster than the per-character loop.
_ASCII_SHAPE = str.maketrans(
    {
        **dict.fromkeys(map(chr, range(65, 91)), "X"),
        **dict.fromkeys(map(chr, range(97, 123)), "x"),
        **dict.fromkeys("0123456789", "d"),
    }
)


def _shape(word: str) -> str:
    if word.isascii():
        return word.translate(_ASCII_SHAPE)
    out = []
    for ch in word:
        if ch.isupper():
            out.append("X")
        elif ch.islower():
            out.append("x")
        elif ch.isdigit():
            out.append("d")
        else:
            out.append(ch)
    return "".join(out)


def _short_shape(long_shape: str) -> str:
    out = []
    last = ""
    for ch in long_shape:
        if ch != last:
            out.append(ch)
            last = ch
    return "".join(out)


def _case_class(word: str) -> str:
    if word.isascii():
        # An ASCII word that is upper or lower has a letter: skip the scan for one.
        # (Not for all Unicode: "\u24b6".isupper() holds, though it is no letter.)
        if word.isupper():
            return "U" if len(word) > 1 else "T"
        if word.islower():
            return "l"
    if not any(ch.isalpha() for ch in word):
        return "n" if any(ch.isdigit() for ch in word) else "p"
    if word.isupper():
        return "U" if len(word) > 1 else "T"
    if word.islower():
        return "l"
    if word[0].isupper():
        return "T" if word[1:].islower() or not any(c.isalpha() for c in word[1:]) else "M"
    return "m"


class Lexicon:
    """Word-class information learned from unlabeled newswire (shipped with the model).

    ``classes`` maps a case-sensitive word form to a distributional cluster id
    (``"fine/coarse"``); ``caps`` maps a lowercase form to a one-character bucket of how
    often the word is capitalised in mid-sentence; ``gaz`` maps a lowercase word to its
    gazetteer flags (see :func:`newsindex._entities.training.build_gazetteer`): ``P`` a
    one-word place, ``B``/``I`` first/later word of a longer place name, ``F`` a person's
    first name.  Gazetteer features fire only on capitalised words.
    """

    __slots__ = ("caps", "classes", "gaz")

    def __init__(
        self,
        classes: dict[str, str] | None = None,
        caps: dict[str, str] | None = None,
        gaz: dict[str, str] | None = None,
    ):
        self.classes = classes or {}
        self.caps = caps or {}
        self.gaz = gaz or {}

    def cluster(self, word: str) -> str | None:
        """Cluster id of ``word`` (digits already mapped to 0): exact, Title-cased, lower."""
        c = self.classes.get(word)
        if c is None and word.isupper():
            c = self.classes.get(word.capitalize())
        if c is None:
            c = self.classes.get(word.lower())
        return c


_EMPTY_LEXICON = Lexicon()


def type_features(word: str, lex: Lexicon = _EMPTY_LEXICON) -> tuple[list[str], ...]:
    """Features contributed by a (normalised) word type at each relative offset.

    Returns six lists: features seen when the word is at offset -2, -1, 0, +1,
    +2 from the token being tagged, plus extra offset-0 features that fire only
    when the word starts the sentence.
    """
    if word in (BOS, EOS):
        return ([f"l-2={word}"], [f"l-1={word}"], ["b"], [f"l1={word}"], [f"l2={word}"], [])
    word = _DIGITS.sub("0", word)  # every feature sees digits as 0
    # An ASCII word has no digit left, nor gets one from lower(): skip the second pass.
    lower = word.lower() if word.isascii() else _DIGITS.sub("0", word.lower())
    long_shape = _shape(word)
    sshape = _short_shape(long_shape)
    if len(long_shape) > 8:
        long_shape = long_shape[:4] + "~" + long_shape[-4:]
    case = _case_class(word)
    f0 = [
        "b",
        "w=" + word,
        "l=" + lower,
        "S=" + long_shape,
        "s=" + sshape,
        "c=" + case,
    ]
    n = len(lower)
    # Prefixes and suffixes of 1-4 letters, then a 5-letter suffix (unrolled: the loop
    # over k with f-strings was a tenth of this function's time).
    if n > 1:
        f0 += ("p1=" + lower[:1], "x1=" + lower[-1:])
        if n > 2:
            f0 += ("p2=" + lower[:2], "x2=" + lower[-2:])
            if n > 3:
                f0 += ("p3=" + lower[:3], "x3=" + lower[-3:])
                if n > 4:
                    f0 += ("p4=" + lower[:4], "x4=" + lower[-4:])
                    if n > 5:
                        f0.append("x5=" + lower[-5:])
    if "-" in word and n > 1:
        f0.append("hy")
        head, _, tail = lower.partition("-")
        f0.append("hh=" + head)
        f0.append("ht=" + lower.rpartition("-")[2])
        del tail
    if "." in word and n > 1:
        f0.append("dot|c=" + case)
    if n == 1:
        f0.append("len1|s=" + sshape)
    first = ["F|s=" + sshape, "F|l=" + lower]
    x3 = lower[-3:]
    fm1 = ["l-1=" + lower, "s-1=" + sshape, "x-1=" + x3, "c-1=" + case]
    fp1 = ["l1=" + lower, "s1=" + sshape, "x1=" + x3, "c1=" + case]
    fm2 = ["l-2=" + lower, "c-2=" + case]
    fp2 = ["l2=" + lower, "c2=" + case]
    cl = lex.cluster(word)
    if cl is not None:
        fine, _, coarse = cl.partition("/")
        coarse, _, finest = coarse.partition("/")
        f0 += ("k=" + fine, "K=" + coarse, f"K|c={coarse}|{case}")
        fm1 += ("k-1=" + fine, "K-1=" + coarse)
        fp1 += ("k1=" + fine, "K1=" + coarse)
        if finest:
            f0 += ("j=" + finest, f"j|c={finest}|{case}")
            fm1.append("j-1=" + finest)
            fp1.append("j1=" + finest)
        fm2.append("K-2=" + coarse)
        fp2.append("K2=" + coarse)
    cap = lex.caps.get(word.lower())
    if cap is not None:
        f0.append(f"r={cap}|{case}")
        fm1.append(f"r-1={cap}")
        fp1.append(f"r1={cap}")
    if lex.gaz and capitalised(word):
        g = lex.gaz.get(lower)
        if g is not None:
            f0 += ("g=" + g, f"g|c={g}|{case}")
            fm1.append("g-1=" + g)
            fp1.append("g1=" + g)
    return (fm2, fm1, f0, fp1, fp2, first)


_NOT_MIDSENTENCE = frozenset({'"', "'", "(", "[", "{", ":", ";", "-", "--", "``", "...", "*"})


def doc_profile(sentences: Iterable[Sequence[str]]) -> tuple[set[str], set[str]]:
    """Casing profile of an article: (words seen in lower case, lowercased words seen
    Title-cased in mid sentence, i.e. not first and not after an opening quote/colon).
    """
    sents = sentences if isinstance(sentences, list) else list(sentences)
    lowers = {t for sent in sents for t in sent if t.islower()}
    mids = {
        t.lower()
        for sent in sents
        for prev, t in pairwise(sent)
        if t[:1].isupper() and prev not in _NOT_MIDSENTENCE and not t.isupper()
    }
    return lowers, mids


def capitalised(word: str) -> bool:
    """True for words that start with a capital (or a symbol then a letter, like ``'Neill``)."""
    c0 = word[:1]
    return not c0.islower() and (c0.isalpha() or word[1:2].isalpha())


def doc_feature(word: str, prof: tuple[set[str], set[str]]) -> str | None:
    """The document-level feature string of ``word`` given its article's profile."""
    if not capitalised(word):
        return None
    return _DOC_FEATURES[_doc_index(word, word.lower(), prof)]


#: The document-level features: D, C(apitalised) or U(pper case), bits of the profile.
_DOC_FEATURES: tuple[str, ...] = tuple(f"D{case}{bits}" for case in "CU" for bits in range(4))


def _doc_index(word: str, low: str, prof: tuple[set[str], set[str]]) -> int:
    """Index in :data:`_DOC_FEATURES` of capitalised ``word``'s feature (``low``: its lower case)."""
    return (low in prof[0]) + 2 * (low in prof[1]) + (4 if word.isupper() and len(word) > 1 else 0)


def table_row(sent: Sequence[str]) -> bool:
    """True for a sentence that reads like a row of a results table: 3+ tokens, of which
    at least 2 and at least a third are numbers ("Lyon 3 2 1 0 5 2 7").  In CoNLL-2003's
    sports pages a capitalised word there is mostly a team (ORG), even when it is a
    city or country name, which the tagger otherwise reads as a place."""
    n = len(sent)
    return n >= 3 and _table(n, sum(map(_number_like, sent)))


def _number_like(word: str) -> bool:
    """Whether ``word`` counts as a number in :func:`table_row`."""
    c = word[:1]
    return c.isdigit() or (c == "-" and word[1:2].isdigit())


def _table(n: int, nums: int) -> bool:
    """:func:`table_row` of a sentence of ``n`` >= 3 tokens, ``nums`` of them numbers."""
    return nums >= 2 and 3 * nums >= n


def table_features(word: str, lex: Lexicon = _EMPTY_LEXICON) -> list[str]:
    """Features of a capitalised ``word`` in a :func:`table_row` sentence."""
    word = _DIGITS.sub("0", word)
    lower = word.lower()
    case = _case_class(word)
    out = ["TB|c=" + case, "TB|l=" + lower]
    g = lex.gaz.get(lower)
    if g is not None:
        out.append("TB|g=" + g)
    cl = lex.cluster(word)
    if cl is not None:
        out.append("TB|K=" + cl.split("/")[1])
    return out


#: Types a word's earlier predictions in an article vote for ("extended prediction history").
HIST_TYPES: tuple[str, ...] = ("O", "PER", "ORG", "LOC", "MISC")


def history_features(last: str, counts: Sequence[int]) -> list[str]:
    """History features of a capitalised word: its last predicted type in the article and,
    once it was tagged twice or more, the majority of its earlier types (Ratinov & Roth
    2009: the distribution of earlier labels beats the last label alone)."""
    out = ["H=" + last]
    if sum(counts) >= 2:
        best = max(range(len(counts)), key=lambda k: (counts[k], HIST_TYPES[k] == last))
        out.append("HM=" + HIST_TYPES[best])
    return out


def iob_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, start, end)`` (token indices, end exclusive) from IOB1, IOB2
    or BILOU tags (``B``/``U`` start a name, ``L``/``U`` end one)."""
    spans: list[tuple[str, int, int]] = []
    cur_type = None
    start = 0
    for i, tag in enumerate(tags):
        if tag == "O" or not tag:
            if cur_type is not None:
                spans.append((cur_type, start, i))
                cur_type = None
            continue
        prefix, typ = tag[:1], tag[2:]
        if prefix in "BU" or typ != cur_type:
            if cur_type is not None:
                spans.append((cur_type, start, i))
            cur_type = typ
            start = i
        if prefix in "LU":
            spans.append((typ, start, i + 1))
            cur_type = None
    if cur_type is not None:
        spans.append((cur_type, start, len(tags)))
    return spans


def to_bilou(tags: Sequence[str]) -> list[str]:
    """IOB2 tags as BILOU tags.

    >>> to_bilou(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "I-LOC"])
    ['B-PER', 'L-PER', 'O', 'U-LOC', 'B-LOC', 'I-LOC', 'L-LOC']
    """
    out = []
    n = len(tags)
    for i, tag in enumerate(tags):
        if tag == "O":
            out.append(tag)
            continue
        ends = i + 1 == n or tags[i + 1] != "I-" + tag[2:]
        if tag[:2] == "B-":
            out.append(("U-" if ends else "B-") + tag[2:])
        else:
            out.append(("L-" if ends else "I-") + tag[2:])
    return out


_ZERO = (0.0,) * NTAGS
# Only the allowed tags are scored: 9 of 17 after a closed tag, 2 (I-X, L-X) inside a name.
_ALLOWED_IDX: tuple[tuple[int, ...], ...] = tuple(tuple(k for k, ok in enumerate(row) if ok) for row in ALLOWED)
_HIST_OF_TAG: tuple[int, ...] = tuple(HIST_TYPES.index(t) for t in TYPE_OF_TAG)


_STARTS_OF = itemgetter(*STARTS)
#: A beam-search hypothesis: score, its tags as nested (last tag, earlier tags) pairs,
#: the tag before last, the last tag, and the history of this sentence's words.
_Hypothesis = tuple[float, tuple | None, int, int, dict[str, list[int]]]


def _bound(v: Sequence[float]) -> float:
    """The largest advantage a name-starting tag (B-, U-) gets over ``O`` from ``v``."""
    # itemgetter picks the same values in the same order as a generator, 4x faster.
    return max(_STARTS_OF(v)) - v[0]


def _evict_half(cache: dict) -> None:
    """Drop the older half of a full cache (insertion order) instead of all of it.

    Clearing all of it made every type of the next articles new again, the frequent
    ones included, at ~50 us each; the newer half holds the words of recent articles.
    """
    for key in list(islice(cache, len(cache) // 2)):
        del cache[key]


def _vsum(vectors: list[Sequence[float]]) -> tuple[float, ...]:
    """The sum of ``vectors``, adding them in order (as ``sum`` does: the same floats)."""
    n = len(vectors)
    if n == 1:
        return tuple(vectors[0])
    if n == 2:  # ~60% of the sums of a new word type: map(add) is ~2x zip and sum
        return tuple(map(add, *vectors))
    if not n:
        return _ZERO
    return tuple(map(sum, zip(*vectors)))


_Vec = Sequence[float] | None


#: Feature family -> (group of :class:`_TypeWeights`, slot in it); for p the prefix length.
_ROUTES: dict[str, tuple[str, int]] = {
    **{f: ("lower", k) for k, f in enumerate(("l-2", "l-1", "l", "l1", "l2", "F|l"))},
    **{f: ("sshape", k) for k, f in enumerate(("s-1", "s", "s1", "F|s", "len1|s"))},
    **{f: ("case", k) for k, f in enumerate(("c-2", "c-1", "c", "c1", "c2", "dot|c"))},
    **{f: ("suffix", 0) for f in ("x2", "x3", "x4", "x5")},
    "x-1": ("suffix", 1),
    "x1": ("suffix", 2),
    **{f: ("k", k) for k, f in enumerate(("k", "k-1", "k1"))},
    **{f: ("K", k) for k, f in enumerate(("K", "K-1", "K1", "K-2", "K2"))},
    **{f: ("j", k) for k, f in enumerate(("j", "j-1", "j1"))},
    "w": ("w", 0),
    **{f"p{n}": ("p", n) for n in (1, 2, 3, 4)},
}
_WIDTH = {"lower": 6, "sshape": 5, "case": 6, "suffix": 3, "k": 3, "K": 5, "j": 3}


class _TypeWeights:
    """The weights of :func:`type_features` regrouped by what each feature is built from.

    One lookup of a word's lowercase form gives its vectors at all six places (``l-2=``,
    ``l-1=``, ``l=``, ``l1=``, ``l2=``, ``F|l=``), likewise one of its short shape, case,
    suffix, cluster id.  :meth:`vectors` so finds the same vectors as looking up each
    string of :func:`type_features`, in the same order (their sums, in floating point,
    depend on it), with ~20 lookups and few string builds instead of ~40 of each: with
    the cheaper sums of :func:`_vsum`, a new word type's entry costs ~30 instead of ~38 us
    in a loop of entries alone.  A worker meets ~44,000 in 10,000 Reuters articles; there,
    with the weights mostly out of the CPU caches, the entries took ~0.33 instead of ~0.37
    ms an article.  Built in ~25 ms at load, before
    workers fork (~5 MB).  It mirrors :func:`type_features`, which training uses: a test
    checks that the two find the same vectors.
    """

    __slots__ = (
        "b",
        "by_case",
        "by_cluster",
        "by_lower",
        "by_prefix",
        "by_shape",
        "by_sshape",
        "by_suffix",
        "by_word",
        "lex",
        "w",
    )

    def __init__(self, weights: Mapping[str, Sequence[float]], lex: Lexicon) -> None:
        self.w = weights.get
        self.lex = lex
        self.b = weights.get("b")
        # One pass over the weights, each to its slot (building the strings of each
        # group's slots and looking them up took twice as long, ~65 ms).
        rows: dict[str, dict[str, list[_Vec]]] = {t: {} for t in ("lower", "sshape", "case", "suffix", "k", "K", "j")}
        self.by_word: dict[str, _Vec] = {}
        self.by_prefix: dict[str, _Vec] = {}
        for feat, vec in weights.items():
            fam, eq, val = feat.partition("=")
            route = _ROUTES.get(fam) if eq else None
            if route is None:
                continue
            table, slot = route
            if table == "w":
                self.by_word[val] = vec
            elif table == "p":  # p{len}= (a longer value is never looked up)
                if len(val) == slot:
                    self.by_prefix[val] = vec
            elif table != "suffix" or slot or len(val) == int(fam[1]):  # x{len}= likewise
                group = rows[table]
                row = group.get(val)
                if row is None:
                    row = group[val] = [None] * _WIDTH[table]
                row[slot] = vec
        self.by_lower = rows["lower"]  # l-2=, l-1=, l=, l1=, l2=, F|l=
        self.by_sshape = rows["sshape"]  # s-1=, s=, s1=, F|s=, len1|s=
        self.by_case = rows["case"]  # c-2=, c-1=, c=, c1=, c2=, dot|c=
        # An ASCII word's long shape (A-Z, a-z, 0-9 as X, x, d) tells its short shape and
        # case class too: one lookup of it (filled as words come) gives their vectors and
        # the S= one, without the string work and the lookup of S= in all the weights:
        # ~2 us of the 20-35 that vectors() costs a new word type in a worker (at most 20,000 shapes).
        self.by_shape: dict[str, tuple] = {}
        # x{len}= at offset 0, x-1= and x1= (of the 3-letter suffix) at offsets -1, +1
        self.by_suffix = rows["suffix"]
        for v, row in self.by_suffix.items():
            if len(v) == 1:  # x1=v is both
                row[0] = row[2]
        # a cluster id's coarse and finest parts, then its k=, K=, j=, k-1=, K-1=, j-1=,
        # k1=, K1=, j1=, K-2=, K2= vectors
        self.by_cluster: dict[str, tuple] = {}
        by_fine, by_coarse, by_finest = rows["k"], rows["K"], rows["j"]
        none5 = [None] * 5
        for cl in set(lex.classes.values()):
            fine, _, coarse = cl.partition("/")
            coarse, _, finest = coarse.partition("/")
            k0, km1, kp1 = by_fine.get(fine) or none5[:3]
            kk0, kkm1, kkp1, kkm2, kkp2 = by_coarse.get(coarse) or none5
            j0, jm1, jp1 = (by_finest.get(finest) if finest else None) or none5[:3]
            self.by_cluster[cl] = (coarse, finest, k0, kk0, j0, km1, kkm1, jm1, kp1, kkp1, jp1, kkm2, kkp2)

    def vectors(self, word: str) -> tuple[list[_Vec], ...]:
        """The weight vectors (``None`` for a feature without) of ``type_features(word)``,
        same lists, same order; ``word`` has its digits as 0 already."""
        w = self.w
        lex = self.lex
        is_ascii = word.isascii()
        lower = word.lower() if is_ascii else _DIGITS.sub("0", word.lower())
        long_shape = _shape(word)
        shaped = self.by_shape.get(long_shape) if is_ascii else None
        if shaped is None:
            sshape = _short_shape(long_shape)
            case = _case_class(word)
            shaped = (
                w("S=" + (long_shape[:4] + "~" + long_shape[-4:] if len(long_shape) > 8 else long_shape)),
                self.by_sshape.get(sshape) or _NONE6[:5],
                case,
                self.by_case.get(case) or _NONE6,
            )
            if is_ascii and len(self.by_shape) < 20_000:
                self.by_shape[long_shape] = shaped
        sv, (sm1, s0, sp1, sf, s1), case, (cm2, cm1, c0, cp1, cp2, cdot) = shaped
        lm2, lm1, l0, lp1, lp2, lf = self.by_lower.get(lower) or _NONE6
        f0 = [self.b, self.by_word.get(word), l0, sv, s0, c0]
        n = len(lower)
        by_suffix = self.by_suffix
        if n > 1:
            pre = self.by_prefix.get
            f0 += (pre(lower[:1]), (by_suffix.get(lower[-1:]) or _NONE6)[0])
            if n > 2:
                f0 += (pre(lower[:2]), (by_suffix.get(lower[-2:]) or _NONE6)[0])
                if n > 3:
                    f0 += (pre(lower[:3]), (by_suffix.get(lower[-3:]) or _NONE6)[0])
                    if n > 4:
                        f0 += (pre(lower[:4]), (by_suffix.get(lower[-4:]) or _NONE6)[0])
                        if n > 5:
                            f0.append((by_suffix.get(lower[-5:]) or _NONE6)[0])
            if "-" in word:
                f0 += (w("hy"), w("hh=" + lower.partition("-")[0]), w("ht=" + lower.rpartition("-")[2]))
            if "." in word:
                f0.append(cdot)
        elif n == 1:
            f0.append(s1)  # len1|s=
        _, xm1, xp1 = by_suffix.get(lower[-3:]) or _NONE6[:3]
        first = [sf, lf]
        fm1 = [lm1, sm1, xm1, cm1]
        fp1 = [lp1, sp1, xp1, cp1]
        fm2 = [lm2, cm2]
        fp2 = [lp2, cp2]
        cl = lex.cluster(word)
        if cl is not None:
            coarse, finest, k0, kk0, j0, km1, kkm1, jm1, kp1, kkp1, jp1, kkm2, kkp2 = self.by_cluster[cl]
            f0 += (k0, kk0, w(f"K|c={coarse}|{case}"))
            fm1 += (km1, kkm1)
            fp1 += (kp1, kkp1)
            if finest:
                f0 += (j0, w(f"j|c={finest}|{case}"))
                fm1.append(jm1)
                fp1.append(jp1)
            fm2.append(kkm2)
            fp2.append(kkp2)
        cap = lex.caps.get(word.lower())
        if cap is not None:
            f0.append(w(f"r={cap}|{case}"))
            fm1.append(w("r-1=" + cap))
            fp1.append(w("r1=" + cap))
        if lex.gaz and capitalised(word):
            g = lex.gaz.get(lower)
            if g is not None:
                f0 += (w("g=" + g), w(f"g|c={g}|{case}"))
                fm1.append(w("g-1=" + g))
                fp1.append(w("g1=" + g))
        return (fm2, fm1, f0, fp1, fp2, first)


_NONE6: tuple[None, ...] = (None,) * 6


def _word_flags(word: str) -> tuple[bool, bool, bool]:
    """What the decoder asks of each token, kept in its cached entry (a list of them per
    sentence is cheaper than the string methods): :func:`capitalised`, whether it starts
    lower-case, :func:`_number_like`.  Each is the same for a word and for its entry's
    key, the word with its digits as 0 (no digit is a letter or cased; a test checks it)."""
    return capitalised(word), word[:1].islower(), _number_like(word)


# the entry's flags (see Model._entry)
_CAP_OF, _LOW_OF, _NUM_OF = (itemgetter(k) for k in (12, 13, 14))


class Model:
    """Weights of the tagger plus caches that make decoding fast.

    ``weights`` maps feature strings to per-tag score vectors (length ``len(TAGS)``).
    """

    __slots__ = (
        "_docvecs",
        "_hist",
        "_hmaj",
        "_max_cache",
        "_tables",
        "_tbound",
        "_trans",
        "_tw",
        "_types",
        "beam",
        "lexicon",
        "meta",
        "weights",
    )

    def __init__(
        self,
        weights: Mapping[str, Sequence[float]],
        meta: dict | None = None,
        lexicon: Lexicon | None = None,
        beam: int = 1,
    ) -> None:
        self.weights = weights
        #: hypotheses kept while decoding a sentence (1: greedy); weights trained with a
        #: beam must be decoded with one (greedily, dev F1 0.937 -> 0.932 for width 2).
        self.beam = beam
        self.meta = dict(meta or {})
        self.lexicon = lexicon or _EMPTY_LEXICON
        self._types: dict[str, tuple] = {}
        # ~1.5 KB an entry: bounds a worker at ~75 MB of cache; full, the older half goes.
        # All 21,578 Reuters articles have ~37,400 types (digits as 0), so it never fills there.
        self._max_cache = 50_000
        w = weights.get
        trans = []
        # index: prev2 * (NTAGS+1) + prev, with NTAGS meaning "sentence start"
        names = (*TAGS, "<S>")
        for p2 in range(NTAGS + 1):
            for p in range(NTAGS + 1):
                vec = _vsum([v for v in (w("T=" + names[p]), w("T2=" + names[p2] + "|" + names[p])) if v])
                allowed = ALLOWED[p]
                trans.append(tuple(x if ok else _NEG for x, ok in zip(vec, allowed)))
        self._trans = trans
        self._tbound = [_bound(v) for v in trans]
        self._hist = [(v, _bound(v)) for v in (w("H=" + t) or _ZERO for t in HIST_TYPES)]
        self._hmaj = [(v, _bound(v)) for v in (w("HM=" + t) or _ZERO for t in HIST_TYPES)]
        self._tables: dict[str, tuple[Sequence[float], float]] = {}
        # weights and O-bound of each doc_feature string (the 8 of _DOC_FEATURES), None for none
        self._docvecs = [(v, _bound(v)) if v else None for v in map(w, _DOC_FEATURES)]
        self._tw = _TypeWeights(weights, self.lexicon)

    # ------------------------------------------------------------------ io
    @classmethod
    def load(cls, path: str | Path) -> Model:
        """Load a model written by :meth:`save` (gzipped JSON, no pickle)."""
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("format") != FORMAT or tuple(data.get("tags", ())) != TAGS:
            raise ValueError(f"{path}: not a {FORMAT} model")
        scale = float(data["scale"])
        weights: dict[str, tuple[float, ...]] = {}
        # float zeros, not int ones: sum() adds a float to a float faster than an int to
        # one, and most of a vector is zeros (a new word type's sums take ~12 instead of
        # ~15 us).  The sums are the same: adding 0.0 or 0 to a float gives that float.
        zero = [0.0] * NTAGS
        for feat, packed in data["weights"].items():
            # packed: flat list of alternating tag index and integer weight
            vec = zero[:]
            for k in range(0, len(packed), 2):
                vec[packed[k]] = packed[k + 1] / scale
            weights[feat] = tuple(vec)
        lex = data.get("lexicon") or {}
        lexicon = Lexicon(lex.get("classes"), lex.get("caps"), lex.get("gaz"))
        return cls(weights, data.get("meta"), lexicon, int(data["beam"]))

    def save(self, path: str | Path, scale: float = 1000.0) -> None:
        """Write the weights as gzipped JSON with sparse integer-quantised vectors."""
        packed: dict[str, list[int]] = {}
        for feat in sorted(self.weights):
            flat: list[int] = []
            for k, x in enumerate(self.weights[feat]):
                q = round(x * scale)
                if q:
                    flat += (k, q)
            if flat:
                packed[feat] = flat
        data = {
            "format": FORMAT,
            "tags": list(TAGS),
            "scale": scale,
            "beam": self.beam,
            "meta": self.meta,
            "lexicon": {
                "classes": dict(sorted(self.lexicon.classes.items())),
                "caps": dict(sorted(self.lexicon.caps.items())),
                "gaz": dict(sorted(self.lexicon.gaz.items())),
            },
            "weights": packed,
        }
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(gzip.compress(raw, compresslevel=9, mtime=0))

    # ------------------------------------------------------------ decoding
    def _entry(self, word: str) -> tuple:
        """Cached per-type score vectors for offsets -2..+2 (+ sentence-initial offset 0).

        Entries 6..11 are the matching "O-bounds": the largest advantage any B- tag
        gets over ``O`` from that vector, possibly negative (see :meth:`tag_document_ids`);
        12.. the word's :func:`_word_flags`.
        """
        types = self._types
        ent = types.get(word)
        if ent is not None:
            return ent
        key = _DIGITS.sub("0", word)  # features see digits as 0: share one entry
        ent = types.get(key)
        if ent is None:
            if key in (BOS, EOS):
                w = self.weights.get
                groups = [list(map(w, fl)) for fl in type_features(key, self.lexicon)]
            else:
                groups = list(self._tw.vectors(key))
            # filter(None, ...) drops the features without weights in C (a list
            # comprehension took a third of the lookups' time).
            vecs = [_vsum(list(filter(None, g))) for g in groups]
            vecs[5] = _vsum([vecs[2], vecs[5]]) if groups[5] else vecs[2]
            ent = (*vecs, *map(_bound, vecs), *_word_flags(key))
            if len(types) >= self._max_cache:
                _evict_half(types)
            types[key] = ent
        # A word with digits is not cached under its own spelling: every number of an
        # article ("155,221") would take a cache entry of its own, and on the 21,578
        # Reuters articles those filled the 50,000 entries, so the cache was cleared
        # again and again and the frequent types recomputed (~50 us each).
        return ent

    def _majority(self, h: list[int]) -> tuple[Sequence[float], float]:
        """Weights of the majority-type history feature (:func:`history_features`)."""
        # the most frequent type, on a tie the last one, else the first (as history_features)
        counts = h[1:]
        top = max(counts)
        return self._hmaj[h[0] if counts[h[0]] == top else counts.index(top)]

    def _doc_vec(self, word: str, prof: tuple[set[str], set[str]]) -> tuple[Sequence[float], float] | None:
        """Weights and O-bound of ``word``'s article-level feature (:func:`doc_feature`),
        ``None`` for none."""
        return self._docvecs[_doc_index(word, word.lower(), prof)] if capitalised(word) else None

    def _table_vec(self, word: str) -> tuple[Sequence[float], float]:
        """Summed weights of :func:`table_features` of ``word`` and their O-bound (cached)."""
        got = self._tables.get(word)
        if got is None:
            w = self.weights.get
            vec = _vsum([v for v in map(w, table_features(word, self.lexicon)) if v])
            got = (vec, _bound(vec))
            if len(self._tables) >= self._max_cache:
                _evict_half(self._tables)
            self._tables[word] = got
        return got

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Tag an article given as sentences of normalised token strings (IOB2 tags)."""
        return [[TAGS[k] for k in sent] for sent in self.tag_document_ids(sentences)]

    def tag_document_ids(self, sentences: Sequence[Sequence[str]]) -> list[list[int]]:
        """Like :meth:`tag_document` but returns tag indices into :data:`TAGS`.

        Fast path: after a closed tag (``O``, ``L-``, ``U-``, sentence start) only ``O``,
        ``B-`` and ``U-`` are allowed, so for a token that gets no document/history
        features, the sum of the per-vector "O-bounds" is an upper bound of
        ``max_{k in STARTS} score[k] - score[O]``; when it is <= 0, ``O`` is the argmax
        (ties go to ``O``, as with the full computation), so the score vector is never built.  Most lower-case
        tokens take this path; the result is identical to the full computation.
        """
        if self.beam > 1:
            return self._tag_document_beam(sentences, self.beam)
        prof = doc_profile(sentences)
        entry = self._entry
        bos = entry(BOS)
        eos = entry(EOS)
        trans = self._trans
        tbound = self._tbound
        hist_vec = self._hist
        doc_vec = self._doc_vec
        history: dict[str, list[int]] = {}  # word -> [last type, counts per HIST_TYPES]
        hist_of = _HIST_OF_TAG
        stride = NTAGS + 1
        closed = CLOSED
        allowed_idx = _ALLOWED_IDX
        out: list[list[int]] = []
        for sent in sentences:
            n = len(sent)
            if not n:
                out.append([])
                continue
            table = table_row(sent)
            ents = [bos, bos]
            ents += map(entry, sent)
            ents += (eos, eos)
            tags: list[int] = []
            p2 = p1 = START
            for i in range(n):
                word = sent[i]
                e2 = ents[i + 2]
                cap = _CAP_OF(e2)  # capitalised(word), kept in its entry
                if (
                    not cap
                    and closed[p1]
                    and ents[i][6]
                    + ents[i + 1][7]
                    + e2[11 if i == 0 else 8]
                    + ents[i + 3][9]
                    + ents[i + 4][10]
                    + tbound[p2 * stride + p1]
                    <= 0.0
                ):
                    tags.append(0)
                    p2 = p1
                    p1 = 0
                    continue
                t_row = trans[p2 * stride + p1]
                if cap:
                    dv = doc_vec(word, prof)
                    # (vector, its O-bound) of each article-level feature that fires
                    adds: list[tuple[Sequence[float], float]] = [] if dv is None else [dv]
                    key = word.lower()
                    h = history.get(key)
                    if h is not None:
                        adds.append(hist_vec[h[0]])
                        if h[1] + h[2] + h[3] + h[4] + h[5] >= 2:
                            adds.append(self._majority(h))
                    if table:
                        adds.append(self._table_vec(word))
                    # The fast path's bound, for a capitalised word: most are still O
                    # ("The", "It", a headline's words); the result is the same.
                    bound = 0.0
                    for _, b in adds:
                        bound += b
                    if closed[p1] and (
                        ents[i][6]
                        + ents[i + 1][7]
                        + e2[11 if i == 0 else 8]
                        + ents[i + 3][9]
                        + ents[i + 4][10]
                        + tbound[p2 * stride + p1]
                        + bound
                        <= 0.0
                    ):
                        k = 0
                    else:
                        a0, a1, a2, a3, a4 = (
                            ents[i][0],
                            ents[i + 1][1],
                            e2[5 if i == 0 else 2],
                            ents[i + 3][3],
                            ents[i + 4][4],
                        )
                        idx = allowed_idx[p1]
                        s = [a0[j] + a1[j] + a2[j] + a3[j] + a4[j] + t_row[j] for j in idx]
                        for v, _ in adds:
                            s = [x + v[j] for x, j in zip(s, idx)]
                        k = idx[s.index(max(s))]
                    t = hist_of[k]
                    if h is None:
                        h = history[key] = [t, 0, 0, 0, 0, 0]
                    h[0] = t
                    h[1 + t] += 1
                else:
                    a0, a1, a2, a3, a4 = (
                        ents[i][0],
                        ents[i + 1][1],
                        e2[5 if i == 0 else 2],
                        ents[i + 3][3],
                        ents[i + 4][4],
                    )
                    idx = allowed_idx[p1]
                    s = [a0[j] + a1[j] + a2[j] + a3[j] + a4[j] + t_row[j] for j in idx]
                    k = idx[s.index(max(s))]
                tags.append(k)
                p2 = p1
                p1 = k
            if _B_MISC in tags:  # see _fix_org_heads
                _fix_org_heads(sent, tags)
            out.append(tags)
        return out

    def _tag_document_beam(self, sentences: Sequence[Sequence[str]], width: int) -> list[list[int]]:
        """Beam search over each sentence (``width`` hypotheses), for beam-trained weights.

        A hypothesis is a tag sequence with its score and the article history of the words
        it tagged in this sentence; earlier sentences' history is the best hypothesis'.
        Shortcuts: a hypothesis after a closed tag whose "O-bound" (see
        :meth:`tag_document_ids`) shows ``O`` beats every name-starting tag extends with
        ``O`` alone; hypotheses in the same state are merged; and while one hypothesis is
        left, a word that is surely ``O`` costs what it does in greedy decoding.  Still,
        with 2 hypotheses the tagger takes about 1.35x the greedy one's time on Reuters
        (0.72 against 0.54 ms an article, tagging alone from cold caches), 1.6x with 4.
        Dropping hypotheses that fall a margin behind the best (beam search only where
        unsure) would be cheaper, but even a wide margin (20) lost 0.8 F1 on dev: the
        type of a long name is often settled only by its last word.
        """
        prof = doc_profile(sentences)
        entry = self._entry
        types_get = self._types.get
        # Cached types straight from the cache, without a call of _entry each: most of an
        # article's words were seen before.  One pass over the article's words, not one a
        # sentence: ~3-5% less tagger time on Reuters (A/B), though the work is the same.
        words = list(chain.from_iterable(sentences))
        flat = [e or entry(t) for e, t in zip(map(types_get, words), words)]
        start = 0
        bos = entry(BOS)
        eos = entry(EOS)
        trans = self._trans
        tbound = self._tbound
        hist_vec = self._hist
        docvecs = self._docvecs
        history: dict[str, list[int]] = {}  # word -> [last type, counts per HIST_TYPES]
        stride = NTAGS + 1
        closed = CLOSED
        allowed_idx = _ALLOWED_IDX
        first = itemgetter(0)
        out: list[list[int]] = []
        for sent in sentences:
            n = len(sent)
            if not n:
                out.append([])
                continue
            own = flat[start : start + n]  # the sentence's entries
            start += n
            caps = list(map(_CAP_OF, own))
            lows = list(map(_LOW_OF, own))
            table = n >= 3 and _table(n, sum(map(_NUM_OF, own)))  # table_row(sent)
            ents = [bos, bos, *own, eos, eos]
            # last position of each capitalised word that occurs twice in the sentence
            later: dict[str, int] = {}
            if sum(caps) > 1:
                caps_seen: set[str] = set()
                for k in range(n):
                    if caps[k]:
                        key = sent[k].lower()
                        if key in caps_seen:
                            later[key] = k
                        caps_seen.add(key)
            horizon = max(later.values(), default=-1)  # past it, no history is in a state
            # (score, tags as nested (tag, earlier tags) pairs, tag before last, last tag,
            # history of this sentence's words)
            beam: list[_Hypothesis] = [(0.0, None, START, START, {})]
            prev_low = False
            for i, word, cap, low in zip(range(n), sent, caps, lows):
                # A lower-case word opens no name (the extractor would cut it off the name
                # anyway), and no name runs on over two lower-case words in a row: dropping
                # those hypotheses changed no dev span and let the beam shrink back to one.
                lowrun = low and prev_low
                prev_low = low
                if len(beam) == 1 and not cap:
                    sc, link, p2, p1, hd = beam[0]
                    # One hypothesis, surely O (a lower-case word, tested first: it needs
                    # no bound, and it is most of an article's words): its score no
                    # longer matters.
                    if closed[p1] and (
                        low
                        or ents[i][6]
                        + ents[i + 1][7]
                        + ents[i + 2][11 if i == 0 else 8]
                        + ents[i + 3][9]
                        + ents[i + 4][10]
                        + tbound[p2 * stride + p1]
                        <= 0.0
                    ):
                        beam = [(sc, (0, link), p1, 0, hd)]
                        continue
                e2 = ents[i + 2]
                bound = ents[i][6] + ents[i + 1][7] + e2[11 if i == 0 else 8] + ents[i + 3][9] + ents[i + 4][10]
                a0, a1, a2, a3, a4 = ents[i][0], ents[i + 1][1], e2[5 if i == 0 else 2], ents[i + 3][3], ents[i + 4][4]
                adds: list[tuple[Sequence[float], float]] = []
                key = ""
                if cap:
                    key = word.lower()
                    # (the 8 features' weights in a list: 0.29 us a word, 0.61 with a per-article cache by word)
                    dv = docvecs[_doc_index(word, key, prof)]  # self._doc_vec(word, prof)
                    if dv is not None:
                        adds.append(dv)
                    if table:
                        adds.append(self._table_vec(word))
                    for _, b in adds:
                        bound += b
                # (score, hypothesis, tag, history of the word before this tag)
                cands: list[tuple[float, int, int, list[int] | None]] = []
                o_static = None  # the O score of the tag-independent features
                for hi, (sc, _, p2, p1, hd) in enumerate(beam):
                    row = p2 * stride + p1
                    h = None
                    hb = 0.0
                    hadds: tuple[tuple[Sequence[float], float], ...] = ()
                    if cap:
                        h = hd.get(key) or history.get(key)
                        if h is not None:
                            hv = hist_vec[h[0]]
                            hadds = (hv, self._majority(h)) if h[1] + h[2] + h[3] + h[4] + h[5] >= 2 else (hv,)
                            for _, b in hadds:
                                hb += b
                    elif lowrun and hi and not closed[p1]:
                        continue  # (the best hypothesis stays, so that one always does)
                    if closed[p1] and (low or bound + hb + tbound[row] <= 0.0):
                        if o_static is None:
                            o_static = a0[0] + a1[0] + a2[0] + a3[0] + a4[0]
                            for v, _ in adds:
                                o_static += v[0]
                        o = sc + o_static + trans[row][0]
                        for v, _ in hadds:
                            o += v[0]
                        cands.append((o, hi, 0, h))
                        continue
                    t_row = trans[row]
                    idx = allowed_idx[p1]
                    # Only the allowed tags' sums (9 or 2 of 17), in one comprehension: ~3x
                    # summing all 17 with map(sum, zip(...)).  The same additions in the same
                    # order as that did on Python 3.11 (sum() adds as + does; 3.12's sum()
                    # compensates its rounding).
                    if not adds:  # a word not capitalised
                        s = [sc + (a0[j] + a1[j] + a2[j] + a3[j] + a4[j]) + t_row[j] for j in idx]
                    elif len(adds) == 1:  # its article-level feature
                        v = adds[0][0]
                        s = [sc + (a0[j] + a1[j] + a2[j] + a3[j] + a4[j] + v[j]) + t_row[j] for j in idx]
                    else:
                        static = [a0[j] + a1[j] + a2[j] + a3[j] + a4[j] for j in idx]
                        for v, _ in adds:
                            static = [x + v[j] for x, j in zip(static, idx)]
                        s = [sc + x + t_row[j] for x, j in zip(static, idx)]
                    for v, _ in hadds:
                        s = [x + v[j] for x, j in zip(s, idx)]
                    cands.extend(zip(s, repeat(hi), idx, repeat(h)))
                new: list[_Hypothesis] = []
                if len(cands) > 1:
                    # stable: ties keep the lower tag, as the greedy argmax does
                    cands.sort(key=first, reverse=True)
                if len(beam) == 1:
                    # One hypothesis: its candidates differ in their tag, so none is
                    # merged with another (saves the states below, ~1/5 of the scored words).
                    _, link, _, p1, hd0 = beam[0]
                    for sc, _, j, h in cands[:width]:
                        hd = {**hd0, key: _history_after(h, j)} if cap else hd0
                        new.append((sc, (j, link), p1, j, hd))
                elif len(cands) > 1:
                    seen = set()
                    for sc, hi, j, h in cands:
                        _, link, _, p1, hd = beam[hi]
                        if cap:
                            hd = {**hd, key: _history_after(h, j)}
                        # Two hypotheses with the same last two tags and the same history
                        # of the words still to come score the rest of the sentence alike:
                        # the lower can never overtake the higher, so it is dropped (it
                        # would hold a place in the beam, and keep the beam from shrinking
                        # back to one hypothesis in the lower-case stretches).
                        if i < horizon:
                            state = (p1, j, *((k, *v) for k, v in hd.items() if later.get(k, 0) > i))
                        else:
                            state = (p1, j)
                        if state in seen:
                            continue
                        seen.add(state)
                        new.append((sc, (j, link), p1, j, hd))
                        if len(new) == width:
                            break
                else:
                    sc, hi, j, h = cands[0]
                    _, link, _, p1, hd = beam[hi]
                    if cap:
                        hd = {**hd, key: _history_after(h, j)}
                    new.append((sc, (j, link), p1, j, hd))
                beam = new
            # the best hypothesis that closes its last name (a gold sentence always does)
            best = next((b for b in beam if closed[b[3]]), beam[0])
            history.update(best[4])
            tags = [0] * n
            node = best[1]
            for k in range(n - 1, -1, -1):
                assert node is not None
                tags[k], node = node
            if _B_MISC in tags:  # see _fix_org_heads
                _fix_org_heads(sent, tags)
            out.append(tags)
        return out


# Multi-word names ending in one of these words are organisations in CoNLL-2003's
# training data (e.g. "Korean Central News Agency"), though the greedy tagger,
# which cannot look at the end of the name, sometimes labels them MISC.
_ORG_HEADS = frozenset(
    """agency ministry council party corp corp. inc inc. ltd ltd. co co. association committee
    army commission institute university bureau company group board department organisation
    organization authority service office corporation foundation academy police""".split()
)


def _history_after(h: list[int] | None, tag: int) -> list[int]:
    """A word's article history (last type, counts per :data:`HIST_TYPES`) after one more ``tag``."""
    t = _HIST_OF_TAG[tag]
    out = [t, *h[1:]] if h is not None else [t, 0, 0, 0, 0, 0]
    out[1 + t] += 1
    return out


_B_MISC, _I_MISC, _L_MISC = (TAGS.index(t) for t in ("B-MISC", "I-MISC", "L-MISC"))
_B_ORG = TAGS.index("B-ORG")


def _fix_org_heads(words: Sequence[str], tags: list[int]) -> None:
    """Relabel multi-word MISC spans whose last word is an organisation head as ORG."""
    n = len(tags)
    i = 0
    while i < n:
        if tags[i] != _B_MISC:
            i += 1
            continue
        j = i + 1
        while j < n and tags[j] in (_I_MISC, _L_MISC):
            j += 1
            if tags[j - 1] == _L_MISC:
                break
        if j - i >= 2 and words[j - 1].lower() in _ORG_HEADS:
            for k in range(i, j):
                tags[k] += _B_ORG - _B_MISC  # same prefix, ORG instead of MISC
        i = j
