"""The Index: an on-disk Whoosh index of articles, with add, get, delete and search.

>>> from newsindex import Article, Index
>>> with Index("/tmp/news") as index:  # doctest: +SKIP
...     index.add([Article(title="Kim meets Putin", body="...", published="2023-09-13")])
...     results = index.search('person:Putin published:[2023-09-01 TO 2023-09-30]')
...     print(results.total, results.hits[0].title)
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from .article import Article
from .query import parse
from .results import Hit, Results, SnippetFormatter
from .schema import ENTITY_FIELDS, build_schema, from_stored, to_document

__all__ = ["DEFAULT_BATCH_SIZE", "Index", "IndexNotFoundError", "IndexStats", "NewsIndexError", "default_index_path"]

DEFAULT_BATCH_SIZE = 1000
Sort = Literal["relevance", "newest", "oldest"]
_SNIPPET_CHARS = 240


class NewsIndexError(Exception):
    """Base class of newsindex's errors."""


class IndexNotFoundError(NewsIndexError):
    """No index exists at the given path (and creating one was not asked for)."""


def default_index_path() -> Path:
    """``$NEWSINDEX_INDEX``, else ``$XDG_DATA_HOME/newsindex/index`` (``~/.local/share/…``)."""
    if env := os.environ.get("NEWSINDEX_INDEX"):
        return Path(env)
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "newsindex" / "index"


@attrs.frozen(slots=True)
class IndexStats:
    """Size and shape of an index."""

    path: str
    documents: int
    segments: int
    size_bytes: int
    oldest: dt.datetime | None
    newest: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["oldest"] = self.oldest.isoformat() if self.oldest else None
        data["newest"] = self.newest.isoformat() if self.newest else None
        return data


class Index:
    """An article index in a folder; opened, or created when ``create`` is true.

    ``entities`` names the extractor backend (``"bundled"`` or ``"nltk"``) used
    for articles that do not supply their own people, organizations and places;
    ``None`` skips extraction.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, entities: str | None = "bundled") -> None:
        self.path = Path(path)
        self.entities = entities
        if whoosh_index.exists_in(str(self.path)):
            self._ix = whoosh_index.open_dir(str(self.path))
        elif create:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self.path), build_schema())
        else:
            raise IndexNotFoundError(f"no index at {self.path} (create one with `newsindex index`)")
        self._searcher: Searcher | None = None

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    def _search(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    # -- writing ---------------------------------------------------------

    def _document(self, article: Article) -> dict[str, Any]:
        found: Mapping[str, tuple[str, ...]] | None = None
        wants = any(getattr(article, attr) is None for attr in ENTITY_FIELDS.values())
        if self.entities and wants:
            from .entities import article_entities, get_extractor

            names = article_entities(article.text, extractor=get_extractor(self.entities))
            found = {attr: getattr(names, attr) for attr in ENTITY_FIELDS.values()}
        return to_document(article, found)

    def add(
        self,
        articles: Iterable[Article | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index articles, committing every ``batch_size``; returns how many were added.

        An article whose id is already indexed replaces the old one.
        ``progress`` is called with the number of articles in each committed batch.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        total = 0
        batch: dict[str, Article] = {}
        for item in articles:
            article = item if isinstance(item, Article) else Article.from_dict(item)
            batch.pop(article.id, None)  # a repeated id: the later article wins
            batch[article.id] = article
            if len(batch) >= batch_size:
                total += self._commit(batch.values(), progress)
                batch = {}
        if batch:
            total += self._commit(batch.values(), progress)
        return total

    def _commit(self, articles: Iterable[Article], progress: Callable[[int], None] | None) -> int:
        writer = self._ix.writer()
        try:
            replacing = not self._ix.is_empty()
            count = 0
            for article in articles:
                if replacing:
                    writer.delete_by_term("id", article.id)
                writer.add_document(**self._document(article))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        if progress:
            progress(count)
        return count

    def delete(self, article_id: str) -> bool:
        """Remove an article; returns whether it was indexed."""
        writer = self._ix.writer()
        try:
            removed = writer.delete_by_term("id", article_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return bool(removed)

    # -- reading ---------------------------------------------------------

    def __len__(self) -> int:
        return self._search().doc_count()

    def get(self, article_id: str) -> Article | None:
        """The indexed article with this id, or ``None``."""
        stored = self._search().document(id=article_id)
        return from_stored(stored) if stored else None

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: Sort = "relevance",
        now: dt.datetime | None = None,
    ) -> Results:
        """Run a query; ``total`` counts every match, ``hits`` holds one page.

        ``now`` fixes the clock for relative dates (``published:yesterday``).
        Raises :class:`~newsindex.QueryError` for a malformed query.
        """
        if limit < 1 or page < 1:
            raise ValueError("limit and page must be at least 1")
        if sort not in ("relevance", "newest", "oldest"):
            raise ValueError(f"sort must be relevance, newest or oldest, not {sort!r}")
        searcher = self._search()
        q = parse(query, searcher.schema, now=now)
        sortedby = None if sort == "relevance" else "published"
        results = searcher.search(q, limit=page * limit, sortedby=sortedby, reverse=sort == "newest", terms=True)
        results.fragmenter = highlight.ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=80)
        results.formatter = SnippetFormatter()
        hits = []
        for hit in results[(page - 1) * limit : page * limit]:
            stored = hit.fields()
            snippet, spans = hit.highlights("body", top=2)
            if not snippet:
                snippet, spans = _lead(stored.get("body", "")), ()
            published = stored.get("published")
            hits.append(
                Hit(
                    id=stored["id"],
                    title=stored.get("title", ""),
                    published=published.replace(tzinfo=dt.UTC) if published else None,
                    source=stored.get("source", ""),
                    url=stored.get("url", ""),
                    score=float(hit.score or 0.0),
                    snippet=snippet,
                    highlights=spans,
                )
            )
        return Results(query=query, total=len(results), hits=tuple(hits), page=page, limit=limit)

    def stats(self) -> IndexStats:
        """Document count, segments, size on disk and the span of publication dates."""
        searcher = self._search()
        oldest = newest = None
        if searcher.doc_count():
            # Full-precision date terms sort first, under a zero shift byte.
            field = searcher.schema["published"]
            for term in field.sortable_terms(searcher.reader(), "published"):
                newest = field.from_bytes(term).replace(tzinfo=dt.UTC)
                oldest = oldest or newest
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return IndexStats(
            path=str(self.path),
            documents=searcher.doc_count(),
            segments=len(self._ix._segments()),
            size_bytes=size,
            oldest=oldest,
            newest=newest,
        )


def _lead(body: str) -> str:
    """The start of the body, cut at a word boundary, when no words matched."""
    text = " ".join(body.split())
    if len(text) <= _SNIPPET_CHARS:
        return text
    return text[:_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
