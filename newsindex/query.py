"""The query language: Whoosh's parser, configured with our plugins and fields.

>>> from newsindex.schema import build_schema
>>> print(parse('person:"Kim Jong Un" place:Russia', build_schema()))
(person:"kim jong un" AND location:russia)
"""

from __future__ import annotations

import datetime as dt

import attrs
from whoosh import qparser, query
from whoosh.fields import Schema

from .schema import NOW

__all__ = ["DEFAULT_FIELDS", "FIELD_ALIASES", "QueryError", "make_parser", "parse"]

DEFAULT_FIELDS = ("title", "body")
FIELD_ALIASES = {
    "organization": ["org", "organisation"],
    "location": ["place", "loc"],
    "person": ["people"],
}
MAX_QUERY_CHARS = 10_000


@attrs.define(slots=False)
class QueryError(ValueError):
    """A query that cannot be run: says what is wrong and, where known, where."""

    message: str
    query: str = ""
    position: int | None = None

    def __str__(self) -> str:
        where = f" (at character {self.position + 1})" if self.position is not None else ""
        return f"{self.message}{where}"


def make_parser(schema: Schema) -> qparser.QueryParser:
    """A Whoosh query parser for the newsindex schema."""
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


def _errors(q: query.Query) -> list[query.Query]:
    found = [q] if getattr(q, "error", None) else []
    if q.is_leaf():
        return found
    for child in q.children():
        found.extend(_errors(child))
    return found


def parse(text: str, schema: Schema, *, now: dt.datetime | None = None) -> query.Query:
    """Parse query text into a Whoosh query, or raise :class:`QueryError`."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text):,} characters, over the {MAX_QUERY_CHARS:,} limit", text)
    if not text.strip():
        raise QueryError("empty query", text)
    token = NOW.set(now)
    try:
        q = make_parser(schema).parse(text)
    except RecursionError:
        raise QueryError("query is nested too deeply", text) from None
    finally:
        NOW.reset(token)
    bad = _errors(q)
    if bad:
        first = bad[0]
        raise QueryError(str(first.error), text, getattr(first, "startchar", None))
    return q
