"""Writing segments and committing them, under the index's one write lock.

Whoosh's ``SegmentWriter`` writes a segment and commits it in one go, holding
the lock throughout. newsindex splits those steps: worker processes each write
a complete segment with no lock (:func:`write_segment`), and the main process
takes the lock once per batch (:func:`lock_writer`), replaces re-added ids and
commits every new segment in one table of contents (:func:`commit`). That needs
Whoosh's private ``_close_segment``/``_finalize_segment``/``_commit_toc``, which
is why this lives here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from .._errors import IndexLockedError
from . import bulk, checksums

__all__ = [
    "LOCK_DELAY",
    "WRITE_LOCK",
    "Segment",
    "acquire_lock",
    "adopt_segments",
    "commit",
    "lock_writer",
    "stage_segment",
    "write_segment",
]

WRITE_LOCK = "MAIN_WRITELOCK"  # FileIndex.lock("WRITELOCK") of the index named MAIN
LOCK_DELAY = 0.05  # seconds between tries for the write lock: a commit takes tens of ms


def acquire_lock(storage: FileStorage, timeout: float) -> Any:
    """The index's write lock, held; waits up to ``timeout`` seconds for it.

    The lock Whoosh's own writers take (``MAIN_WRITELOCK``), so a plain Whoosh
    writer on the same folder waits its turn too.
    """
    lock = storage.lock(WRITE_LOCK)
    if not try_for(lock.acquire, timeout=timeout, delay=LOCK_DELAY):
        raise IndexLockedError(
            f"another writer held the index lock for more than {timeout:g} s; try again, or raise --lock-timeout"
        )
    return lock


def write_segment(ix: FileIndex, docs: Iterable[Mapping[str, Any]]) -> Segment | None:
    """Write one complete segment (not yet part of the index) from Whoosh field values.

    Written by :mod:`.bulk` in one pass, in Whoosh's own format (2.5x less CPU
    than Whoosh's ``SegmentWriter`` on Reuters; ``tests/test_bulk_writer.py``
    checks stock readers read it exactly as Whoosh's own). Takes no lock: the
    segment is invisible until :func:`commit` lists it. Returns ``None`` when
    ``docs`` is empty.
    """
    return bulk.write_segment(ix.storage, ix.schema, docs, indexname=ix.indexname)


class _Writer(SegmentWriter):
    """A SegmentWriter that tidies scratch folders before it lets go of the lock.

    Whoosh reuses one scratch folder name per index; ours are unique per writer
    (parallel writers need that), so each finished writer removes the empty
    ones, its workers' included.
    """

    def _finish(self) -> None:
        self.storage.clean_strays(keep=self._tempstorage.folder)
        super()._finish()

    def _commit_toc(self, segments: list[Segment]) -> None:
        # As Whoosh's, but recording each new segment's checksums in the TOC,
        # and removing only files of our own exact names.
        for segment in segments:
            checksums.record(self.storage, segment)
        toc = TOC(self.schema, segments, self.generation)
        toc.write(self.storage, self.indexname)
        self.storage.remove_unused(self.generation, segments)


def lock_writer(ix: FileIndex, timeout: float) -> SegmentWriter:
    """A writer holding the index's write lock, waiting up to ``timeout`` seconds for it.

    Its ``commit()``/``cancel()`` release the lock, as Whoosh's own writers do.
    """
    lock = acquire_lock(ix.storage, timeout)
    try:
        # What a killed writer left behind goes now, while no one else can
        # write, and before this writer makes scratch files of its own.
        ix.storage.clean_strays()
        writer = _Writer(ix, _lk=False)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock
    return writer


def commit(writer: SegmentWriter, segments: list[Segment], ids: Iterable[str]) -> None:
    """Replace older copies of ``ids`` and add ``segments``, in one durable commit.

    Releases the writer's lock.
    """
    if writer.segments:
        with writer.searcher() as searcher:
            for docnum in _older_copies(searcher, ids):
                writer.delete_document(docnum)
    writer._close_segment()  # the committing writer adds no documents of its own
    writer._commit_toc(writer.segments + segments)
    writer._finish()


def _older_copies(searcher: Any, ids: Iterable[str]) -> Iterator[int]:
    """Document numbers (deleted ones aside) of the documents already indexed under ``ids``.

    Segment by segment: a small segment's ids are read whole and intersected with
    ``ids``, a large one's are looked up one by one in its hashed term table. A
    query per id (``searcher.document_numbers``) cost ~13 us an id and segment, most
    of it building and normalizing the query: 0.25 s of the last commit of Reuters
    (19,578 ids against its first batch's two segments), with the workers idle.
    """
    field = searcher.schema["id"]
    wanted = {field.to_bytes(article_id) for article_id in ids}
    for reader, base in searcher.reader().leaf_readers():
        if reader.doc_count_all() <= 4 * len(wanted):
            found: Iterable[bytes] = wanted.intersection(reader.lexicon("id"))
        else:
            found = [term for term in wanted if ("id", term) in reader]
        for term in found:
            for docnum in reader.postings("id", term).all_ids():
                yield base + docnum


def stage_segment(folder: str, schema: Any, docs: Iterable[Mapping[str, Any]]) -> Segment | None:
    """Write one complete, fsynced segment into a new scratch index at ``folder``.

    For archives: the segment joins a shard later (:func:`adopt_segments`), so
    writing it needs no lock and touches no shard; a task killed half-way
    leaves only this folder behind.
    """
    from .storage import DurableStorage, fsync_dir

    os.makedirs(folder, exist_ok=True)
    ix = DurableStorage(folder).create_index(schema)
    segment = write_segment(ix, docs)
    fsync_dir(folder)
    return segment


def adopt_segments(writer: SegmentWriter, staged: Iterable[tuple[str, Segment]], ids: Iterable[str]) -> None:
    """Move staged segments' files into the writer's index and :func:`commit` them.

    Files are renamed (same file system) and the folder fsynced before the
    commit lists them; if the process dies in between, the next commit of that
    index deletes them as unlisted. Releases the writer's lock.
    """
    from .storage import fsync_dir

    segments = []
    for folder, segment in staged:
        prefix = segment.segment_id() + "."
        for name in os.listdir(folder):
            if name.startswith(prefix):
                os.replace(os.path.join(folder, name), os.path.join(writer.storage.folder, name))
        segments.append(segment)
    fsync_dir(writer.storage.folder)
    commit(writer, segments, ids)
