"""Named-entity extraction for news articles: persons, organizations, locations.

The default ``"bundled"`` backend is a compact greedy averaged-perceptron tagger
trained on CoNLL-2003 (see :mod:`newsindex.train`) and shipped inside the package as
a gzipped JSON weight file (no pickle).  It needs no NLTK data at run time.  The
``"nltk"`` backend wraps NLTK's typed ``maxent_ne_chunker_tab`` model when that model
is installed.

Quick start::

    >>> from newsindex._entities import article_entities, extract_entities
    >>> text = "Russian President Vladimir Putin met Kim Jong Un in Moscow. Putin smiled."
    >>> [(e.text, e.label, e.name) for e in extract_entities(text)]  # doctest: +SKIP
    [('Vladimir Putin', 'PERSON', 'Vladimir Putin'), ('Kim Jong Un', 'PERSON', 'Kim Jong Un'),
     ('Moscow', 'LOCATION', 'Moscow'), ('Putin', 'PERSON', 'Vladimir Putin')]
    >>> article_entities(text).persons  # doctest: +SKIP
    ('Vladimir Putin', 'Kim Jong Un')

Every :class:`Entity` satisfies ``text[e.start:e.end] == e.text``; ``e.name`` is the
canonical name (titles and possessives stripped, short mentions resolved to the full
name, headline capitals resolved against the body, variants unified by the table in
:mod:`.aliases`).

Pipeline of :meth:`BundledExtractor.extract`: the shared tokenization's sentences are
re-segmented (:func:`resegment`: hard line breaks of headlines, datelines and tables
split, wrapped prose does not, single initials rejoin their name), tagged by the
perceptron, then cleaned by :func:`newsindex._entities.names.tidy` (wire boilerplate,
fragments, span edges, titles, types) and named by :func:`canonicalize`.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import attrs

from .._errors import EntityModelError
from .aliases import alias_table, variants
from .names import canonicalize, surface_name, tidy
from .perceptron import Model, default_model_path, normalize_token, table_row

__all__ = [
    "BACKENDS",
    "LABELS",
    "ArticleEntities",
    "BundledExtractor",
    "Entity",
    "EntityExtractor",
    "EntityModelError",
    "NLTKExtractor",
    "alias_table",
    "article_entities",
    "canonicalize",
    "extract_entities",
    "get_extractor",
]

LABELS = ("PERSON", "ORGANIZATION", "LOCATION", "MISC")

Spans = Sequence[Sequence[tuple[int, int]]]

_NLTK_PACKAGES = ("averaged_perceptron_tagger_eng", "maxent_ne_chunker_tab", "words", "punkt_tab")


@attrs.frozen
class Entity:
    """One entity mention in a text.

    >>> e = Entity("Putin", "PERSON", 10, 15, name="Vladimir Putin")
    >>> e.label, e.name
    ('PERSON', 'Vladimir Putin')
    >>> Entity("Putin", "PERSON", 0, 5).name
    'Putin'
    """

    text: str
    label: str = attrs.field(validator=attrs.validators.in_(LABELS))
    start: int
    end: int
    name: str = attrs.field()

    @name.default
    def _name_default(self) -> str:
        return self.text


@attrs.frozen
class ArticleEntities:
    """The entities of one article: canonical names (facet values) and aliases (search only).

    Contract for indexing and querying:

    * ``persons``, ``organizations``, ``locations``: canonical names, deduplicated, in
      first-mention order; one entity, one value, one spelling (see :func:`canonicalize`).
      These are the facet values.
    * ``person_aliases``, ``organization_aliases``, ``location_aliases``: the *other*
      names under which the same entities should be found by a field search, never shown
      as facets.  They hold (1) every name the article used for an entity that differs
      from its canonical name beyond letter case ("IMF" for "International Monetary
      Fund", "U.S." for "United States", "BankAmerica Corp" for "BankAmerica") and (2)
      the variants :mod:`.aliases` lists for each canonical name, so ``org:IMF`` finds an
      article that only wrote the name out in full.  Deduplicated case-insensitively, in
      order, and never equal to a canonical value of the same type.

    >>> ArticleEntities(persons=("Kim Jong Un",), locations=("Moscow",)).persons
    ('Kim Jong Un',)
    """

    persons: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    person_aliases: tuple[str, ...] = ()
    organization_aliases: tuple[str, ...] = ()
    location_aliases: tuple[str, ...] = ()


@runtime_checkable
class EntityExtractor(Protocol):
    """What indexing needs from an entity backend.

    ``sentences`` is an optional pre-tokenization of ``text``: sentences of
    ``(start, end)`` character spans of tokens.
    """

    name: str

    def extract(self, text: str, sentences: Spans | None = None) -> list[Entity]: ...


# --------------------------------------------------------------------------- tokenization
_FALLBACK_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\w+(?:[-&'\u2019]\w+)*|['\u2019]s\b|[^\w\s]")


def _tokenize(text: str) -> list[list[tuple[int, int]]]:
    try:
        from newsindex._analysis import tokenize
    except ImportError:  # pragma: no cover - only before the analysis module exists
        return [[m.span() for m in _FALLBACK_TOKEN.finditer(text)]]
    return tokenize(text)


# --------------------------------------------------------------------------- sentence re-segmentation
# Punkt reads a text as prose: it runs a headline, a dateline or the rows of a table
# into one "sentence" when no full stop ends them, and it ends a sentence after an
# initial ("D. Fulton", "F.C. Valletta").  Both hurt the tagger, which was trained on
# CoNLL sentences: run-together lines gave names such as "Peter Blackburn BRUSSELS",
# and a split initial loses its name.  So the extractor re-segments Punkt's output.
#
# A line break is a sentence boundary unless it is a soft wrap of running prose.
# Reuters bodies are hard-wrapped at ~70 characters, so a break inside a paragraph is
# common and must not split; and their first line is short (the dateline was cut from
# it), so a line's length alone cannot tell.  So the text is judged as a whole first:
# it is *hard-wrapped* when it has 3+ lines, none longer than 100 characters, and at
# least half of its lines reach 75% of the longest (a wrap width).  CoNLL documents,
# one sentence a line, and texts with one paragraph a line are not.
#
# In a hard-wrapped text a break is a soft wrap unless the next line is blank or
# indented (a new paragraph), either line is a table row (two spaces inside it, or
# mostly numbers) or the line is an ALL-CAPS headline (unless long capitals lines go
# on: a telex body).  In any other text a break is a boundary unless the next line
# starts in lower case, or the line is as long as a wrapped line (40-100 characters),
# not in capitals, not a table row and not ended by a colon or a number (a heading of
# results, a score: "Mushtaq Ahmed 43").
_WRAP_MIN, _WRAP_MAX = 40, 100


def _is_caps(line: str) -> bool:
    return line.isupper() and sum(ch.isalpha() for ch in line) >= 2


_WORD_WITH_LETTER = re.compile(r"\S*[^\W\d_]\S*")


# An ASCII line's shape for counting its words with a letter without the regex (0.2 us,
# not 2.9): letters -> "a", whitespace (str.isspace, as the regex's \s) -> " ", the rest dropped.
_ASCII = bytes(range(128))
_SHAPE = bytes.maketrans(
    bytes(ch for ch in _ASCII if chr(ch).isalpha() or chr(ch).isspace()),
    bytes(ord("a") if chr(ch).isalpha() else ord(" ") for ch in _ASCII if chr(ch).isalpha() or chr(ch).isspace()),
)
_SHAPE_DROPS = bytes(ch for ch in _ASCII if not (chr(ch).isalpha() or chr(ch).isspace()))


@functools.lru_cache(maxsize=4096)  # each line is asked about twice: before and after its break
def _is_table_row(line: str) -> bool:
    """True for a stripped line that looks like a table row (see above)."""
    if "  " in line or "\t" in line:
        return True
    words = line.count(" ") + 1 if line else 0
    if words < 3:
        return False
    if line.isascii():
        shape = line.encode().translate(_SHAPE, _SHAPE_DROPS)  # a word with a letter: a run of "a"
        with_letter = shape.count(b" a") + shape.startswith(b"a")
    else:
        with_letter = len(_WORD_WITH_LETTER.findall(line))
    return with_letter * 2 <= words


def hard_wrapped(text: str) -> bool:
    """True when ``text`` looks hard-wrapped at a fixed width (see above).

    >>> hard_wrapped("Showers continued throughout the week in\\nthe Bahia cocoa zone, "
    ...     "alleviating the drought since early\\nJanuary and improving prospects for the "
    ...     "coming temporao,\\nalthough normal humidity levels have not been restored,\\n"
    ...     "Comissaria Smith said in its weekly review.")
    True
    """
    lengths = [len(kept) for line in text.split("\n") if (kept := line.rstrip())]  # blank lines out
    if len(lengths) < 3:
        return False
    width = max(lengths)
    return width <= _WRAP_MAX and 2 * sum(n >= 0.75 * width for n in lengths) >= len(lengths)


def soft_wrap(text: str, nl: int, wrapped: bool | None = None) -> bool:
    """True when the line break at ``text[nl]`` is a wrap inside running prose.

    ``wrapped``: whether the text is hard-wrapped (:func:`hard_wrapped`, computed when None).

    >>> t = "The bank said it had raised its prime lending rate to\\nnine pct from 8.75."
    >>> soft_wrap(t, t.index("\\n"))
    True
    >>> t = "Peter Blackburn\\nBRUSSELS 1996-08-22"
    >>> soft_wrap(t, t.index("\\n"))
    False
    """
    if wrapped is None:
        wrapped = hard_wrapped(text)
    start = text.rfind("\n", 0, nl) + 1
    line = text[start:nl].rstrip()
    end = text.find("\n", nl + 1)
    nxt = text[nl + 1 : len(text) if end < 0 else end]
    if not line.strip() or not nxt[:1].strip():  # blank line, or the next one is indented
        return False
    nxt = nxt.strip()
    if not nxt:
        return False
    line_caps = _is_caps(line)
    # Wrapped prose: the next line goes on in lower case, or the text is hard-wrapped
    # and neither line is a headline or a table row (the cheap tests first).
    if wrapped or nxt[0].islower():
        if line_caps and not (_is_caps(nxt) and len(nxt) >= _WRAP_MIN):
            return False  # a capitals line is a headline unless capitals lines go on (telex)
        if nxt[0].isupper() and (line[-1] == ":" or line[-1].isdigit()):
            return False  # a list's heading or a score line: "Mushtaq Ahmed 43" / "A. Stewart"
        return not (_is_table_row(line.strip()) or _is_table_row(nxt))
    if line_caps or not _WRAP_MIN <= len(line) <= _WRAP_MAX:
        return False
    if line[-1] == ":" or line[-1].isdigit():  # "matches on Saturday :", a score "Ahmed 43"
        return False
    return not (_is_table_row(line.strip()) or _is_table_row(nxt))


_INITIALS = re.compile(r"(?:^|[\s(])((?:[^\W\d_]\.){1,3})$")
_NOT_INITIALS = frozenset({"U.S.", "U.K.", "U.N.", "a.m.", "p.m."})


# The shared tokenizer keeps "U.S." whole but splits a single initial ("D." -> "D", "."),
# while CoNLL (and so the model) sees "D." as one token of a name such as "D. Fulton".
_SPLIT_INITIAL = re.compile(r"\b[^\W\d_]\.\s+[^\W\d_]")
# The tail of its every match, which re finds by a fast scan for its first character
# ("\b" first makes re try every position): most sentences need no more.
_SPLIT_INITIAL_TAIL = re.compile(r"\.\s+[^\W\d_]")


def _join_initials(text: str, sent: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a one-letter token, a touching "." and nothing else into one token ("D.")."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(sent)
    while i < n:
        a, b = sent[i]
        if (
            b - a == 1
            and i + 1 < n
            and sent[i + 1] == (b, b + 1)
            and text[b] == "."
            and text[a].isupper()
            and i + 2 < n
            and text[sent[i + 2][0]].isupper()
        ):
            out.append((a, b + 1))
            i += 2
            continue
        out.append((a, b))
        i += 1
    return out


# The shared tokenizer splits ordinals ("8th" -> "8", "th"; "1ST" -> "1", "ST"), which
# CoNLL, and so the model, sees whole: in a scorers' line "Vairelles 8th" the extra number
# tokens made the sentence read as a results table (a team, not a player).
_SPLIT_ORDINAL = re.compile(r"\d(?:st|nd|rd|th|ST|ND|RD|TH)\b")
_ORDINAL_ENDS = frozenset({"st", "nd", "rd", "th"})


def _join_ordinals(text: str, sent: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a number and a touching ordinal suffix into one token ("8th")."""
    out: list[tuple[int, int]] = []
    for a, b in sent:
        if out and out[-1][1] == a and text[a:b].lower() in _ORDINAL_ENDS and text[a - 1].isdigit():
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def resegment(text: str, sentences: Spans) -> list[list[tuple[int, int]]]:
    """Split ``sentences`` at hard line breaks, rejoin splits after an initial and split
    ordinals (see above)."""
    out: list[list[tuple[int, int]]] = []
    joinable = False  # may the next sentence continue the last one (no break between)?
    wrapped: bool | None = None  # computed on the first sentence that spans a line break
    for sent in sentences:
        if not sent:
            continue
        first = sent[0]
        if out and joinable and first[0] >= out[-1][-1][1]:
            b = out[-1][-1][1]
            gap = text[b : first[0]]
            m = _INITIALS.search(text, max(0, b - 8), b)
            if "\n" not in gap and text[first[0] : first[0] + 1].isupper() and m and m.group(1) not in _NOT_INITIALS:
                out[-1].extend(sent)
                sent = out.pop()
        s0, s1 = sent[0][0], sent[-1][1]
        if _SPLIT_INITIAL_TAIL.search(text, s0, s1) and _SPLIT_INITIAL.search(text, s0, s1):
            sent = _join_initials(text, sent)
        if _SPLIT_ORDINAL.search(text, s0, s1):
            sent = _join_ordinals(text, sent)
        if s1 <= s0 or text.find("\n", s0, s1) < 0:
            out.append(list(sent))
            joinable = True
            continue
        if wrapped is None:
            wrapped = hard_wrapped(text)
        # Look at each line break once, not at each token gap: most are soft wraps.
        hard = []
        nl = text.find("\n", s0, s1)
        while nl >= 0:
            if not soft_wrap(text, nl, wrapped):
                hard.append(nl)
            nl = text.find("\n", nl + 1, s1)
        if not hard:
            out.append(list(sent))
        else:
            cur: list[tuple[int, int]] = []
            k = 0
            for tok in sent:
                if k < len(hard) and tok[0] > hard[k]:
                    while k < len(hard) and tok[0] > hard[k]:
                        k += 1
                    if cur:
                        out.append(cur)
                    cur = []
                cur.append(tok)
            out.append(cur)
        joinable = True
    return out


# --------------------------------------------------------------------------- backends
_TYPE_LABEL = {"PER": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION", "MISC": "MISC"}


class BundledExtractor:
    """The shipped averaged-perceptron model (CoNLL-2003 conventions, no NLTK data needed).

    >>> ex = BundledExtractor()                                     # doctest: +SKIP
    >>> [(e.text, e.label) for e in ex.extract("Kim Jong Un visited Moscow.")]  # doctest: +SKIP
    [('Kim Jong Un', 'PERSON'), ('Moscow', 'LOCATION')]
    """

    name = "bundled"

    def __init__(self, model_path: str | Path | None = None) -> None:
        path = Path(model_path) if model_path is not None else default_model_path()
        try:
            self.model = Model.load(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EntityModelError(f"cannot load the bundled entity model {path}: {exc}") from exc
        from .perceptron import TAGS

        self._tag_type = [None if t == "O" else _TYPE_LABEL[t[2:]] for t in TAGS]
        self._tag_begin = [t[:2] in ("B-", "U-") for t in TAGS]
        lex = self.model.lexicon
        self._known = lex.classes.__contains__

        def namelike(word: str) -> bool:
            low = word.lower()
            return "P" in lex.gaz.get(low, "") or lex.caps.get(low, "") in ("3", "4")

        self._namelike = namelike

        def common(word: str) -> bool:
            return lex.caps.get(word.lower(), "4") in ("0", "1", "2")  # capitalised < 60% mid-sentence

        def place(name: str) -> bool:
            # One word: a listed place; more: a listed place's first word, then later words.
            flags = [lex.gaz.get(w, "") for w in name.lower().split()]
            if len(flags) == 1:
                return "P" in flags[0]
            return bool(flags) and "B" in flags[0] and all("I" in f for f in flags[1:])

        self._common = common
        self._place = place
        self._countries = frozenset(w for w, f in lex.gaz.items() if "C" in f and "P" in f)
        self._u_org_loc = (TAGS.index("U-ORG"), TAGS.index("U-LOC"))
        self._u_misc = TAGS.index("U-MISC")

    def extract(self, text: str, sentences: Spans | None = None) -> list[Entity]:
        """Entities of ``text`` in text order (``sentences``: optional token spans)."""
        if sentences is None:
            sentences = _tokenize(text)
        sentences = resegment(text, sentences)
        if text.isascii():
            words = [[text[a:b] for a, b in sent] for sent in sentences]
        else:
            words = [[normalize_token(text[a:b]) for a, b in sent] for sent in sentences]
        tagged = self.model.tag_document_ids(words)
        countries = self._countries
        u_org, u_loc = self._u_org_loc
        u_misc = self._u_misc
        for sent_words, tags in zip(words, tagged):
            # A one-word country tagged as an organization outside a results table is a
            # place: suffixes mislead the tagger ("Philippines" ends like "Airlines").  The
            # costlier table test last: 8 calls, not 8,857, over 5,000 Reuters articles.
            if u_org in tags:
                found = [i for i, k in enumerate(tags) if k == u_org and sent_words[i].lower() in countries]
                if found and not table_row(sent_words):
                    for i in found:
                        tags[i] = u_loc
            # Nor is it ever MISC (eng.train has 2,685 such words as places, none as MISC),
            # which the beam-trained tagger says of "The Philippines" now and then.
            if u_misc in tags:
                for i, k in enumerate(tags):
                    if k == u_misc and sent_words[i].lower() in countries:
                        tags[i] = u_loc
        tag_type = self._tag_type
        begin = self._tag_begin
        spans: list[tuple[int, int, str]] = []
        for sent, tags in zip(sentences, tagged):
            cur = None
            start = end = 0
            for (a, b), k in zip(sent, tags):
                typ = tag_type[k]
                if typ is not None and typ == cur and not begin[k] and a >= end:
                    end = b
                    continue
                if cur is not None and end > start:
                    spans.append((start, end, cur))
                cur = typ
                start, end = a, b
            if cur is not None and end > start:
                spans.append((start, end, cur))
        ents: list[Entity] = []
        for start, end, label in spans:
            mention = text[start:end]
            # A name has a capital letter or a digit somewhere; this drops rare junk such as
            # the clitic "’t" of "didn’t" (CoNLL tokenizes "n't", so "'t" is unseen in
            # training).  Most start with a capital: that test first.
            if mention[0].isupper() or any(ch.isupper() or ch.isdigit() for ch in mention):
                ents.append(Entity(mention, label, start, end, mention))
        return canonicalize(tidy(text, ents, self._common, self._place), text, self._known, self._namelike)


class NLTKExtractor:
    """NLTK's typed maxent NE chunker (``maxent_ne_chunker_tab``, multiclass) after ``pos_tag``.

    Raises :class:`EntityModelError` naming the NLTK packages to download when the
    typed chunker or the tagger is not installed (the binary-only chunker is not
    enough: it has no entity types).

    >>> NLTKExtractor()  # doctest: +SKIP
    Traceback (most recent call last):
    EntityModelError: ...
    """

    name = "nltk"
    _LABELS: ClassVar[dict[str, str]] = {
        "PERSON": "PERSON",
        "ORGANIZATION": "ORGANIZATION",
        "GPE": "LOCATION",
        "LOCATION": "LOCATION",
        "FACILITY": "LOCATION",
        "GSP": "LOCATION",
    }

    def __init__(self) -> None:
        hint = (
            "the 'nltk' entity backend needs NLTK's typed (multiclass) named-entity chunker; "
            "install the NLTK data packages "
            + ", ".join(_NLTK_PACKAGES)
            + " (python -m nltk.downloader "
            + " ".join(_NLTK_PACKAGES)
            + ") or use the 'bundled' backend"
        )
        try:
            from nltk.chunk import ne_chunker
            from nltk.tag import PerceptronTagger

            self._chunker = ne_chunker(fmt="multiclass")
            self._tagger = PerceptronTagger(lang="eng")
        except (LookupError, OSError, ValueError, ImportError) as exc:
            raise EntityModelError(f"{hint}: {exc.__class__.__name__}") from exc

    def extract(self, text: str, sentences: Spans | None = None) -> list[Entity]:
        """Entities of ``text`` (PERSON, ORGANIZATION, LOCATION) in text order."""
        from nltk.tree import Tree

        if sentences is None:
            sentences = _tokenize(text)
        ents: list[Entity] = []
        for sent in sentences:
            if not sent:
                continue
            words = [normalize_token(text[a:b]) or "_" for a, b in sent]
            tree = self._chunker.parse(self._tagger.tag(words))
            i = 0
            for node in tree:
                if isinstance(node, Tree):
                    n = len(node.leaves())
                    label = self._LABELS.get(node.label())
                    if label is not None:
                        start, end = sent[i][0], sent[i + n - 1][1]
                        ents.append(Entity(text[start:end], label, start, end))
                    i += n
                else:
                    i += 1
        return canonicalize(tidy(text, ents), text)


_BACKENDS = {"bundled": BundledExtractor, "nltk": NLTKExtractor}
BACKENDS = tuple(_BACKENDS)  # names get_extractor accepts, the default first
_lock = threading.Lock()


@functools.cache
def _cached_extractor(backend: str) -> EntityExtractor:
    return _BACKENDS[backend]()


def get_extractor(backend: str = "bundled") -> EntityExtractor:
    """The process-wide extractor for ``backend`` ("bundled" or "nltk"), loaded once.

    >>> get_extractor().name
    'bundled'
    """
    if backend not in _BACKENDS:
        raise EntityModelError(f"unknown entity backend {backend!r}; choose one of {', '.join(_BACKENDS)}")
    with _lock:
        return _cached_extractor(backend)


def extract_entities(text: str, backend: str = "bundled") -> list[Entity]:
    """All entity mentions of ``text`` (including MISC with the bundled backend).

    >>> [e.label for e in extract_entities("Angela Merkel visited Paris.")]
    ['PERSON', 'LOCATION']
    """
    return get_extractor(backend).extract(text)


def article_entities(
    text: str,
    sentences: Spans | None = None,
    extractor: EntityExtractor | None = None,
) -> ArticleEntities:
    """Canonical persons, organizations and locations of one article, and their aliases
    (MISC excluded; see :class:`ArticleEntities` for the contract).

    >>> article_entities("Putin met Kim Jong Un. Later Kim left Moscow.").locations
    ('Moscow',)
    >>> ents = article_entities("The International Monetary Fund (IMF) met in Washington.")
    >>> ents.organizations, ents.organization_aliases[:1]
    (('International Monetary Fund',), ('IMF',))
    """
    ex = extractor if extractor is not None else get_extractor()
    labels = ("PERSON", "ORGANIZATION", "LOCATION")
    names: dict[str, dict[str, None]] = {label: {} for label in labels}
    said: dict[str, dict[str, None]] = {label: {} for label in labels}
    for e in ex.extract(text, sentences):
        if e.label in names and e.name:
            names[e.label].setdefault(e.name, None)
            surface = surface_name(e.text, e.label)
            # A headline's capitals spelling is no name of its own: the canonical covers it.
            if surface and not (surface.isupper() and len(surface) > 4):
                said[e.label].setdefault(surface, None)
    aliases: dict[str, tuple[str, ...]] = {}
    for label in labels:
        taken = {n.casefold() for n in names[label]}
        found: list[str] = []
        for name in (*said[label], *(v for n in names[label] for v in variants(n, label))):
            if name.casefold() not in taken:
                taken.add(name.casefold())
                found.append(name)
        aliases[label] = tuple(found)
    return ArticleEntities(
        persons=tuple(names["PERSON"]),
        organizations=tuple(names["ORGANIZATION"]),
        locations=tuple(names["LOCATION"]),
        person_aliases=aliases["PERSON"],
        organization_aliases=aliases["ORGANIZATION"],
        location_aliases=aliases["LOCATION"],
    )
