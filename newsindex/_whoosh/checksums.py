"""A CRC32 of every segment file, recorded at commit and verified on first read and by check.

Whoosh 2.7.4 keeps no checksums: a zeroed 16 KiB block in a segment file could
pass ``newsindex check`` and make some queries return wrong totals with exit
status 0. As Lucene's per-file footers and CheckIndex do, each commit now
records the size and CRC32 (``zlib.crc32``, the standard library's) of every
file of every segment it lists, in the segment's entry of the table of
contents (the commit's own metadata), and

- :func:`verify_segments` checks a segment's files the first time a reader
  opens them in this process: one sequential read, remembered by file
  identity (path, device, inode, size, modification time), so a damaged file
  is an :class:`~newsindex.IndexDamagedError` naming it, never a wrong answer;
- :func:`verify` re-reads every file for ``check``, remembering nothing.

Segment files never change once written (deletions live in the table of
contents), so a recorded checksum stays true for the segment's life.
benchmarks/bench_checksums.py measures the cost.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._errors import IndexDamagedError

__all__ = ["record", "recorded", "verify", "verify_segments"]

_ATTR = "_newsindex_checksums"  # on a segment object, pickled with it in the TOC
_CHUNK = 1 << 20
_verified: set[tuple[str, int, int, int, int]] = set()  # identities of files found sound
_lock = threading.Lock()


def _file_checksum(path: Path) -> tuple[int, int]:
    """A file's size and CRC32, read sequentially."""
    crc = size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


def record(storage: Any, segment: Any) -> None:
    """Record the size and CRC32 of the segment's files, unless already recorded."""
    if getattr(segment, _ATTR, None):
        return
    folder = Path(storage.folder)
    sums = {}
    for name in segment.list_files(storage):
        path = folder / name
        sums[name] = _file_checksum(path)
        _remember(path)  # just read back as written: no need to read it again to open it
    setattr(segment, _ATTR, sums)


def _identity(path: Path) -> tuple[str, int, int, int, int]:
    st = path.stat()
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _remember(path: Path) -> None:
    with _lock:
        _verified.add(_identity(path))


def recorded(segment: Any) -> dict[str, tuple[int, int]]:
    """The checksums recorded for a segment's files: ``{name: (size, crc32)}``."""
    return dict(getattr(segment, _ATTR, None) or {})


def verify(folder: str | Path, segment: Any, *, remember: bool = False) -> list[str]:
    """What is wrong with the segment's files (nothing: an empty list).

    With ``remember``, files found sound before (same identity) are not read again.
    """
    sums = recorded(segment)
    if not sums:
        return [f"segment {segment.segment_id()} has no recorded checksums"]
    problems = []
    for name, (size, crc) in sorted(sums.items()):
        path = Path(folder) / name
        try:
            identity = _identity(path)
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        if remember and identity in _verified:
            continue
        found_size, found = _file_checksum(path)
        if found_size != size:
            problems.append(f"{name} is {found_size:,} bytes, {size:,} were written (checksum cannot match)")
        elif found != crc:
            problems.append(f"{name} fails its checksum (CRC32 {found:08x}, {crc:08x} was recorded)")
        elif remember:
            _remember(path)
    return problems


def verify_segments(folder: str | Path, segments: Iterable[Any]) -> None:
    """Raise :class:`IndexDamagedError` naming each damaged file, before a reader opens it."""
    problems = [problem for segment in segments for problem in verify(folder, segment, remember=True)]
    if problems:
        raise IndexDamagedError(
            f"the index at {folder} is damaged: {'; '.join(problems)}. Nothing was read from it; "
            f"`newsindex check --index {folder}` lists all damage. Rebuild it, or restore it from a backup"
        )
