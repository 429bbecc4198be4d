"""The Whoosh schema: which field holds what, and how an Article maps onto it.

Entity fields hold one canonical name per line; their analyzer leaves a wide
position gap between names, so ``person:"Vladimir Putin"`` matches a whole name
and ``person:Putin`` any part of one, but no phrase spans two names.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Mapping
from typing import Any

from whoosh import fields, query
from whoosh.qparser.common import QueryParserError
from whoosh.util.times import datetime_to_long, long_to_datetime

from . import _dates as dates
from ._analysis import NameAnalyzer, NewsAnalyzer, name_words
from ._article import Article
from ._entities import ArticleEntities
from ._vocabulary import ENTITY_FIELDS
from ._whoosh import DateRange, Tokens, date_values

__all__ = [
    "NOW",
    "NewsDate",
    "build_schema",
    "date_query",
    "from_stored",
    "names_as_tokens",
    "to_document",
]


# The query parser resolves relative dates ("yesterday") against this clock;
# Index.search sets it, so tests can fix "now".
NOW: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("newsindex_now", default=None)


def _now() -> dt.datetime:
    return NOW.get() or dt.datetime.now(dt.UTC)


def _naive(when: dt.datetime) -> dt.datetime:
    """Whoosh's DATETIME stores naive datetimes; ours are UTC."""
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def date_query(fieldname: str, period: dates.Period, boost: float = 1.0) -> query.Query:
    """A range over the date column with both bounds explicit.

    Open ends become the smallest or largest datetime: Whoosh 2.7.4's unsigned
    NUMERIC fields match every document for an open (``None``) bound, and the
    fallback for column-less segments is Whoosh's own range.
    """
    if period.end <= period.start:
        return query.NullQuery
    lo = datetime_to_long(_naive(period.start))
    # The end is exclusive, but for MAX, which stands for the end of time (see Period).
    hi = datetime_to_long(_naive(period.end)) - (period.end < dates.MAX)
    return DateRange(fieldname, lo, hi, boost=boost)


class NewsDate(fields.DATETIME):
    """DATETIME that parses our date expressions (partial, relative, open ranges),
    kept in a stored value and a column only.

    Not indexed (format 5): every date query bisects the column
    (:class:`~newsindex._whoosh.DateRange`), so Whoosh's numeric trie, four terms
    per article, was never read, and cost 9.8 MB of the 96 MB Reuters index
    (4.2 MB of postings and 5.6 MB of term dictionary for 85,225 terms).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indexed = False

    def sortable_terms(self, ixreader: Any, fieldname: str) -> Any:
        """The full-precision date terms Whoosh's own field would list, in order, read from the column."""
        for value in date_values(ixreader, fieldname):  # the column holds datetime_to_long values
            yield fields.NUMERIC.to_bytes(self, value)

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        if qstring.strip() == "*":  # any date: a numeric range is cheaper than Every
            return date_query(fieldname, dates.Period(dates.MIN, dates.MAX), boost)
        try:
            return date_query(fieldname, dates.parse_period(qstring, _now()), boost)
        except dates.DateError as exc:
            raise QueryParserError(f"{fieldname}: {exc}") from None

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> query.Query:
        try:
            period = dates.parse_range(start, end, _now(), start_exclusive=startexcl, end_exclusive=endexcl)
        except dates.DateError as exc:
            raise QueryParserError(f"{fieldname}: {exc}") from None
        return date_query(fieldname, period, boost)


def build_schema() -> fields.Schema:
    """The newsindex schema."""
    news, names = NewsAnalyzer(), NameAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=news, stored=True, field_boost=2.0),
        body=fields.TEXT(analyzer=news, stored=True),
        published=NewsDate(stored=True, sortable=True),
        # sortable=True adds a per-document column, which facets read quickly
        source=fields.TEXT(analyzer=names, stored=True, sortable=True),
        url=fields.ID(stored=True),
        authors=fields.TEXT(analyzer=names, stored=True),
        language=fields.ID(stored=True),
        person=fields.TEXT(analyzer=names, stored=True, sortable=True),
        organization=fields.TEXT(analyzer=names, stored=True, sortable=True),
        location=fields.TEXT(analyzer=names, stored=True, sortable=True),
    )


#: Fields analysed as names, one a line (NameAnalyzer).
NAME_ANALYZED = tuple(name for name, field in build_schema().items() if isinstance(field.analyzer, NameAnalyzer))


def names_as_tokens(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its name fields as ready-made words and positions, for the bulk writer.

    The same terms Whoosh would get from :class:`NameAnalyzer` (a test writes both
    and compares), computed once here: Whoosh's generic ``field.index()`` path
    over the name text took about 5% of a worker's time on Reuters. The text
    stays the stored value.
    """
    for name in NAME_ANALYZED:
        value = doc.get(name)
        if isinstance(value, str):
            doc.setdefault(f"_stored_{name}", value)
            doc[name] = Tokens(*name_words(value))
    return doc


def to_document(article: Article, entities: ArticleEntities | None = None) -> dict[str, Any]:
    """Whoosh field values for an article.

    ``entities`` are the names extracted from it; names the article supplied
    itself take precedence. An entity field indexes its canonical names and
    their aliases (``org:IMF`` finds "International Monetary Fund") but stores,
    and so shows and counts in facets, the canonical names only.
    """
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "language": article.language,
    }
    if article.published is not None:
        doc["published"] = _naive(article.published)
    for key in ("source", "url"):
        if value := getattr(article, key):
            doc[key] = value
    if article.authors:
        doc["authors"] = "\n".join(article.authors)
    for field, attr in ENTITY_FIELDS.items():
        supplied = getattr(article, attr)
        if supplied is not None or entities is None:
            names, aliases = supplied or (), ()
        else:
            names, aliases = getattr(entities, attr), getattr(entities, f"{field}_aliases")
        if names:
            # Whoosh takes the stored value and the facet column from _stored_<field>.
            doc[field] = "\n".join((*names, *aliases))
            doc[f"_stored_{field}"] = "\n".join(names)
    return doc


def from_stored(stored: Mapping[str, Any]) -> Article:
    """Rebuild an Article from a document's stored fields."""
    published = stored.get("published")
    if isinstance(published, int):
        published = long_to_datetime(published)
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        published=published.replace(tzinfo=dt.UTC) if published else None,
        url=stored.get("url", ""),
        source=stored.get("source", ""),
        authors=stored.get("authors", "").splitlines(),
        language=stored.get("language", "en"),
        persons=stored.get("person", "").splitlines(),
        organizations=stored.get("organization", "").splitlines(),
        locations=stored.get("location", "").splitlines(),
    )
