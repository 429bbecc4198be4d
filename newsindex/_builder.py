"""A Python builder for queries, for code that composes them.

Each builder call makes the same Whoosh query the text form parses to, so
``Q.person("Kim Jong Un")`` and ``person:"Kim Jong Un"`` find the same articles.

>>> import datetime as dt
>>> from newsindex._schema import build_schema
>>> q = Q.phrase("ballistic missiles") & Q.person("Kim Jong Un") & Q.published(since=dt.date(2023, 9, 1))
>>> str(q)
'"ballistic missiles" AND person:"Kim Jong Un" AND published:[2023-09-01 TO]'
>>> print(q.to_query(build_schema()))  # doctest: +ELLIPSIS
((title:"ballist missil" OR body:"ballist missil") AND person:"kim jong un" AND published:[... TO ...])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from whoosh import query
from whoosh.fields import Schema

from . import _dates as dates
from ._query import DEFAULT_FIELDS, QueryError, parse
from ._schema import date_query
from ._vocabulary import ENTITY_FIELDS
from ._whoosh import Phrase

__all__ = ["Q"]

Build = Callable[[Schema, dt.datetime], query.Query]
DateLike = dt.date | dt.datetime | str


def _words(schema: Schema, field: str, text: str, *, stops: bool = True) -> list[str]:
    """The index terms of ``text`` in ``field`` (stemmed for title and body);
    ``stops=False`` keeps stop words, as a phrase must."""
    if field not in schema:
        raise QueryError(f"unknown field {field!r}")
    return list(schema[field].process_text(text, mode="query", removestops=stops))


def _field_query(schema: Schema, field: str, text: str, *, phrase: bool, slop: int, boost: float) -> query.Query:
    words = _words(schema, field, text, stops=not phrase)
    if not words:
        return query.NullQuery
    if len(words) == 1:
        return query.Term(field, words[0], boost=boost)
    if phrase:
        return Phrase(field, words, slop=slop, boost=boost)
    return query.And([query.Term(field, w, boost=boost) for w in words])


def _quote(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


def _date_text(value: DateLike) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


class Q:
    """A composable query: combine with ``&`` (and), ``|`` (or), ``~`` (not).

    Pass one to :meth:`Index.search` in place of query text, or turn it into a
    Whoosh query with :meth:`to_query`. ``str(q)`` is the equivalent text.
    """

    __slots__ = ("_build", "_text")

    def __init__(self, build: Build, text: str) -> None:
        self._build = build
        self._text = text

    def to_query(self, schema: Schema, now: dt.datetime | None = None) -> query.Query:
        """The Whoosh query, normalized as the parser normalizes its own."""
        return self._build(schema, now or dt.datetime.now(dt.UTC)).normalize()

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Q({self._text!r})"

    # -- combinators -------------------------------------------------

    def __and__(self, other: Q) -> Q:
        return Q(
            lambda s, n: query.And([self._build(s, n), other._build(s, n)]), f"{self._group()} AND {other._group()}"
        )

    def __or__(self, other: Q) -> Q:
        return Q(lambda s, n: query.Or([self._build(s, n), other._build(s, n)]), f"({self._text} OR {other._text})")

    def __invert__(self) -> Q:
        return Q(lambda s, n: query.Not(self._build(s, n)), f"NOT {self._group()}")

    def boost(self, factor: float) -> Q:
        """Weigh this part ``factor`` times in relevance (``^2`` in text)."""

        def build(s: Schema, n: dt.datetime) -> query.Query:
            q = self._build(s, n)
            return q.with_boost(q.boost * factor)

        return Q(build, f"({self._text})^{factor:g}")

    def _group(self) -> str:
        return self._text

    # -- leaves --------------------------------------------------------

    @classmethod
    def text(cls, text: str) -> Q:
        """Query text in the query language, parsed as :meth:`Index.search` would."""
        return cls(lambda s, n: parse(text, s, now=n), f"({text})")

    @classmethod
    def _on(cls, fields: Sequence[str], text: str, *, phrase: bool, slop: int = 1, boost: float = 1.0) -> Q:
        def build(s: Schema, n: dt.datetime) -> query.Query:
            parts = [_field_query(s, f, text, phrase=phrase, slop=slop, boost=boost) for f in fields]
            return parts[0] if len(parts) == 1 else query.Or(parts)

        shown = _quote(text) + (f"~{slop}" if phrase and slop > 1 else "") if phrase else text
        prefix = "" if tuple(fields) == DEFAULT_FIELDS else ("entity" if len(fields) == 3 else fields[0]) + ":"
        return cls(build, prefix + shown)

    @classmethod
    def term(cls, word: str, field: str | None = None) -> Q:
        """A word in title or body (or in ``field``); several words must all match."""
        return cls._on([field] if field else DEFAULT_FIELDS, word, phrase=False)

    @classmethod
    def phrase(cls, words: str, slop: int = 1, field: str | None = None) -> Q:
        """Words in this order; ``slop`` > 1 allows that many positions between them."""
        return cls._on([field] if field else DEFAULT_FIELDS, words, phrase=True, slop=slop)

    @classmethod
    def person(cls, name: str) -> Q:
        """A person: a whole name (``"Kim Jong Un"``) or one part of it (``"Putin"``)."""
        return cls._on(["person"], name, phrase=True)

    @classmethod
    def org(cls, name: str) -> Q:
        """An organization, like :meth:`person`."""
        return cls._on(["organization"], name, phrase=True)

    @classmethod
    def location(cls, name: str) -> Q:
        """A place, like :meth:`person`."""
        return cls._on(["location"], name, phrase=True)

    @classmethod
    def entity(cls, name: str) -> Q:
        """A person, organization or place of this name."""
        return cls._on(list(ENTITY_FIELDS), name, phrase=True)

    @classmethod
    def source(cls, name: str) -> Q:
        """Articles from this source."""
        return cls._on(["source"], name, phrase=True)

    @classmethod
    def published(
        cls, on: DateLike | None = None, *, since: DateLike | None = None, until: DateLike | None = None
    ) -> Q:
        """A publication period: ``on`` one day/month/year, or ``since``/``until`` (both inclusive).

        Dates are whole days in UTC; strings take every date form of the query
        language (``"2023-09"``, ``"yesterday"``, ``"-7d"``).
        """
        if on is not None and (since is not None or until is not None):
            raise ValueError("give either on, or since/until")
        if on is not None:
            text = _date_text(on)

            def build_on(s: Schema, n: dt.datetime) -> query.Query:
                try:
                    return date_query("published", dates.parse_period(text, n))
                except dates.DateError as exc:
                    raise QueryError(f"published: {exc}") from None

            return cls(build_on, f"published:{_quote(text) if ' ' in text else text}")
        lo = _date_text(since) if since is not None else None
        hi = _date_text(until) if until is not None else None

        def build(s: Schema, n: dt.datetime) -> query.Query:
            try:
                return date_query("published", dates.parse_range(lo, hi, n))
            except dates.DateError as exc:
                raise QueryError(f"published: {exc}") from None

        return cls(build, f"published:[{lo or ''} TO {hi or ''}]".replace("[ TO", "[TO").replace(" TO ]", " TO]"))
