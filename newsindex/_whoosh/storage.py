"""Durable storage under Whoosh: fsync on every file and on the folder.

Whoosh 2.7.4 writes a commit's table of contents to a temporary file and renames
it into place, but never calls fsync: after a power cut the new TOC can point at
segment data that never reached the disk. :class:`DurableStorage` fsyncs each
file before it is closed and the folder after each rename, so a commit that has
returned is on disk, and one that has not is invisible.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.util import random_name

__all__ = ["DurableStorage", "fsync_dir"]

# Leftovers of a killed writer: a TOC written but never renamed into place, and
# the scratch folders of its posting pools.
_STRAY = re.compile(r"(?:_\w+_\d+\.toc\.[\d.]+|\w+\.tmp)$")


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
        return FileStorage(os.path.join(self.folder, f"{random_name()}.tmp")).create()

    def clean_strays(self, keep: str | None = None) -> list[str]:
        """Remove scratch files and folders no writer is using (``keep`` excepted).

        Call only while holding the write lock: then no other writer is running.
        """
        removed = []
        for entry in Path(self.folder).iterdir():
            if _STRAY.fullmatch(entry.name) and str(entry) != keep:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry.name)
        if removed:
            fsync_dir(self.folder)
        return removed
