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
from typing import Any

import attrs
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from ._article import Article
from ._builder import Q
from ._entities import BACKENDS
from ._errors import EntityModelError, IndexFormatError, IndexNotFoundError, QueryError
from ._export import Scan, parse_fields
from ._pipeline import DEFAULT_PROCS, write_batches
from ._query import parse, prepare
from ._results import Results
from ._schema import build_schema, from_stored
from ._searching import LocalShards, execute, parse_request, similar_articles
from ._whoosh import (
    Sort,
    check_index,
    check_sort,
    index_exists,
    lock_writer,
    matching_docnums,
    merge_all,
    open_folder,
    refresh,
    refuse_unaccounted,
    segment_count,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_LOCK_TIMEOUT",
    "Index",
    "IndexStats",
    "default_index_path",
]

# Articles per commit. Each worker writes one segment per batch, and segments
# cost space (each repeats the term dictionary of the words it holds) and search
# time (about 1 ms per segment per query). On Reuters with entities, 5,000 gave
# 10 segments in 66.7 MB, and 20,000 gives 4 in 54 MB (before stored-field
# blocks). A worker holds its share of a batch's postings in memory until it
# writes them: the largest process stays under 1 GiB at 100,000 articles.
DEFAULT_BATCH_SIZE = 20000
DEFAULT_LOCK_TIMEOUT = 120.0  # seconds; a batch of a concurrent writer rarely takes longer


def is_archive(path: Path) -> bool:
    """Whether ``path`` holds a sharded archive (see :mod:`newsindex._archive`)."""
    return (path / "archive.json").is_file()


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
    ``None`` skips extraction. ``procs`` worker processes analyze and write in
    parallel (default: every core). A writer waits up to ``lock_timeout``
    seconds for another writer to finish its batch.

    Thread and process safety: an ``Index`` object belongs to one thread. Any
    number of processes may open the same folder: readers see the last
    completed commit, and writers take turns, one batch at a time.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        entities: str | None = "bundled",
        procs: int = DEFAULT_PROCS,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.entities = entities
        self.procs = max(1, procs)
        self.lock_timeout = lock_timeout
        if entities is not None and entities not in BACKENDS:
            # Checked now, loaded later: the model loads on the first add() that
            # needs it, never for an Index opened only to search.
            raise EntityModelError(f"unknown entity backend {entities!r}; choose one of {', '.join(BACKENDS)}")
        if is_archive(self.path):
            raise IndexFormatError(f"{self.path} holds a sharded archive; open it with newsindex.Archive")
        if not create and not index_exists(self.path):
            refuse_unaccounted(self.path, creating=False)  # segments without a TOC are not "no index"
            raise IndexNotFoundError(f"no index at {self.path} (create one with `newsindex index`)")
        self._ix = open_folder(self.path, build_schema() if create else None, lock_timeout)
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
            self._searcher = refresh(self._searcher)  # reopens only segments that changed
        return self._searcher

    # -- writing ---------------------------------------------------------

    def add(
        self,
        articles: Iterable[Article | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index articles, committing every ``batch_size``; returns how many were added.

        An article whose id is already indexed replaces the old one. Each batch
        is one durable commit: after a crash the index holds every completed
        batch, and re-running the same input completes it without duplicates.
        With several worker processes the first batch is smaller (1,000 articles a
        worker), so they start at once. ``progress`` is called with the size of
        each committed batch.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stream = (item if isinstance(item, Article) else Article.from_dict(item) for item in articles)
        return write_batches(
            self._ix,
            stream,
            backend=self.entities,
            batch_size=batch_size,
            procs=self.procs,
            lock_timeout=self.lock_timeout,
            progress=progress,
        )

    def _writer(self) -> SegmentWriter:
        return lock_writer(self._ix, self.lock_timeout)

    def delete(self, article_id: str) -> bool:
        """Remove an article; returns whether it was indexed."""
        writer = self._writer()
        try:
            removed = writer.delete_by_term("id", article_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)
        return bool(removed)

    def optimize(self) -> None:
        """Merge all segments into one (and drop deleted documents) for faster search."""
        writer = self._writer()
        try:
            merge_all(writer)
        except BaseException:
            writer.cancel()
            raise

    # -- reading ---------------------------------------------------------

    def __len__(self) -> int:
        return self._search().doc_count()

    def get(self, article_id: str) -> Article | None:
        """The indexed article with this id, or ``None``."""
        stored = self._search().document(id=article_id)
        return from_stored(stored) if stored else None

    def search(
        self,
        query: str | Q,
        *,
        limit: int = 10,
        page: int = 1,
        sort: Sort = "relevance",
        now: dt.datetime | None = None,
        facets: Iterable[str] = (),
        facet_limit: int = 10,
    ) -> Results:
        """Run a query; ``total`` counts every match, ``hits`` holds one page.

        ``query`` is query text or a :class:`~newsindex.Q`. ``now`` fixes the
        clock for relative dates (``published:yesterday``). ``facets`` names
        counts to compute over all matches: ``person``, ``org``, ``location``,
        ``source``, ``published:day|week|month|year``. Raises
        :class:`~newsindex.QueryError` for a malformed query.

        >>> index.search(Q.person("Putin") & Q.published(since="2023-09"), facets=["org"])  # doctest: +SKIP
        """
        searcher = self._search()
        q, text, specs = parse_request(query, searcher.schema, now, facets)
        shards = LocalShards([searcher])
        return execute(shards, q, text, limit=limit, page=page, sort=sort, facets=specs, facet_limit=facet_limit)

    def scan(
        self,
        query: str | Q,
        *,
        sort: Sort = "oldest",
        fields: str | Iterable[str] | None = None,
        now: dt.datetime | None = None,
    ) -> Scan:
        """Every article matching ``query`` (no page, no cap), one at a time.

        Yields :class:`~newsindex.Article` objects, or with ``fields``
        (``"id,title"`` or a list of Article field names) dicts of those
        fields, JSON-ready. ``len()`` of the result is the number of matches.
        The scan reads a snapshot of the index taken when it starts, and holds
        only the list of matching document numbers in memory. Raises
        :class:`~newsindex.QueryError` for a malformed query.

        >>> for article in index.scan("published:1987", sort="oldest"):  # doctest: +SKIP
        ...     print(article.id, article.title)
        """
        check_sort(sort)
        text = str(query)
        try:
            chosen = parse_fields(fields) if fields is not None else None
        except ValueError as exc:
            raise QueryError(str(exc), text) from None
        searcher = self._ix.searcher()  # its own snapshot, closed when the scan ends
        try:
            q = query.to_query(searcher.schema, now) if isinstance(query, Q) else parse(query, searcher.schema, now=now)
            docnums = matching_docnums(searcher, prepare(q, searcher.reader()), sort)
        except BaseException:
            searcher.close()
            raise
        return Scan(searcher, docnums, chosen)

    def similar(self, article_id: str, *, limit: int = 10, page: int = 1) -> Results | None:
        """Articles most like this one (by distinctive words and names), or ``None`` if it is not indexed.

        >>> [hit.title for hit in index.similar("reuters-1", limit=3)]  # doctest: +SKIP
        """
        return similar_articles(LocalShards([self._search()]), article_id, limit=limit, page=page)

    def check(self) -> list[str]:
        """Verify the index: open every segment, count its documents, read every
        stored field, decode every posting list and column.

        Returns the problems found; an empty list means the index is sound.
        """
        return check_index(self._ix)

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
            segments=segment_count(self._ix),
            size_bytes=size,
            oldest=oldest,
            newest=newest,
        )
