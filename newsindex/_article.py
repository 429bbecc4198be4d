"""The Article model: one news story, validated and normalized at the boundary.

>>> a = Article(title=" Kim meets Putin ", body="...", published="2023-09-13T08:00:00+09:00")
>>> a.title, a.published.isoformat()
('Kim meets Putin', '2023-09-12T23:00:00+00:00')
>>> len(a.id)
16
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._vocabulary import ARTICLE_KEYS

__all__ = ["MAX_TEXT_CHARS", "Article", "parse_datetime"]

MAX_TEXT_CHARS = 5_000_000  # a "story" larger than this is a broken feed, not news

_ALIASES = {
    "text": "body",
    "content": "body",
    "headline": "title",
    "date": "published",
    "published_at": "published",
    "link": "url",
    "author": "authors",
    **ARTICLE_KEYS,  # "people", "orgs", "places", … : every name of an entity field
}


def parse_datetime(value: object) -> dt.datetime | None:
    """Parse an ISO 8601 or RFC 2822 date (or a date/datetime) into an aware UTC datetime.

    Naive values are taken to be UTC; a bare date is midnight UTC.

    >>> parse_datetime("Wed, 13 Sep 2023 10:00:00 +0900").isoformat()
    '2023-09-13T01:00:00+00:00'
    >>> parse_datetime("2023-09-13").isoformat()
    '2023-09-13T00:00:00+00:00'
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                raise ValueError(f"unparseable date {value!r} (use ISO 8601 or RFC 2822)") from None
    else:
        raise TypeError(f"published must be a date string, not {type(value).__name__}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"date {value!r} is out of range") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError("text contains a NUL byte")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit")
    return text


def _names(value: object) -> tuple[str, ...]:
    """A list of names, or one string of names separated by ';' (or ',')."""
    if value is None:
        return ()
    if isinstance(value, str):
        sep = ";" if ";" in value else ","
        value = value.split(sep)
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise TypeError(f"expected a list of names, got {type(value).__name__}")
    names = (_text(v) for v in value)
    return tuple(dict.fromkeys(n for n in names if n))  # dedupe, keep order


def _optional_names(value: object) -> tuple[str, ...] | None:
    return None if value is None else _names(value)


@attrs.frozen(slots=True)
class Article:
    """A news article.

    ``persons``, ``organizations`` and ``locations`` are ``None`` unless the
    source supplied them; supplied entities are indexed as given, the rest are
    extracted from the text. Without an ``id`` the article gets a stable one,
    from its ``url`` when it has one, else from its content.
    """

    title: str = attrs.field(default="", converter=_text)
    body: str = attrs.field(default="", converter=_text)
    published: dt.datetime | None = attrs.field(default=None, converter=parse_datetime)
    url: str = attrs.field(default="", converter=_text)
    source: str = attrs.field(default="", converter=_text)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_names)
    language: str = attrs.field(default="en", converter=_text)
    persons: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_names)
    organizations: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_names)
    locations: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_names)
    id: str = attrs.field(default="", converter=_text)

    def __attrs_post_init__(self) -> None:
        # A record with its own id but no text (a wire slot whose text was lost,
        # as in 737 Reuters-21578 stories) is still a dated record worth keeping.
        if not self.title and not self.body and not self.id:
            raise ValueError("empty article: no title, no body and no id")
        if not self.id:
            basis = self.url or f"{self.title}\n{self.body}"
            object.__setattr__(self, "id", hashlib.sha1(basis.encode()).hexdigest()[:16])

    @property
    def text(self) -> str:
        """Title and body as one text, the input of entity extraction."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Article:
        """Build an article from a record such as a JSON object or a CSV row.

        Common alternative names are accepted (``text``/``content`` for body,
        ``date`` for published, ``link`` for url, ``author`` for authors);
        unknown keys are ignored.
        """
        if not isinstance(record, Mapping):
            raise TypeError(f"expected an object, got {type(record).__name__}")
        fields = attrs.fields_dict(cls)
        kwargs: dict[str, Any] = {}
        for key, value in record.items():
            name = _ALIASES.get(key, key)
            if name in fields and name not in kwargs:
                kwargs[name] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601 strings)."""
        data = attrs.asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data
