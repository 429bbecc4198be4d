"""Stored fields compressed in blocks of documents, and the reader that decodes them.

Whoosh keeps each document's stored fields as its own zlib stream (the
``_stored`` column, level 3): a Reuters story of 700 bytes compresses poorly
alone. The bulk writer instead pickles the stored fields of
:data:`BLOCK_DOCS` consecutive documents together and compresses them with
zlib at level :data:`LEVEL`, into a ``_zstored`` column holding one block per
block number. On Reuters (with entities, 4 segments) the stored fields took
14.3 MB as Whoosh writes them and 9.4 MB in blocks (format 5) at level 6,
10.1 MB at level 1, which takes half the CPU.

:func:`install` makes Whoosh's ``W3PerDocReader.stored_fields`` read a
segment's blocks when it has that column, and its own ``_stored`` column
otherwise (segments Whoosh's writer made, such as after ``optimize``), so
``get``, ``show``, snippets, export and Whoosh's own merges read the same
values. Reading a document decompresses its block (about 12 KB on Reuters,
tens of microseconds); the last block decoded is kept per reader, so a scan in
document order decompresses each block once.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Mapping
from typing import Any

from whoosh.codec import whoosh3
from whoosh.columns import VarBytesColumn

from . import safe_pickle

__all__ = ["BLOCK_COLUMN", "BLOCK_DOCS", "COLUMN", "LEVEL", "StoredBlocks", "install"]

COLUMN = "_zstored"
BLOCK_COLUMN = VarBytesColumn()
# 16 documents at level 6: 8.3 MB for the id, title, body, language and source
# of Reuters, against 11.7 MB a document at a time at level 3; 32 documents saved
# 0.4 MB more but double the text decompressed to show one hit.
BLOCK_DOCS = 16
# Level 1: the stored fields of all Reuters with entities (20.5 MB pickled) take
# 10.0 MB against 9.3 MB at level 6, and 11 µs of CPU an article against 20
# (about 3% of the bulk writer's time); a 16-document block decompresses in
# about 71 µs at either level.
LEVEL = 1
_PROTOCOL = 3  # strings and datetimes; no framing


class StoredBlocks:
    """Collects documents' stored fields for the bulk writer, a block at a time."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer  # a VarBytesColumn writer
        self.pending: list[Mapping[str, Any] | None] = []
        self.block = 0

    def add(self, docnum: int, stored: Mapping[str, Any] | None) -> None:
        """The stored fields of ``docnum`` (documents come in order, from 0)."""
        self.pending.append(stored or None)
        if len(self.pending) == BLOCK_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.writer.add(self.block, zlib.compress(pickle.dumps(self.pending, _PROTOCOL), LEVEL))
            self.block += 1
            self.pending = []

    def finish(self) -> None:
        self._flush()


def _blocks_stored_fields(self: Any, docnum: int) -> dict[str, Any]:
    """``W3PerDocReader.stored_fields`` for segments written in blocks."""
    if not self.has_column(COLUMN):
        return _whoosh_stored_fields(self, docnum)
    number, index = divmod(docnum, BLOCK_DOCS)
    last = getattr(self, "_newsindex_block", None)  # (number, documents), replaced whole: thread-safe
    if last is None or last[0] != number:
        data = self._cached_reader(COLUMN, BLOCK_COLUMN)[number]
        last = (number, safe_pickle.loads(zlib.decompress(data)) if data else [])
        self._newsindex_block = last
    docs = last[1]
    found = docs[index] if index < len(docs) else None
    return dict(found) if found else {}  # a fresh dict each call, as Whoosh's unpickling gives


_whoosh_stored_fields = whoosh3.W3PerDocReader.stored_fields


def install() -> None:
    """Read block-compressed stored fields wherever Whoosh reads stored fields."""
    whoosh3.W3PerDocReader.stored_fields = _blocks_stored_fields
