"""An index folder on disk: its format version, opening, creating and checking it.

Besides Whoosh's own files, a folder holds ``newsindex.json``, the format
version of what newsindex wrote there. Opening an index of another version
fails with :class:`~newsindex.IndexFormatError` naming both versions and how to
rebuild, instead of giving wrong answers from files read the wrong way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.index import FileIndex
from whoosh.reading import IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from .._errors import FolderNotEmptyError, IndexDamagedError, IndexFormatError
from . import checksums
from .storage import DurableStorage, OwnFiles, fsync_dir
from .writing import acquire_lock

__all__ = [
    "FORMAT_FILE",
    "FORMAT_VERSION",
    "check_index",
    "index_exists",
    "open_folder",
    "refresh",
    "refuse_unaccounted",
    "segment_count",
]

# Bump whenever what newsindex writes changes meaning (fields, analysis, file
# layout), and say in the README how to move an index across the change.
# 2: title and body index stop words; 3: entity fields index aliases;
# 4: every segment's files have a recorded CRC32 (checksums.py);
# 5: `published` is a column and a stored value only (no numeric trie terms).
FORMAT_VERSION = 5
FORMAT_FILE = "newsindex.json"
_REBUILD = "Rebuild it: `newsindex index SOURCES --index NEW_FOLDER` with the articles it was built from"


def index_exists(path: Path) -> bool:
    """Whether ``path`` holds a Whoosh table of contents."""
    return path.is_dir() and DurableStorage(str(path)).index_exists()


class VerifyingIndex(FileIndex):
    """A FileIndex whose readers open only segments whose files pass their checksums."""

    @classmethod
    def _reader(cls, storage: Any, schema: Schema, segments: list[Any], generation: int, reuse: Any = None) -> Any:
        checksums.verify_segments(storage.folder, segments)
        return super()._reader(storage, schema, segments, generation, reuse=reuse)


def refuse_unaccounted(path: Path, *, creating: bool) -> None:
    """Raise rather than let a new index replace what ``path`` holds (it holds no readable TOC).

    Segment files without a table of contents (deleted by hand, a bad copy, a
    half-restored backup) are an index that lost its list of segments: a new
    index there would delete them at its first commit, so nothing is done.
    Creating an index in a folder of other files is refused too: ``--index``
    naming the wrong folder must not fill it with index files.
    """
    if not path.is_dir():
        return
    entries = sorted(entry.name for entry in path.iterdir())
    segments = [name for name in entries if OwnFiles.SEGMENT.fullmatch(name)]
    tocs = [name for name in entries if OwnFiles.TOC.fullmatch(name)]
    if segments or tocs:
        listed = ", ".join(segments[:4]) + (f" and {len(segments) - 4} more" if len(segments) > 4 else "")
        what = f"{len(segments)} segment file{'s' if len(segments) != 1 else ''}" + (f" ({listed})" if segments else "")
        what += f" and an unreadable {tocs[-1]}" if tocs else ""
        raise IndexDamagedError(
            f"{path} holds {what} but no readable table of contents (_MAIN_<n>.toc): it was deleted, "
            "not copied or damaged. Nothing was changed. Restore the _MAIN_*.toc file from the copy or "
            f"backup the folder came from; or rebuild into a new folder ({_REBUILD[len('Rebuild it: ') :]}) "
            f"and then move {path} aside. `newsindex check --index {path}` reports this too, and exits 1"
        )
    ours = {OwnFiles.LOCK, FORMAT_FILE, f"{FORMAT_FILE}.tmp"}
    foreign = [
        name
        for name in entries
        if name not in ours and not OwnFiles.TOC_TEMP.fullmatch(name) and not OwnFiles.SCRATCH.fullmatch(name)
    ]
    if creating and foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise FolderNotEmptyError(
            f"{path} is not empty and is not an index (it holds {shown}); "
            "give --index an empty or new folder, so no file of yours is mixed with index files"
        )


def _read_version(path: Path) -> int:
    try:
        data = json.loads((path / FORMAT_FILE).read_text(encoding="utf-8"))
        version = data["format"]
    except FileNotFoundError:
        return 0  # newsindex before format versions
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(
            f"{path / FORMAT_FILE} is unreadable ({exc}); this newsindex reads format {FORMAT_VERSION}. {_REBUILD}"
        ) from None
    if not isinstance(version, int):
        raise IndexFormatError(
            f"{path / FORMAT_FILE} names no format version; this newsindex reads format {FORMAT_VERSION}. {_REBUILD}"
        )
    return version


def _write_version(path: Path) -> None:
    tmp = path / f"{FORMAT_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"format": FORMAT_VERSION}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path / FORMAT_FILE)
    fsync_dir(path)


def open_folder(path: Path, schema: Schema | None, lock_timeout: float) -> FileIndex:
    """Open the index in ``path``; with a ``schema``, create it when there is none.

    Creation happens under the write lock (two processes may race to create
    one index). Raises :class:`IndexFormatError` for an index of another format.
    """
    storage = DurableStorage(str(path))
    if not index_exists(path):
        refuse_unaccounted(path, creating=schema is not None)
        if schema is None:
            raise FileNotFoundError(path)
        path.mkdir(parents=True, exist_ok=True)
        lock = acquire_lock(storage, lock_timeout)
        try:
            if not storage.index_exists():
                _write_version(path)
                return storage.create_index(schema, indexclass=VerifyingIndex)
        finally:
            lock.release()
    version = _read_version(path)
    if version != FORMAT_VERSION:
        made = "an older newsindex, before format versions" if version == 0 else f"format {version}"
        raise IndexFormatError(
            f"the index at {path} was written by {made}; this newsindex reads format {FORMAT_VERSION}. {_REBUILD}"
        )
    return storage.open_index(indexclass=VerifyingIndex)


def segment_count(ix: FileIndex) -> int:
    """How many segments the index's latest commit lists."""
    return len(ix._segments())


def check_index(ix: FileIndex) -> list[str]:
    """Open every segment, count its documents, decode every posting list and column.

    Returns the problems found; an empty list means the index is sound.
    """
    problems: list[str] = []
    try:
        toc = ix._read_toc()
    except Exception as exc:  # a damaged TOC can fail in many ways; report, don't crash
        return [f"cannot read the table of contents: {exc}"]
    for segment in toc.segments:
        name = segment.segment_id()
        problems.extend(f"segment {name}: {problem}" for problem in checksums.verify(ix.storage.folder, segment))
        try:
            reader = SegmentReader(ix.storage, toc.schema, segment)
            try:
                seen = sum(1 for docnum in reader.all_doc_ids() if reader.stored_fields(docnum) is not None)
                if seen != segment.doc_count():
                    problems.append(f"segment {name}: {seen} readable documents, {segment.doc_count()} expected")
                for fieldname in reader.indexed_field_names():
                    for term in reader.lexicon(fieldname):
                        reader.postings(fieldname, term).all_ids()  # decode every posting list
                for fieldname in toc.schema.names():
                    if reader.has_column(fieldname):
                        list(reader.column_reader(fieldname, translate=False))  # raw: an undated value is no date
            finally:
                reader.close()
        except Exception as exc:  # any failure to read is damage to report
            problems.append(f"segment {name}: {type(exc).__name__}: {exc}")
    return problems


def refresh(searcher: Searcher) -> Searcher:
    """The searcher itself if no commit happened since it opened, else a new one
    that reuses the open readers of every unchanged segment.

    Whoosh 2.7.4's ``Searcher.refresh()`` means to reuse them, but
    ``FileIndex._reader`` keys the old readers by generation and looks them up
    by segment id, so it never finds one: after every commit it reopens every
    segment, and the in-memory column copies kept per reader (``columns.py``)
    are rebuilt, about a second per searcher on the Reuters index. A segment is
    unchanged when its id and its number of deleted documents are the same
    (deletions only ever grow). The old searcher must not be used afterwards.
    """
    ix = searcher._ix
    if ix is None:
        return searcher
    try:
        toc = ix._read_toc()
    except Exception:  # a table of contents replaced under us: Whoosh's own path retries
        return searcher.refresh()
    old_reader = searcher.reader()
    if toc.generation == old_reader.generation():
        return searcher
    open_now = {r.segment().segment_id(): r for r, _ in old_reader.leaf_readers() if isinstance(r, SegmentReader)}
    readers: list[IndexReader] = []
    for segment in toc.segments:
        reader = open_now.pop(segment.segment_id(), None)
        if reader is not None and reader.segment().deleted_count() == segment.deleted_count():
            readers.append(reader)
        else:
            if reader is not None:
                reader.close()
            readers.append(SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation))
    for reader in open_now.values():  # segments merged away or deleted
        reader.close()
    searcher.is_closed = True
    if not readers:
        return ix.searcher(weighting=searcher.weighting)
    # Always a MultiReader, so the new searcher carries the new generation.
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix, weighting=searcher.weighting)
