"""Durable storage under Whoosh: fsync on every file and on the folder.

Whoosh 2.7.4 writes a commit's table of contents to a temporary file and renames
it into place, but never calls fsync: after a power cut the new TOC can point at
segment data that never reached the disk. :class:`DurableStorage` fsyncs each
file before it is closed and the folder after each rename, so a commit that has
returned is on disk, and one that has not is invisible.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.util import random_name

__all__ = ["DurableStorage", "OwnFiles", "fsync_dir"]


class OwnFiles:
    """The exact names of the files and folders newsindex and Whoosh write in an index folder.

    Only these are ever deleted. Whoosh's own clean-up matched looser patterns
    (``MAIN_plan.txt`` looked like a segment file, ``notes.tmp`` like scratch),
    and deleted files the index never made.
    """

    TOC = re.compile(r"_MAIN_(\d+)\.toc")
    # Whoosh writes a TOC to "<name>.<time.time()>" and renames it into place.
    TOC_TEMP = re.compile(r"_MAIN_\d+\.toc\.\d+(?:\.\d+)?")
    # Segment ids are 16 of Whoosh's IDCHARS; the W3 codec's files, or one compound .seg.
    SEGMENT = re.compile(r"(MAIN_[0-9a-z]{16})\.(?:seg|trm|pst|vps|[A-Za-z0-9_]+\.col)")
    # A writer's scratch folder for its posting pools (see DurableStorage.temp_storage).
    SCRATCH = re.compile(r"[0-9a-z]{28}\.tmp")
    LOCK = "MAIN_WRITELOCK"


# Leftovers of a killed writer: a TOC written but never renamed into place, and
# the scratch folders of its posting pools.
def _stray(entry: Path) -> bool:
    if entry.is_dir() and not entry.is_symlink():
        return OwnFiles.SCRATCH.fullmatch(entry.name) is not None
    return OwnFiles.TOC_TEMP.fullmatch(entry.name) is not None


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a folder's entries (new, renamed or removed files) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_on_close(sfile: StructFile) -> None:
    sfile.file.flush()
    os.fsync(sfile.file.fileno())


class DurableStorage(FileStorage):
    """A FileStorage whose files and renames reach the disk before they count."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: object) -> StructFile:
        sfile = super().create_file(name, excl=excl, mode=mode, **kwargs)
        inner = sfile.onclose

        def onclose(f: StructFile) -> None:
            _fsync_on_close(f)
            if inner:
                inner(f)

        sfile.onclose = onclose
        return sfile

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(self.folder)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        # Whoosh names every writer's scratch folder "MAIN.tmp"; parallel
        # writers need one each, or the first to finish deletes the others'.
        return FileStorage(os.path.join(self.folder, f"{random_name(28)}.tmp")).create()

    def clean_strays(self, keep: str | None = None) -> list[str]:
        """Remove scratch files and folders no writer is using (``keep`` excepted).

        Call only while holding the write lock: then no other writer is running.
        """
        removed = []
        for entry in Path(self.folder).iterdir():
            if _stray(entry) and str(entry) != keep:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry.name)
        if removed:
            fsync_dir(self.folder)
        return removed

    def remove_unused(self, generation: int, segments: Iterable[Segment]) -> None:
        """After a commit: remove older tables of contents and the files of segments
        it no longer lists (merged away, or never committed) — by exact name only.

        Replaces Whoosh's ``clean_files``, whose patterns also matched files the
        index never made (``MAIN_plan.txt``).
        """
        current = {segment.segment_id() for segment in segments}
        for name in self.list():
            toc = OwnFiles.TOC.fullmatch(name)
            segment = OwnFiles.SEGMENT.fullmatch(name)
            if (toc and int(toc.group(1)) != generation) or (segment and segment.group(1) not in current):
                with contextlib.suppress(OSError):  # still open elsewhere (Windows): a later commit retries
                    self.delete_file(name)
