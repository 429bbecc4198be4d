"""The query language: Whoosh's parser, configured with our plugins and fields.

Whoosh's parser is forgiving: it quietly turns ``"unbalanced`` or ``title:``
into plain words. Ours is strict instead: :class:`StrictPlugin` inspects the
tagged syntax nodes and raises :class:`QueryError` naming what is wrong and
where. :class:`EntityFieldPlugin` adds the ``entity:`` pseudo-field, and
:class:`NewsTermsPlugin` normalizes wildcard and fuzzy terms the way the
index normalizes words.

>>> from newsindex._schema import build_schema
>>> print(parse('person:"Kim Jong Un" place:Russia', build_schema()))
(person:"kim jong un" AND location:russia)
>>> print(parse('entity:Putin', build_schema()))
(person:putin OR organization:putin OR location:putin)
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Iterator
from typing import Any

from whoosh import qparser, query
from whoosh.fields import Schema
from whoosh.qparser import syntax
from whoosh.qparser.common import QueryParserError
from whoosh.reading import IndexReader

from ._analysis import index_terms, normalize
from ._errors import QueryError
from ._schema import NOW
from ._vocabulary import ANY_ENTITY, ENTITY_FIELDS, FIELD_ALIASES
from ._whoosh import MAX_QUERY_STEPS, MAX_QUERY_WORDS, Budget, BudgetExceeded, Phrase, Words, expand, without_andnot

__all__ = [
    "DEFAULT_FIELDS",
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_STEPS",
    "MAX_QUERY_WORDS",
    "QueryError",
    "Words",
    "expand",
    "expand_multiterms",
    "make_parser",
    "over_budget",
    "parse",
    "prepare",
    "too_many_words",
]

DEFAULT_FIELDS = ("title", "body")
STEMMED_FIELDS = frozenset(DEFAULT_FIELDS)
MAX_QUERY_CHARS = 10_000
MAX_DEPTH = 32  # nested parentheses
MAX_CLAUSES = 1_000  # leaf queries after expansion over fields
MAX_EXPANSIONS = 1_000  # terms one wildcard or fuzzy term may match, per field
DEFAULT_FUZZY_PREFIX = 1  # letters a fuzzy term must share with its matches
MAX_FUZZY_DISTANCE = 2  # Whoosh allows ~9, which walks the whole lexicon slowly
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})


class _SyntaxError(QueryParserError):
    """Raised inside parser filters; :func:`parse` turns it into a QueryError."""

    def __init__(self, message: str, position: int | None) -> None:
        super().__init__(message)
        self.message, self.position = message, position


def _start(node: syntax.SyntaxNode) -> int | None:
    return getattr(node, "startchar", None)


def _known_fields(schema: Schema) -> set[str]:
    aliases = {alias for names in FIELD_ALIASES.values() for alias in names}
    return set(schema.names()) | aliases | {ANY_ENTITY}


def _is_operator(node: syntax.SyntaxNode) -> bool:
    return isinstance(node, syntax.Operator)


class StrictPlugin(qparser.Plugin):
    """Turns what Whoosh silently repairs into errors with a position.

    Runs first on the flat token list (brackets, quotes) and again right after
    grouping (operators, empty or unknown fields), before any Whoosh filter
    could swallow the evidence.
    """

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.check_tokens, -10), (self.check_groups, 1)]

    def check_tokens(self, parser: qparser.QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        opened: list[syntax.SyntaxNode] = []
        for node in group:
            if isinstance(node, qparser.GroupPlugin.OpenBracket):
                opened.append(node)
                if len(opened) > MAX_DEPTH:
                    raise _SyntaxError(f"parentheses nested more than {MAX_DEPTH} deep", _start(node))
            elif isinstance(node, qparser.GroupPlugin.CloseBracket):
                if not opened:
                    raise _SyntaxError("unbalanced ')': no '(' before it", _start(node))
                opened.pop()
            elif isinstance(node, syntax.WordNode) and '"' in node.text:
                raise _SyntaxError(
                    "unbalanced '\"': a phrase needs a closing quote", node.startchar + node.text.index('"')
                )
        if opened:
            raise _SyntaxError("unbalanced '(': no ')' closes it", _start(opened[-1]))
        return group

    def check_groups(self, parser: qparser.QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        known = _known_fields(parser.schema)
        nodes = [node for node in group if not node.is_ws()]
        raw = list(group)
        where = {id(n): i for i, n in enumerate(raw)}  # a node's place in raw, without a scan per node
        for i, node in enumerate(nodes):
            before = nodes[i - 1] if i else None
            after = nodes[i + 1] if i + 1 < len(nodes) else None
            if isinstance(node, syntax.GroupNode):
                self.check_groups(parser, node)
                if not [n for n in node if not n.is_ws()] and not isinstance(before, syntax.FieldnameNode):
                    raise _SyntaxError("empty parentheses", _start(node))
            elif isinstance(node, syntax.InfixOperator):
                if before is None or _is_operator(before) or isinstance(before, syntax.FieldnameNode):
                    raise _SyntaxError(f"{node.text} needs a term before it", _start(node))
                if after is None or isinstance(after, syntax.InfixOperator):
                    raise _SyntaxError(f"{node.text} needs a term after it", _start(node))
            elif isinstance(node, syntax.PrefixOperator):
                if after is None or _is_operator(after):
                    raise _SyntaxError(f"{node.text.strip()} needs a term after it", _start(node))
            elif isinstance(node, qparser.GtLtPlugin.GtLtNode):
                at = where[id(node)]
                if not at or not isinstance(raw[at - 1], syntax.FieldnameNode):  # Whoosh would crash on "<0"
                    raise _SyntaxError(
                        f"'{node.rel}' needs a field before it, as in published:{node.rel}2023", _start(node)
                    )
                value = raw[at + 1] if at + 1 < len(raw) else None
                if value is None or value.is_ws() or _is_operator(value):  # and on "0:<"
                    raise _SyntaxError(
                        f"'{node.rel}' needs a value after it, as in published:{node.rel}2023", _start(node)
                    )
            elif isinstance(node, syntax.WordNode) and node.text in _OPERATOR_WORDS:
                raise _SyntaxError(f"{node.text} needs a term on each side", _start(node))
            elif isinstance(node, syntax.FieldnameNode) and not isinstance(before, syntax.FieldnameNode):
                self._check_field(node, raw, where[id(node)], known)  # in url:http://x, "http:" is the value
        return group

    @staticmethod
    def _check_field(node: syntax.FieldnameNode, raw: list[syntax.SyntaxNode], at: int, known: set[str]) -> None:
        """A field (at ``raw[at]``) must exist and be followed, with no space, by its value."""
        lower = node.fieldname.lower()
        if lower in known:
            node.fieldname = lower  # Person:Putin is person:Putin
        rest = raw[at + 1 :]
        if rest and isinstance(rest[0], qparser.GtLtPlugin.GtLtNode):
            rest = rest[1:]
        value = rest[0] if rest else None
        if value is None or value.is_ws() or _is_operator(value):
            if lower in known:
                raise _SyntaxError(f"{node.fieldname}: has no value (write {node.fieldname}:word)", _start(node))
            return  # "Breaking: news" is just text
        if lower not in known and not node.fieldname.isdigit():  # 10:30 is text too
            close = difflib.get_close_matches(lower, sorted(known), n=1)
            hint = f"; did you mean {close[0]}:?" if close else ""
            raise _SyntaxError(f"unknown field {node.fieldname!r}{hint}", _start(node))


class _NewsFieldsPlugin(qparser.FieldsPlugin):
    """FieldsPlugin that keeps unknown names: StrictPlugin has already vetted them."""

    def __init__(self) -> None:
        super().__init__(remove_unknown=False)

    def do_fieldnames(self, parser: qparser.QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        # Only this group's own nodes: Whoosh's do_fieldnames below calls this
        # method for each subgroup. Recursing here too visited a group 2^depth
        # times (20 nested brackets took 4 s, 32 took hours).
        known = _known_fields(parser.schema)
        kept: list[syntax.SyntaxNode] = []
        nodes = list(group)
        for i, node in enumerate(nodes):
            # Digits before a colon ("10:30") are text, as Whoosh would have it.
            if isinstance(node, syntax.FieldnameNode) and node.fieldname not in known:
                following = nodes[i + 1] if i + 1 < len(nodes) else None
                if following is not None and following.has_text:
                    following.text = node.original + following.text
                    following.startchar = node.startchar
                    continue
                node = syntax.to_word(node)
            kept.append(node)
        group.nodes = kept
        return super().do_fieldnames(parser, group)


class EntityFieldPlugin(qparser.Plugin):
    """``entity:X`` searches person, organization and location at once.

    Runs after field names are applied (100) and before the multifield plugin
    (110), so ``entity:`` clauses are expanded exactly like default fields.
    Phrases on date fields (``published:"last week"``) become date terms here too.
    """

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.do_entities, 105)]

    def do_entities(self, parser: qparser.QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_entities(parser, node)
            elif isinstance(node, qparser.PhrasePlugin.PhraseNode) and self._self_parsing(parser, node.fieldname):
                word = syntax.WordNode(node.text)
                word.fieldname, word.boost = node.fieldname, node.boost
                word.startchar, word.endchar = node.startchar, node.endchar
                group[i] = word
            elif node.has_fieldname and node.fieldname == ANY_ENTITY:
                copies = []
                for field in ENTITY_FIELDS:
                    clone = copy.copy(node)
                    clone.set_fieldname(field, override=True)
                    copies.append(clone)
                group[i] = syntax.OrGroup(copies)
        return group

    @staticmethod
    def _self_parsing(parser: qparser.QueryParser, fieldname: str | None) -> bool:
        return bool(fieldname) and fieldname in parser.schema and parser.schema[fieldname].self_parsing()


class NewsTermsPlugin(qparser.Plugin):
    """Normalizes wildcard, prefix and fuzzy terms like indexed words.

    Whoosh passes their text to the query untouched, so ``Missil*`` would look
    for capitalized terms that the index never holds. Fuzzy terms on stemmed
    fields are stemmed (``missiles~`` looks near ``missil``).
    """

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.do_terms, 120)]  # after the multifield copies exist

    def do_terms(self, parser: qparser.QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self.do_terms(parser, node)
            elif isinstance(node, qparser.FuzzyTermPlugin.FuzzyTermNode):
                if node.maxdist > MAX_FUZZY_DISTANCE:
                    raise _SyntaxError(
                        f"fuzzy distance {node.maxdist} is over the limit of {MAX_FUZZY_DISTANCE}", _start(node)
                    )
                node.text = normalize(node.text)
                # Typos rarely hit the first letter; requiring it scans a small
                # slice of the vocabulary instead of all of it (10x+ faster).
                node.prefixlength = max(node.prefixlength, DEFAULT_FUZZY_PREFIX)
                if node.fieldname in STEMMED_FIELDS and node.text.isalpha():
                    stems = index_terms(node.text, stops=False)
                    node.text = stems[0].text if len(stems) == 1 else node.text
                # Whoosh's automaton fails on a prefix longer than the word (a~1/3).
                node.prefixlength = min(node.prefixlength, len(node.text))
            elif isinstance(node, qparser.WildcardPlugin.WildcardNode | qparser.PrefixPlugin.PrefixNode):
                node.text = normalize(node.text)
        return group


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A quoted phrase whose words keep their stop words.

    Whoosh analyzes a phrase like any query text, so ``"bank of england"`` lost
    its ``of`` and matched "bank england"; the index holds stop words, so a
    phrase can ask for the words exactly as written.
    """

    def query(self, parser: qparser.QueryParser) -> query.Query:
        fieldname = self.fieldname or parser.fieldname
        field = parser.schema[fieldname] if parser.schema and fieldname in parser.schema else None
        if field is None or not field.analyzer:
            return super().query(parser)  # self-parsing fields (dates) read the text themselves
        start = self.textstartchar
        tokens = field.tokenize(self.text, mode="query", chars=True, removestops=False)
        words, char_ranges = [], []
        for token in tokens:
            words.append(token.text)
            char_ranges.append((start + token.startchar, start + token.endchar))
        q = parser.phraseclass(fieldname, words, slop=self.slop, boost=self.boost, char_ranges=char_ranges)
        return syntax.attach(q, self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
    def create(self, parser: qparser.QueryParser, match: Any) -> _PhraseNode:
        slop = match.group("slop")
        return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)


class _PhrasePlugin(qparser.PhrasePlugin):
    """Whoosh's phrase syntax (``"a b"``, ``"a b"~3``), with :class:`_PhraseNode`."""

    def taggers(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(_PhraseTagger(self.expr), 0)]


def make_parser(schema: Schema) -> qparser.QueryParser:
    """A Whoosh query parser for the newsindex schema."""
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup, phraseclass=Phrase)
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.add_plugin(_NewsFieldsPlugin())
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(_PhrasePlugin())
    # "-word" excludes, like NOT word; "+word" is accepted and means what AND does.
    minus = qparser.OperatorsPlugin.OpTagger(
        r"(^|(?<=[\s(]))-(?=[^\s\-])", syntax.NotGroup, syntax.PrefixOperator, memo="minus"
    )
    plus = qparser.OperatorsPlugin.OpTagger(r"(^|(?<=[\s(]))\+(?=[^\s+])", syntax.AndGroup, syntax.PrefixOperator)
    parser.replace_plugin(qparser.OperatorsPlugin(ops=[(minus, 0), (plus, 0)]))
    parser.add_plugin(qparser.FieldAliasPlugin({field: list(names) for field, names in FIELD_ALIASES.items()}))
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(StrictPlugin())
    parser.add_plugin(EntityFieldPlugin())
    parser.add_plugin(NewsTermsPlugin())
    return parser


def _walk(q: query.Query) -> Iterator[query.Query]:
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _walk(child)


def parse(text: str, schema: Schema, *, now: dt.datetime | None = None) -> query.Query:
    """Parse query text into a Whoosh query, or raise :class:`QueryError`.

    >>> from newsindex._schema import build_schema
    >>> parse('"kim putin', build_schema())
    Traceback (most recent call last):
    newsindex.QueryError: unbalanced '"': a phrase needs a closing quote (at character 1)
    """
    if not isinstance(text, str):
        raise QueryError(f"a query is text, not {type(text).__name__}", "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text):,} characters, over the {MAX_QUERY_CHARS:,} limit", text[:100])
    if not text.strip():
        raise QueryError("empty query", text)
    token = NOW.set(now)
    try:
        q = make_parser(schema).parse(text)
    except _SyntaxError as exc:
        raise QueryError(exc.message, text, exc.position) from None
    except RecursionError:
        raise QueryError("query is nested too deeply", text) from None
    except NotImplementedError:  # a syntax node Whoosh cannot turn into a query; never a traceback
        raise QueryError("cannot make sense of this query; check its operators and brackets", text) from None
    finally:
        NOW.reset(token)
    leaves = 0
    for node in _walk(q):
        if getattr(node, "error", None):
            raise QueryError(str(node.error), text, getattr(node, "startchar", None))
        leaves += node.is_leaf()
    if leaves > MAX_CLAUSES:
        raise QueryError(f"query has {leaves:,} clauses, over the {MAX_CLAUSES:,} limit", text)
    return q


def prepare(q: query.Query, reader: IndexReader, limit: int = MAX_EXPANSIONS) -> query.Query:
    """``q`` as it is matched: Whoosh's faulty binary queries replaced
    (:func:`~newsindex._whoosh.without_andnot`), wildcard and fuzzy terms expanded
    (:func:`expand_multiterms`) under one budget for the whole query."""
    return expand_multiterms(without_andnot(q), reader, limit)


def expand_multiterms(
    q: query.Query, reader: IndexReader, limit: int = MAX_EXPANSIONS, budget: Budget | None = None
) -> query.Query:
    """``q`` with each wildcard or fuzzy term replaced by the :class:`Words` it matches.

    Raises :class:`QueryError` past ``limit`` words for one term, when all the
    terms together match more than :data:`MAX_QUERY_WORDS` words or examine more
    than :data:`MAX_QUERY_STEPS` (50 OR'd ``*abq*`` took 14 s before this budget
    and a scan of one merged word list replaced Whoosh's per-segment regex walk),
    or for a lone ``*``. Whoosh would expand such a term again for every segment
    and every use (size estimate, matcher, highlighting); once per search is enough.
    """
    budget = budget or Budget()
    try:
        return _expand_multiterms(q, reader, limit, budget, {})
    except BudgetExceeded as exc:
        raise over_budget(exc) from None


def too_many_words(term: query.Query, limit: int) -> QueryError:
    """The error for one wildcard or fuzzy term that matches more than ``limit`` words
    (worded alike for one index and for an archive, which gathers shards' words)."""
    return QueryError(
        f"'{_shown(term)}' matches more than {limit:,} words in {term.fieldname}; make it more specific",
        "",
        getattr(term, "startchar", None),
    )


def over_budget(exc: BudgetExceeded) -> QueryError:
    """The error for a query whose wildcard and fuzzy terms together pass a budget."""
    return QueryError(
        f"the wildcard and fuzzy terms of this query {exc.what} more than {exc.limit:,} words together "
        f"(the limit was passed at '{_shown(exc.term)}' in {exc.term.fieldname}); use fewer or more specific ones",
        "",
        getattr(exc.term, "startchar", None),
    )


def _shown(term: query.Query) -> str:
    """A wildcard, prefix or fuzzy term as it was written."""
    text: str = getattr(term, "text", "")
    if isinstance(term, query.Prefix):
        return f"{text}*"
    if isinstance(term, query.FuzzyTerm):
        return f"{text}~{term.maxdist if term.maxdist != 1 else ''}"
    return text


def _expand_multiterms(
    q: query.Query, reader: IndexReader, limit: int, budget: Budget, seen: dict[Any, frozenset[str]]
) -> query.Query:
    if isinstance(q, query.Every) or (isinstance(q, query.Wildcard) and q.text.strip("*") == ""):
        if q.fieldname and reader.schema[q.fieldname].self_parsing():
            return q  # published:* is a cheap date range
        raise QueryError(f"'{q.text if hasattr(q, 'text') else '*'}' alone matches every word; add letters")
    if isinstance(q, query.MultiTerm) and not isinstance(q, query.Variations):
        # A term repeated in the query is expanded once; its words still count
        # against the budget each time, as each copy reads their postings.
        key = (type(q), q.fieldname, getattr(q, "text", None), getattr(q, "maxdist", 0), getattr(q, "prefixlength", 0))
        words = seen.get(key)
        if words is None:
            found = expand(q, reader, limit, budget)
            if len(found) > limit:
                raise too_many_words(q, limit)
            words = seen[key] = frozenset(found)
        else:
            budget.spend_words(len(words), q)
        return Words(q.fieldname, words, q.boost) if words else query.NullQuery
    if q.is_leaf():
        return q
    return q.apply(lambda child: _expand_multiterms(child, reader, limit, budget, seen))
