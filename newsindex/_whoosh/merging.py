"""Merging segments into one with the bulk writer's layouts (``newsindex optimize``).

Whoosh's own merge (``writer.commit(optimize=True)``) pushes every posting of
every segment through its sorting pool one at a time and writes what bulk
segments avoid: stored fields a document at a time and protocol-2 posting
blocks. An optimized Reuters index came out larger than the one it merged.

:func:`merge_segments` reads each segment once, field by field and term by term
in byte order (a heap merge of the segments' sorted word lists), copies each
block's postings (ids renumbered past deleted documents, weights and encoded
values as they are) and writes them with :class:`.bulk._TermsWriter`, one term
at a time, so memory holds one term's postings, not a field's. Per-document
values (stored fields, field lengths, columns) are copied as Whoosh's merge
copies them: a length is the segment's one-byte approximation, so the merged
field-length totals are sums of approximations, as after Whoosh's merge;
``tests/test_bulk_writer.py`` checks the result reads exactly as Whoosh's merge
of the same segments does.

Private: it reads ``whoosh.codec.whoosh3``'s block matcher attributes, fixed in
Whoosh 2.7.4.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import TranslatingColumnReader
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.reading import SegmentReader
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from . import stored
from .bulk import BLOCK_PICKLE, MIN_COMPRESS, _collector_paused, _Columns, _new_segment, _TermsWriter
from .stored import StoredBlocks

__all__ = ["merge_all", "merge_segments"]


def _docmaps(readers: Sequence[SegmentReader]) -> list[list[int]]:
    """For each segment, the new number of each old document (-1: deleted)."""
    maps: list[list[int]] = []
    base = 0
    for reader in readers:
        docmap = []
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                docmap.append(-1)
            else:
                docmap.append(base)
                base += 1
        maps.append(docmap)
    return maps


def _postings(reader: SegmentReader, field: str, tbytes: bytes, docmap: list[int], flat: list[Any]) -> None:
    """Append the live postings of one term of one segment to ``flat``, renumbered."""
    # The segment's own block matcher: reader.postings() would wrap it to skip
    # deleted documents, which the docmap already does.
    m = reader._terms.matcher(field, tbytes, reader.schema[field].format)
    while m.is_active():
        m._read_ids()
        m._read_weights()
        m._read_values()
        values = m._values
        for i, docnum in enumerate(m._ids):
            new = docmap[docnum]
            if new >= 0:
                flat += (new, m._weights[i], values[i] if values[i] is not None else b"")
        if m._lastblock:
            break
        m._next_block()


def _field_terms(
    readers: Sequence[SegmentReader], maps: list[list[int]], field: str
) -> Iterator[tuple[bytes, list[Any]]]:
    """One field's terms over all segments in byte order, each with its merged postings."""
    lexicons = [
        zip(reader.lexicon(field), repeat(k))
        for k, reader in enumerate(readers)
        if field in reader.indexed_field_names()
    ]
    current: bytes | None = None
    flat: list[Any] = []
    for tbytes, k in heapq.merge(*lexicons):
        if tbytes != current:
            if flat:
                yield current, flat  # type: ignore[misc]
            current, flat = tbytes, []
        _postings(readers[k], field, tbytes, maps[k], flat)
    if flat:
        yield current, flat  # type: ignore[misc]


def merge_segments(
    storage: Storage, schema: Schema, segments: Sequence[Segment], indexname: str = "MAIN"
) -> Segment | None:
    """One new segment (written, not committed) holding the live documents of ``segments``
    in order; ``None`` if none is left."""
    readers = [SegmentReader(storage, schema, segment) for segment in segments]
    try:
        maps = _docmaps(readers)
        doccount = sum(1 for docmap in maps for new in docmap if new >= 0)
        if not doccount:
            return None
        names = schema.names()
        scorable = [name for name in names if schema[name].scorable]
        cols = _Columns()
        store = StoredBlocks(cols.create(stored.COLUMN, stored.BLOCK_COLUMN))
        lengths = {name: array("B") for name in scorable}
        totals = dict.fromkeys(scorable, 0)
        for reader, docmap in zip(readers, maps):
            columns = {}
            for name in names:
                column = schema[name].column_type
                if column and reader.has_column(name):
                    creader = reader.column_reader(name, column)
                    if isinstance(creader, TranslatingColumnReader):
                        creader = creader.raw_column()
                    columns[name] = (column, creader)
            for docnum, new in enumerate(docmap):
                if new < 0:
                    continue
                fields = reader.stored_fields(docnum)
                store.add(new, {k: v for k, v in fields.items() if k in schema and v is not None})
                for name in scorable:
                    length = reader.doc_field_length(docnum, name) or 0
                    lengths[name].append(length_to_byte(length) if length else 0)
                    totals[name] += length
                for name, (column, creader) in columns.items():
                    cols.add(name, column, new, creader[docnum])
        store.finish()

        codec = W3Codec()
        terms = _TermsWriter(codec, MIN_COMPRESS, BLOCK_PICKLE)
        with _collector_paused():
            for name in sorted(names):
                if not schema[name].indexed:
                    continue
                lbs = lengths[name].tobytes() if name in lengths else None
                terms.add_terms(name, schema[name].format, _field_terms(readers, maps, name), lbs)
            pst_chunks, trm = terms.finish()
        column_bytes = cols.finish(doccount)
        fieldlengths = {}
        for name, per_doc in lengths.items():
            if totals[name]:
                # as the bulk writer: a byte per document up to the last with a length
                column_bytes[f"_{name}_len"] = per_doc.tobytes().rstrip(b"\0")
                fieldlengths[name] = totals[name]
    finally:
        for reader in readers:
            reader.close()
    return _new_segment(storage, codec, indexname, (pst_chunks, trm, column_bytes), fieldlengths, doccount)


def merge_all(writer: SegmentWriter) -> None:
    """Merge the index's segments into one, committed durably; releases the writer's lock.

    Nothing is rewritten when there is one segment without deletions.
    """
    segments = list(writer.segments)
    if len(segments) <= 1 and not any(s.has_deletions() for s in segments):
        writer.cancel()
        return
    merged = merge_segments(writer.storage, writer.schema, segments, writer.indexname)
    writer._close_segment()  # the writer adds no documents of its own
    writer._commit_toc([merged] if merged is not None else [])
    writer._finish()
