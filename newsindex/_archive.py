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

import collections
import datetime as dt
import heapq
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
from ._errors import EntityModelError, IndexFormatError, IndexNotFoundError, NewsIndexError, QueryError
from ._export import Scan, parse_fields
from ._index import DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT, IndexStats
from ._pipeline import DEFAULT_PROCS, batches, bulk_documents
from ._query import prepare
from ._readers import Partition, Rejection, check_inputs, input_bytes, part_size, partitions, read_piece
from ._results import Results
from ._schema import build_schema, from_stored
from ._searching import LocalShards, Shards, execute, expand_globally, parse_request, similar_articles
from ._whoosh import (
    NO_DATE,
    DateRange,
    DurableStorage,
    Segment,
    Sort,
    acquire_lock,
    adopt_segments,
    check_index,
    check_sort,
    collect,
    fsync_dir,
    index_exists,
    lock_writer,
    merge_all,
    open_folder,
    refresh,
    scored_terms,
    segment_count,
    stage_segment,
    use_stats,
    without_andnot,
)

__all__ = [
    "ARCHIVE_FORMAT",
    "MANIFEST",
    "SHARD_BY",
    "UNDATED",
    "Archive",
    "ArchiveStats",
    "FilesAdded",
    "ShardInfo",
    "build_partition",
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
    segment = stage_segment(folder, build_schema(), bulk_documents(articles, extractor))
    return (folder, segment) if segment is not None else None


def _build_task(task: tuple[str, str | None, list[Article]]) -> tuple[str, Segment] | None:
    return build_segment(*task)


Task = tuple[str, str | None, list[Article]]
Runner = Callable[[list[Task]], list[tuple[str, Segment] | None]]
Staged = tuple[str, tuple[str, Segment] | None, list[str]]  # (shard, staged segment, its ids)
PartTask = tuple[str, str | None, str, Partition]  # (staging, entity backend, shard_by, partition)


@attrs.frozen(slots=True)
class PartResult:
    """What one partition task gives back: plain data, so it can come from a Dask worker."""

    segments: list[Staged]  # one per shard its articles fall in
    rejects: list[tuple[int, Rejection]]  # (piece, rejection): lines count from the piece's start
    records: int  # records read, rejected ones included
    articles: int  # distinct ids indexed
    lines: dict[int, int]  # lines held by each byte-range piece of JSON Lines


@attrs.frozen(slots=True)
class FilesAdded:
    """The counts of :meth:`Archive.add_files`."""

    read: int = 0  # records, rejected ones included
    indexed: int = 0  # articles committed (an id repeated within a partition counts once)
    rejected: int = 0


def build_partition(staging: str, backend: str | None, shard_by: str, part: Partition) -> PartResult:
    """Read one partition of the input, analyze it and write one staged segment
    per shard its articles fall in (a repeated id keeps its later article).

    Runs in a worker process or on a Dask worker, which reads the input from
    the shared file system; touches no shard. Holds the partition's articles
    in memory (about :data:`~newsindex._readers.PART_BYTES` of input).
    """
    unique: dict[str, Article] = {}
    rejects: list[tuple[int, Rejection]] = []
    lines: dict[int, int] = {}
    records = 0
    for k, piece in enumerate(part.pieces):
        counted = [0]
        for record in read_piece(piece, counted):
            records += 1
            if isinstance(record, Rejection):
                rejects.append((k, record))
                continue
            unique.pop(record.id, None)
            unique[record.id] = record
        if piece.stop != -1 and not piece.path.lower().endswith(".parquet"):
            lines[k] = counted[0]  # a byte range of JSON Lines: the caller numbers its lines
    groups: dict[str, list[Article]] = {}
    for article in unique.values():
        groups.setdefault(shard_key(article.published, shard_by), []).append(article)
    segments: list[Staged] = [
        (key, build_segment(staging, backend, arts), [a.id for a in arts]) for key, arts in groups.items()
    ]
    return PartResult(segments, rejects, records, len(unique), lines)


def _partition_task(task: PartTask) -> PartResult:
    return build_partition(*task)


class _Inline:
    """A task run at once, in this process, behind the interface of a future."""

    def __init__(self, task: PartTask) -> None:
        self._result = _partition_task(task)

    def done(self) -> bool:
        return True

    def result(self) -> PartResult:
        return self._result


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
        entries = [(key, found, [a.id for a in task[2]]) for key, found, task in zip(keys, staged, tasks, strict=True)]
        self._commit(entries)
        shutil.rmtree(staging, ignore_errors=True)

    def _commit(self, entries: Sequence[Staged]) -> None:
        """Steps 2 and 3 of writing (with the lock held): ``entries`` are
        ``(shard, staged segment or None, its ids)``, no id in two of them."""
        groups: dict[str, list[str]] = {}
        for key, _, ids in entries:
            groups.setdefault(key, []).extend(ids)
        # 2. Ids leave the shards they no longer belong to.
        target = {i: key for key, ids in groups.items() for i in ids}
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
        for key, found, _ in entries:
            if found is not None:
                by_shard.setdefault(key, []).append(found)
        for key, ids in groups.items():
            writer = lock_writer(self._index(key, create=True), self.lock_timeout)
            try:
                adopt_segments(writer, by_shard.get(key, []), ids)
            except BaseException:
                writer.cancel()
                raise
        self._write_manifest()

    def add_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        progress: Callable[[int], None] | None = None,
        rejected: Callable[[Rejection], None] | None = None,
        dask: Any = None,
        part_bytes: int | None = None,
    ) -> FilesAdded:
        """Index files and folders (as :func:`~newsindex.read` reads them) with
        the reading done by the workers: the input is split into partitions
        (:func:`~newsindex._readers.partitions`: by file, JSON Lines by byte
        range, Parquet by row group) and each task reads one, analyzes it and
        writes its segments, here in worker processes or on Dask workers, which
        must see the input and the archive at the same paths.

        This process lists the input, commits the tasks' segments in input
        order (so a later copy of an id replaces an earlier one, as in
        :meth:`add`) and calls ``rejected`` with each bad record, with its file
        and line, and ``progress`` with the articles of each commit. The
        archive's lock is held for the whole run; a failed task stops it with
        every earlier commit whole, and a re-run completes it.

        ``part_bytes`` (default: :func:`~newsindex._readers.part_size`, at most
        :data:`~newsindex._readers.PART_BYTES`) is the input per task.
        """
        paths = list(paths)
        check_inputs(paths)
        dask = dask if dask is not None else self.dask
        if part_bytes is None:
            part_bytes = part_size(input_bytes(paths), _dask_parts(dask) if dask is not None else self.procs)
        found = list(partitions(paths, part_bytes))
        parts = [p for p in found if isinstance(p, Partition)]
        added = FilesAdded()
        for rejection in (r for r in found if isinstance(r, Rejection)):
            added = attrs.evolve(added, read=added.read + 1, rejected=added.rejected + 1)
            if rejected:
                rejected(rejection)
        lock = acquire_lock(DurableStorage(str(self.path)), self.lock_timeout)
        try:
            staging = self.path / "staging"
            shutil.rmtree(staging, ignore_errors=True)  # what a killed run left (we hold the lock)
            staging.mkdir()
            tasks = [(str(staging), self.entities, self.shard_by, part) for part in parts]
            if dask is not None:
                from ._dask import dask_submitter

                submit, stop = dask_submitter(dask)
                added = self._add_parts(tasks, submit, 2 * _dask_parts(dask), added, progress, rejected, stop)
            elif self.procs == 1 or len(tasks) < 2:
                added = self._add_parts(tasks, _Inline, 1, added, progress, rejected, lambda: None)
            else:
                if self.entities is not None:
                    get_extractor(self.entities)  # loaded once, here: forked workers inherit it
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
                with ProcessPoolExecutor(self.procs, mp_context=context) as pool:
                    added = self._add_parts(
                        tasks,
                        lambda task: pool.submit(_partition_task, task),
                        2 * self.procs,
                        added,
                        progress,
                        rejected,
                        lambda: None,
                    )
            shutil.rmtree(staging, ignore_errors=True)
        finally:
            lock.release()
        return added

    def _add_parts(
        self,
        tasks: list[PartTask],
        submit: Callable[[PartTask], Any],
        window: int,
        added: FilesAdded,
        progress: Callable[[int], None] | None,
        rejected: Callable[[Rejection], None] | None,
        stop: Callable[[], None],
    ) -> FilesAdded:
        """Run ``tasks`` (at most ``window`` at once) and commit their results in
        input order: each commit takes the next finished results as long as no
        id repeats among them (a repeated id waits for the next commit, which
        replaces it, as a later batch does in one index)."""
        pending: collections.deque[Any] = collections.deque()
        queue = iter(tasks)
        lines: dict[str, int] = {}  # lines of each JSON Lines file read so far, in input order

        def fill() -> None:
            while len(pending) < window and (task := next(queue, None)) is not None:
                pending.append((task[3], submit(task)))

        try:
            fill()
            while pending:
                group: list[tuple[Partition, PartResult]] = []
                seen: set[str] = set()
                while pending and (not group or pending[0][1].done()):
                    part, future = pending[0]
                    result: PartResult = future.result()
                    ids = {i for _, _, found in result.segments for i in found}
                    if group and not seen.isdisjoint(ids):
                        break
                    pending.popleft()
                    group.append((part, result))
                    seen |= ids
                    fill()
                self._commit([entry for _, result in group for entry in result.segments])
                for part, result in group:
                    for k, piece in enumerate(part.pieces):
                        before = lines.get(piece.path, 0)  # a byte range's lines count from its start
                        for rejection in (r for j, r in result.rejects if j == k):
                            if rejected:
                                rejected(
                                    attrs.evolve(rejection, line=rejection.line + before)
                                    if k in result.lines
                                    else rejection
                                )
                        if k in result.lines:
                            lines[piece.path] = before + result.lines[k]
                    added = attrs.evolve(
                        added,
                        read=added.read + result.records,
                        indexed=added.indexed + result.articles,
                        rejected=added.rejected + len(result.rejects),
                    )
                    if progress:
                        progress(result.articles)
        except BaseException:
            stop()
            raise
        return added

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
                merge_all(writer)
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

    def scan(
        self,
        query: str | Q,
        *,
        sort: Sort = "oldest",
        fields: str | Iterable[str] | None = None,
        now: dt.datetime | None = None,
    ) -> Scan:
        """As :meth:`Index.scan`: every match of every shard, in the order one
        index of the same articles gives (relevance scored with archive-wide
        statistics, ties and equal dates by article id).

        Each shard is read through its own snapshot, taken when the scan starts
        and held until it ends; shards the query's dates rule out are not
        searched. In memory: the sort key (score or date, and article id) of
        every match, which the shards' lists are merged by, rather than one
        index's document numbers alone. Runs in this process, also for an
        archive opened with ``dask``.
        """
        check_sort(sort)
        text = str(query)
        try:
            chosen = parse_fields(fields) if fields is not None else None
        except ValueError as exc:
            raise QueryError(str(exc), text) from None
        q, text, _ = parse_request(query, build_schema(), now)
        names = self._shard_names()
        searchers = [self._index(name).searcher() for name in names]  # snapshots, closed with the scan
        try:
            shards = LocalShards(searchers, schema=build_schema())
            q = expand_globally(shards, q)
            stats = shards.stats(set(scored_terms(without_andnot(q), shards.schema)))
            ranked = []
            for i in self._which(names, q):
                searcher = use_stats(searchers[i], stats)
                found = collect(searcher, prepare(q, searcher.reader()), max(1, searcher.doc_count_all()), sort, None)
                ranked.append([(key, i, docnum) for key, _, docnum in found.top])
            order = [(i, docnum) for _, i, docnum in heapq.merge(*ranked)]
        except BaseException:
            for searcher in searchers:
                searcher.close()
            raise
        return Scan(searchers, order, chosen)

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
