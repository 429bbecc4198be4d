"""Export of every match: :meth:`Index.scan`, ``newsindex export`` and the server's
``/api/export`` all use this module.

A scan holds one searcher (a snapshot of the index as it was when the scan
began) and the list of matching document numbers in the chosen order; stored
fields are read one article at a time, so memory stays flat however many
articles match. Records use the names of :class:`~newsindex.Article`, which is
what ``newsindex index`` reads, so exporting a whole archive and indexing the
export rebuilds the same contents.

>>> parse_fields("id,title,people")
('id', 'title', 'persons')
>>> next(csv_lines([{"id": "a", "persons": ["Kim Jong Un", "Putin"]}], ("id", "persons")))
'id,persons\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any

from whoosh.searching import Searcher

from ._article import Article
from ._schema import from_stored
from ._vocabulary import ARTICLE_KEYS

__all__ = ["EXPORT_FIELDS", "FORMATS", "Scan", "csv_lines", "export_lines", "jsonl_lines", "parse_fields", "record"]

# Every field of an Article, in the order exports write them.
EXPORT_FIELDS = (
    "id",
    "title",
    "body",
    "published",
    "url",
    "source",
    "authors",
    "language",
    "persons",
    "organizations",
    "locations",
)
FORMATS = ("jsonl", "csv")
_LIST_FIELDS = frozenset({"authors", "persons", "organizations", "locations"})
_FIELD_ALIASES = {**ARTICLE_KEYS, "text": "body", "date": "published", "author": "authors"}


def parse_fields(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Field names from ``"id,title"`` or a list (aliases such as ``people``
    and ``org`` accepted); every field when ``spec`` is empty. Raises ValueError."""
    if spec is None:
        return EXPORT_FIELDS
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        field = _FIELD_ALIASES.get(name, name)
        if field not in EXPORT_FIELDS:
            raise ValueError(f"unknown field {raw.strip()!r}: choose from {', '.join(EXPORT_FIELDS)}")
        if field not in out:
            out.append(field)
    return tuple(out) or EXPORT_FIELDS


def record(article: Article, fields: Sequence[str] = EXPORT_FIELDS) -> dict[str, Any]:
    """The chosen fields of an article, JSON-ready (lists as lists, dates as ISO 8601)."""
    data = article.to_dict()
    return {name: list(data[name]) if name in _LIST_FIELDS else data[name] for name in fields}


class Scan:
    """Every article matching a query, one at a time (an iterator).

    ``len(scan)`` is the number of matches, known before the first article is
    read. Articles come as :class:`~newsindex.Article` objects, or as dicts of
    the chosen ``fields``. Close it (or use it as a context manager, or read it
    to the end) to release its searcher.

    Over an archive, ``searcher`` is a list of shard searchers and each of
    ``docnums`` is ``(shard, docnum)``: the matches of every shard merged in
    one order (see :meth:`Archive.scan`).
    """

    def __init__(
        self,
        searcher: Searcher | Sequence[Searcher],
        docnums: Sequence[int] | Sequence[tuple[int, int]],
        fields: Sequence[str] | None,
    ) -> None:
        self._searchers: list[Searcher] | None = list(searcher) if isinstance(searcher, list | tuple) else [searcher]
        self._docnums = docnums
        self._next = 0
        self.fields = tuple(fields) if fields is not None else None

    def __len__(self) -> int:
        return len(self._docnums)

    @property
    def total(self) -> int:
        """How many articles match (all of them are yielded)."""
        return len(self._docnums)

    def __iter__(self) -> Scan:
        return self

    def __next__(self) -> Any:
        if self._searchers is None or self._next >= len(self._docnums):
            self.close()
            raise StopIteration
        at = self._docnums[self._next]
        self._next += 1
        shard, docnum = at if isinstance(at, tuple) else (0, at)
        article = from_stored(self._searchers[shard].stored_fields(docnum))
        return article if self.fields is None else record(article, self.fields)

    def close(self) -> None:
        if self._searchers is not None:
            for searcher in self._searchers:
                searcher.close()
            self._searchers = None

    def __enter__(self) -> Scan:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def _cell(value: Any) -> str:
    """A CSV cell as ``newsindex index`` reads it back: names joined by ``;``."""
    if value is None:
        return ""
    if isinstance(value, list):
        joined = "; ".join(value)
        # The reader splits on "," when there is no ";": one name with a comma
        # ("Smith, John") keeps it by ending in ";" (empty names are dropped).
        return joined + ";" if len(value) == 1 and "," in joined else joined
    return str(value)


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line, newline included."""
    for rec in records:
        yield json.dumps(rec, ensure_ascii=False) + "\n"


def csv_lines(records: Iterable[dict[str, Any]], fields: Sequence[str]) -> Iterator[str]:
    """A header row, then one row per record (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(fields)
    yield take()
    for rec in records:
        writer.writerow([_cell(rec.get(name)) for name in fields])
        yield take()


def export_lines(scan: Iterable[dict[str, Any]], fields: Sequence[str], fmt: str) -> Iterator[str]:
    """The text of an export, line by line, from a scan yielding dicts of ``fields``."""
    if fmt == "jsonl":
        return jsonl_lines(scan)
    if fmt == "csv":
        return csv_lines(scan, fields)
    raise ValueError(f"unknown format {fmt!r}: use jsonl or csv")
