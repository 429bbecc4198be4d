"""Archives: one Whoosh index per time shard, searched as if they were one index.

An archive folder holds ``archive.json`` (the manifest: the archive format,
how it is sharded, and each shard's date span and document count) and one
plain newsindex index per shard under ``shards/`` (``1987-03`` for a month,
``1987`` for a year, ``1987-03-05`` for a day, ``undated`` for articles
without a date).

Writing a batch (:meth:`Archive.add`) goes in three steps, under the
archive's lock:

1. every chunk of the batch becomes a complete, fsynced segment in a scratch
   folder under ``staging/``, written in worker processes here or by Dask
   workers (:func:`build_segment`); nothing in any shard changes, so a failed
   or killed task leaves the archive as it was;
2. copies of the batch's ids in shards other than their new one are deleted
   (one commit per shard);
3. each shard adopts its new segments and replaces older copies of their ids
   in one commit; then the manifest is rewritten (atomically, fsynced).

An id is thus never in two shards: a crash between steps 2 and 3 can leave an
article missing (a re-run adds it), never twice. Each shard is always whole:
its own Whoosh commit is atomic.

Searching (:meth:`Archive.search`) gathers term statistics from every shard,
searches only the shards whose date span can match the query's date range,
and merges: see :mod:`newsindex._searching`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
from whoosh import query as wquery
from whoosh.index import FileIndex
from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from ._article import Article
from ._builder import Q
from ._entities import BACKENDS, get_extractor
from ._errors import EntityModelError, IndexFormatError, IndexNotFoundError, NewsIndexError
from ._index import DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT, IndexStats
from ._pipeline import DEFAULT_PROCS, analyze, batches
from ._results import Results
from ._schema import build_schema, from_stored
from ._searching import LocalShards, Shards, execute, parse_request, similar_articles
from ._whoosh import (
    NO_DATE,
    DateRange,
    DurableStorage,
    Segment,
    Sort,
    acquire_lock,
    adopt_segments,
    check_index,
    fsync_dir,
    index_exists,
    lock_writer,
    open_folder,
    refresh,
    segment_count,
    stage_segment,
    without_andnot,
)

__all__ = [
    "ARCHIVE_FORMAT",
    "MANIFEST",
    "SHARD_BY",
    "UNDATED",
    "Archive",
    "ArchiveStats",
    "ShardInfo",
    "build_segment",
    "is_archive",
    "shard_key",
    "shard_span",
]

MANIFEST = "archive.json"
ARCHIVE_FORMAT = 1  # bump when the archive layout or manifest changes meaning
SHARD_BY = ("year", "month", "day")
UNDATED = "undated"
_KIND = "newsindex-archive"


def is_archive(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds an archive (its manifest)."""
    return (Path(path) / MANIFEST).is_file()


def shard_key(published: dt.datetime | None, shard_by: str) -> str:
    """The shard an article published then belongs to."""
    if published is None:
        return UNDATED
    when = published.astimezone(dt.UTC)
    if shard_by == "year":
        return f"{when.year:04d}"
    if shard_by == "month":
        return f"{when.year:04d}-{when.month:02d}"
    return when.date().isoformat()


def shard_span(key: str) -> tuple[dt.datetime, dt.datetime] | None:
    """``[start, end)`` of a shard's period (UTC), or ``None`` for the undated shard."""
    if key == UNDATED:
        return None
    parts = [int(p) for p in key.split("-")]
    if len(parts) == 1:
        return dt.datetime(parts[0], 1, 1, tzinfo=dt.UTC), dt.datetime(parts[0] + 1, 1, 1, tzinfo=dt.UTC)
    if len(parts) == 2:
        year, month = parts
        start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        return start, dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
    start = dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _long(when: dt.datetime) -> int:
    return int(datetime_to_long(when.astimezone(dt.UTC).replace(tzinfo=None)))


def _bounds(key: str) -> tuple[int, int]:
    """The date-column values a shard's documents can hold (inclusive)."""
    span = shard_span(key)
    if span is None:
        return NO_DATE, NO_DATE  # undated documents hold the column's default
    return _long(span[0]), _long(span[1]) - 1


def can_match(q: wquery.Query, lo: int, hi: int) -> bool:
    """Whether ``q`` can match a document dated within ``[lo, hi]`` (date-column values).

    Only date ranges rule anything out; an AND needs every part, an OR one;
    anything else (a NOT, a word) may match. Used to skip shards.
    """
    if isinstance(q, DateRange) and q.fieldname == "published":
        return q.start <= hi and lo <= q.end
    if q is wquery.NullQuery:
        return False
    if isinstance(q, wquery.And):
        return all(can_match(child, lo, hi) for child in q.children())
    if isinstance(q, wquery.Or) and not isinstance(q, wquery.DisjunctionMax):
        return any(can_match(child, lo, hi) for child in q.children())
    return True


@attrs.frozen(slots=True)
class ShardInfo:
    """One shard as the manifest records it."""

    name: str
    start: dt.datetime | None  # None: the undated shard
    end: dt.datetime | None  # exclusive
    documents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "documents": self.documents,
        }


@attrs.frozen(slots=True)
class ArchiveStats(IndexStats):
    """:class:`IndexStats` of a whole archive, and its shards."""

    shard_by: str = "month"
    shards: tuple[ShardInfo, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["shards"] = [shard.to_dict() for shard in self.shards]
        return data


# -- the worker side: one task, one staged segment -----------------------------


def build_segment(staging: str, backend: str | None, articles: list[Article]) -> tuple[str, Segment] | None:
    """Analyze ``articles`` and write them as one complete segment in a new
    folder under ``staging``; returns ``(folder, segment)``.

    Runs in a worker process or on a Dask worker; touches no shard.
    """
    extractor = get_extractor(backend) if backend else None
    folder = os.path.join(staging, uuid.uuid4().hex)
    segment = stage_segment(folder, build_schema(), (analyze(a, extractor) for a in articles))
    return (folder, segment) if segment is not None else None


def _build_task(task: tuple[str, str | None, list[Article]]) -> tuple[str, Segment] | None:
    return build_segment(*task)


Task = tuple[str, str | None, list[Article]]
Runner = Callable[[list[Task]], list[tuple[str, Segment] | None]]


class Archive:
    """A sharded archive in a folder: one index per month (or year, or day) of
    publication, searched with exactly the results one index of the same
    articles gives.

    ``shard_by`` (``"year"``, ``"month"``, ``"day"``) applies when the archive
    is created; an existing archive keeps its own. Other arguments are those
    of :class:`Index`; ``threads`` searches that many shards at once here.
    With ``dask`` (a ``distributed.Client``), :meth:`add` builds segments on the
    cluster's workers and searches run there, each shard kept open on one
    worker; the workers must see the archive folder at the same path.

    >>> with Archive("/tmp/news-archive", shard_by="month") as archive:  # doctest: +SKIP
    ...     archive.add(articles)
    ...     archive.search("person:Putin published:2023-09").total
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        shard_by: str = "month",
        create: bool = True,
        entities: str | None = "bundled",
        procs: int = DEFAULT_PROCS,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        threads: int = 1,
        dask: Any = None,
    ) -> None:
        self.path = Path(path).absolute()  # Dask workers get it: no relative paths
        self.entities = entities
        self.procs = max(1, procs)
        self.lock_timeout = lock_timeout
        self.threads = max(1, threads)
        self.dask = dask
        if entities is not None and entities not in BACKENDS:
            raise EntityModelError(f"unknown entity backend {entities!r}; choose one of {', '.join(BACKENDS)}")
        if shard_by not in SHARD_BY:
            raise ValueError(f"shard_by must be one of {', '.join(SHARD_BY)}, not {shard_by!r}")
        if index_exists(self.path):
            raise IndexFormatError(f"{self.path} holds a plain index, not an archive; open it with Index")
        if not is_archive(self.path):
            if not create:
                raise IndexNotFoundError(f"no archive at {self.path} (create one with `newsindex index --shard-by`)")
            self.path.mkdir(parents=True, exist_ok=True)
            lock = acquire_lock(DurableStorage(str(self.path)), lock_timeout)
            try:
                if not is_archive(self.path):
                    self._write_manifest_data(
                        {"format": ARCHIVE_FORMAT, "kind": _KIND, "shard_by": shard_by, "shards": []}
                    )
            finally:
                lock.release()
        manifest = self._read_manifest()
        self.shard_by: str = manifest["shard_by"]
        self._indexes: dict[str, FileIndex] = {}
        self._searchers: dict[str, Searcher] = {}
        self._pool: ThreadPoolExecutor | None = None
        self.last_searched = 0  # shards the last search searched (the rest were pruned)

    # -- the manifest ------------------------------------------------------

    def _read_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexFormatError(f"{self.path / MANIFEST} is unreadable: {exc}") from None
        if not isinstance(data, dict) or data.get("kind") != _KIND or data.get("format") != ARCHIVE_FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise IndexFormatError(
                f"the archive at {self.path} has format {found!r}; this newsindex reads archive format "
                f"{ARCHIVE_FORMAT}. Rebuild it: `newsindex index SOURCES --index NEW_FOLDER --shard-by MONTH`"
            )
        return data

    def _write_manifest_data(self, data: Mapping[str, Any]) -> None:
        tmp = self.path / f"{MANIFEST}.tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path / MANIFEST)
        fsync_dir(self.path)

    def _write_manifest(self) -> None:
        shards = [self._info(name).to_dict() for name in self._shard_names()]
        self._write_manifest_data(
            {"format": ARCHIVE_FORMAT, "kind": _KIND, "shard_by": self.shard_by, "shards": shards}
        )

    def _info(self, name: str) -> ShardInfo:
        span = shard_span(name)
        with self._index(name).searcher() as searcher:
            documents = searcher.doc_count()
        return ShardInfo(name, span[0] if span else None, span[1] if span else None, documents)

    def shards(self) -> tuple[ShardInfo, ...]:
        """The shards, as the manifest records them (in name order: time order, undated last)."""
        out = []
        for entry in self._read_manifest()["shards"]:
            start, end = entry.get("start"), entry.get("end")
            out.append(
                ShardInfo(
                    entry["name"],
                    dt.datetime.fromisoformat(start) if start else None,
                    dt.datetime.fromisoformat(end) if end else None,
                    int(entry["documents"]),
                )
            )
        return tuple(out)

    # -- shards --------------------------------------------------------------

    def _shard_path(self, name: str) -> Path:
        return self.path / "shards" / name

    def _shard_names(self) -> list[str]:
        """Every shard folder holding a committed index, in time order (undated last).

        Folders, not the manifest: a shard committed by a run that died before
        rewriting the manifest still holds articles, and ids must stay unique
        across all of them.
        """
        root = self.path / "shards"
        if not root.is_dir():
            return []
        names = [p.name for p in root.iterdir() if index_exists(p)]
        return sorted(names, key=lambda n: (n == UNDATED, n))

    def _index(self, name: str, create: bool = False) -> FileIndex:
        if name not in self._indexes:
            path = self._shard_path(name)
            self._indexes[name] = open_folder(path, build_schema() if create else None, self.lock_timeout)
        return self._indexes[name]

    def _searcher(self, name: str) -> Searcher:
        searcher = self._searchers.get(name)
        searcher = self._index(name).searcher() if searcher is None else refresh(searcher)
        self._searchers[name] = searcher
        return searcher

    def _local_shards(self, names: Sequence[str]) -> Shards:
        if self.dask is not None:
            from ._dask import DaskShards

            return DaskShards(self.dask, [str(self._shard_path(n)) for n in names], build_schema())
        searchers = [self._searcher(name) for name in names]
        if self.threads > 1 and len(searchers) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads)
            pool = self._pool
            return LocalShards(searchers, map=lambda f, xs: list(pool.map(f, xs)), schema=build_schema())
        return LocalShards(searchers, schema=build_schema())

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        for searcher in self._searchers.values():
            searcher.close()
        self._searchers.clear()
        for ix in self._indexes.values():
            ix.close()
        self._indexes.clear()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    # -- writing -------------------------------------------------------------

    def add(
        self,
        articles: Iterable[Article | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
        dask: Any = None,
    ) -> int:
        """Index articles into their shards, committing every ``batch_size``;
        returns how many were added.

        Re-adding an id replaces the article, in whichever shard it was. With
        ``dask`` (a ``distributed.Client``; default: the archive's), the workers analyze the articles
        and write the segments into the archive folder, which they must see at
        the same path (a shared file system); this process commits.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stream = (item if isinstance(item, Article) else Article.from_dict(item) for item in articles)
        dask = dask if dask is not None else self.dask
        if dask is not None:
            from ._dask import dask_runner

            return self._add(stream, batch_size, progress, dask_runner(dask), parts=_dask_parts(dask))
        if self.entities is not None:
            get_extractor(self.entities)  # loaded once, here: forked workers inherit it
        if self.procs == 1:
            return self._add(stream, batch_size, progress, lambda tasks: [_build_task(t) for t in tasks], parts=1)
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(self.procs) as pool:
            return self._add(stream, batch_size, progress, lambda tasks: pool.map(_build_task, tasks, 1), self.procs)

    def _add(
        self,
        articles: Iterable[Article],
        batch_size: int,
        progress: Callable[[int], None] | None,
        run: Runner,
        parts: int,
    ) -> int:
        total = 0
        for batch in batches(articles, batch_size):
            lock = acquire_lock(DurableStorage(str(self.path)), self.lock_timeout)
            try:
                self._add_batch(batch, run, parts)
            finally:
                lock.release()
            total += len(batch)
            if progress:
                progress(len(batch))
        return total

    def _add_batch(self, batch: list[Article], run: Runner, parts: int) -> None:
        staging = self.path / "staging"
        shutil.rmtree(staging, ignore_errors=True)  # what a killed run left (we hold the lock)
        staging.mkdir()
        groups: dict[str, list[Article]] = {}
        for article in batch:
            groups.setdefault(shard_key(article.published, self.shard_by), []).append(article)
        step = max(1, -(-len(batch) // parts))
        tasks: list[Task] = [
            (str(staging), self.entities, arts[i : i + step])
            for arts in groups.values()
            for i in range(0, len(arts), step)
        ]
        keys = [shard_key(t[2][0].published, self.shard_by) for t in tasks]
        # 1. Every segment written and durable, before any shard changes.
        staged = run(tasks)
        # 2. Ids leave the shards they no longer belong to.
        target = {article.id: key for key, arts in groups.items() for article in arts}
        for name in self._shard_names():
            moved = [i for i, key in target.items() if key != name]
            with self._index(name).searcher() as searcher:
                reader = searcher.reader()  # a word-list lookup first: most ids are in no other shard
                present = [i for i in moved if ("id", i) in reader and searcher.document_number(id=i) is not None]
            if present:
                writer = lock_writer(self._index(name), self.lock_timeout)
                try:
                    adopt_segments(writer, [], present)
                except BaseException:
                    writer.cancel()
                    raise
        # 3. Each shard adopts its segments and replaces older copies, in one commit.
        by_shard: dict[str, list[tuple[str, Segment]]] = {}
        for key, found in zip(keys, staged, strict=True):
            if found is not None:
                by_shard.setdefault(key, []).append(found)
        for key, arts in groups.items():
            writer = lock_writer(self._index(key, create=True), self.lock_timeout)
            try:
                adopt_segments(writer, by_shard.get(key, []), [a.id for a in arts])
            except BaseException:
                writer.cancel()
                raise
        self._write_manifest()
        shutil.rmtree(staging, ignore_errors=True)

    def delete(self, article_id: str) -> bool:
        """Remove an article from whichever shard holds it; returns whether one did."""
        lock = acquire_lock(DurableStorage(str(self.path)), self.lock_timeout)
        try:
            removed = False
            for name in self._shard_names():
                if ("id", article_id) not in self._searcher(name).reader():
                    continue
                writer = lock_writer(self._index(name), self.lock_timeout)
                try:
                    found = writer.delete_by_term("id", article_id)
                except BaseException:
                    writer.cancel()
                    raise
                if found:
                    writer.commit(merge=False)
                    removed = True
                else:
                    writer.cancel()
            if removed:
                self._write_manifest()
            return removed
        finally:
            lock.release()

    def optimize(self) -> None:
        """Merge each shard's segments into one (and drop deleted documents)."""
        for name in self._shard_names():
            writer = lock_writer(self._index(name), self.lock_timeout)
            try:
                writer.commit(optimize=True)
            except BaseException:
                writer.cancel()
                raise

    # -- reading -------------------------------------------------------------

    def __len__(self) -> int:
        return sum(self._searcher(name).doc_count() for name in self._shard_names())

    def get(self, article_id: str) -> Article | None:
        """The indexed article with this id, or ``None``."""
        for name in self._shard_names():
            stored = self._searcher(name).document(id=article_id)
            if stored:
                return from_stored(stored)
        return None

    def _which(self, names: Sequence[str], q: wquery.Query) -> list[int]:
        """The shards (positions in ``names``) whose date span can match ``q``."""
        plain = without_andnot(q)
        return [i for i, name in enumerate(names) if can_match(plain, *_bounds(name))]

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
        """As :meth:`Index.search`, over every shard that can match the query's dates."""
        q, text, specs = parse_request(query, build_schema(), now, facets)
        names = self._shard_names()
        which = self._which(names, q)
        self.last_searched = len(which)
        shards = self._local_shards(names)
        return execute(
            shards, q, text, limit=limit, page=page, sort=sort, facets=specs, facet_limit=facet_limit, which=which
        )

    def similar(self, article_id: str, *, limit: int = 10, page: int = 1) -> Results | None:
        """As :meth:`Index.similar`, over the whole archive."""
        shards = self._local_shards(self._shard_names())
        results = similar_articles(shards, article_id, limit=limit, page=page)
        if results is not None:
            self.last_searched = len(shards)
        return results

    def check(self) -> list[str]:
        """Verify every shard (as :meth:`Index.check`) and the manifest."""
        problems = []
        names = self._shard_names()
        for info in self.shards():
            if info.name not in names:
                problems.append(f"shard {info.name}: in the manifest but not on disk")
        for name in names:
            problems.extend(f"shard {name}: {p}" for p in check_index(self._index(name)))
        return problems

    def stats(self) -> ArchiveStats:
        """Documents, segments, size and date span of the archive, and its shards."""
        names = self._shard_names()
        infos = []
        documents = segments = 0
        oldest = newest = None
        for name in names:
            searcher = self._searcher(name)
            count = searcher.doc_count()
            documents += count
            segments += segment_count(self._index(name))
            span = shard_span(name)
            infos.append(ShardInfo(name, span[0] if span else None, span[1] if span else None, count))
            if count and span:
                field = searcher.schema["published"]
                for term in field.sortable_terms(searcher.reader(), "published"):
                    when = field.from_bytes(term).replace(tzinfo=dt.UTC)
                    oldest = when if oldest is None or when < oldest else oldest
                    newest = when if newest is None or when > newest else newest
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        return ArchiveStats(
            path=str(self.path),
            documents=documents,
            segments=segments,
            size_bytes=size,
            oldest=oldest,
            newest=newest,
            shard_by=self.shard_by,
            shards=tuple(infos),
        )


def _manifest(shard_by: str, shards: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": ARCHIVE_FORMAT, "kind": _KIND, "shard_by": shard_by, "shards": shards}


def _dask_parts(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception as exc:  # a client that cannot reach its scheduler
        raise NewsIndexError(f"cannot reach the Dask scheduler: {exc}") from None
