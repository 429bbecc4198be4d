"""A bulk segment writer: Whoosh 2.7.4's W3 on-disk format, written in one pass.

Whoosh's :class:`~whoosh.writing.SegmentWriter` encodes every posting in the
field's format as it is added, pushes ``(field, term, doc, weight, value)``
tuples through a sorting pool (spilling to temporary files), then reads them
back one at a time into the postings writer, looking up each posting's field
length in a column reader on the way. A profile of ``newsindex index`` put
about 54% of indexing time there.

:func:`write_segment` writes the same segment from already-analysed documents:
it inverts each document's words in a dict, groups postings per term as they
arrive (documents come in order, so no sort and no pool), and writes each
field's terms in sorted order, 128 postings a block, straight into the
compound ``.seg`` file. Stock Whoosh readers read the result unchanged:
``tests/test_bulk_writer.py`` compares it with Whoosh's own writer posting by
posting.

This module is private: it depends on the details of ``whoosh.codec.whoosh3``
(block layout, term info bytes, column and compound file layouts), which are
fixed in Whoosh 2.7.4, the version ``setup.cfg`` pins.
"""

from __future__ import annotations

import io
import operator
import pickle
import time
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any, NamedTuple

from whoosh import formats
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
)
from whoosh.fields import FieldType, Schema, UnknownFieldError
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = ["Tokens", "write_segment"]


class Tokens(NamedTuple):
    """The analysed words of one field of one document, with their positions.

    ``positions`` may leave gaps (between names, or where stop words were);
    ``None`` means consecutive positions from 0, which is what Whoosh gives a
    plain sequence of words. A stored or sortable field given as ``Tokens``
    needs its original value under ``_stored_<field>``.
    """

    words: Sequence[str]
    positions: Sequence[int] | None = None


# Formats the fast path encodes itself (exact types: subclasses such as
# Characters encode more); any other takes Whoosh's own field.index() path.
_FAST_FORMATS = (formats.Positions, formats.Frequency, formats.Existence)

_PICKLE = 2  # the pickle protocol W3 writes with


class _NoCloseBytesIO(io.BytesIO):
    """Whoosh's hash and column writers close their file when done; keep ours readable."""

    def close(self) -> None:
        pass


def _memfile() -> tuple[StructFile, _NoCloseBytesIO]:
    buf = _NoCloseBytesIO()
    return StructFile(buf), buf


# -- posting values ---------------------------------------------------------


def _positions_value(poslist: list[int]) -> bytes:
    """``formats.Positions.encode``: the count, then the pickled position deltas."""
    deltas = [poslist[0], *map(operator.sub, poslist[1:], poslist)]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, _PICKLE)


_single: dict[int, bytes] = {}  # most postings hold one position: encode each position once


def _single_value(pos: int) -> bytes:
    value = _single.get(pos)
    if value is None:
        value = _single[pos] = pack_uint(1) + pickle.dumps([pos], _PICKLE)
    return value


class _Postings:
    """One field's postings, grouped per term in document order.

    Each term maps to three parallel lists: document numbers, weights (Python
    floats, as Whoosh's writer sees them before it rounds them to float32),
    and encoded values.
    """

    __slots__ = ("field", "fmt", "terms")

    def __init__(self, field: FieldType) -> None:
        self.field = field
        self.fmt = field.format
        # str keys from the fast path, bytes keys from field.index(): merged at the end
        self.terms: dict[str | bytes, tuple[array[int], list[float], list[bytes]]] = {}

    def add_words(self, docnum: int, words: Sequence[str], positions: Sequence[int] | None, boost: float) -> int:
        """Invert one document's words; returns the field length (the word count)."""
        if positions is None:
            positions = range(len(words))
        elif len(positions) != len(words):
            raise ValueError(f"{len(words)} words but {len(positions)} positions")
        poses: dict[str, list[int]] = {}
        get = poses.get
        for word, pos in zip(words, positions):  # the only per-word Python loop
            found = get(word)
            if found is None:
                poses[word] = [pos]
            else:
                found.append(pos)
        fmt = self.fmt
        fb = fmt.field_boost
        terms = self.terms
        if type(fmt) is formats.Positions:
            for word, poslist in poses.items():
                entry = terms.get(word)
                if entry is None:
                    entry = terms[word] = (array("I"), [], [])
                n = len(poslist)
                entry[0].append(docnum)
                entry[1].append(n * fb * boost)
                entry[2].append(_single_value(poslist[0]) if n == 1 else _positions_value(poslist))
        elif type(fmt) is formats.Frequency:
            for word, poslist in poses.items():
                entry = terms.get(word)
                if entry is None:
                    entry = terms[word] = (array("I"), [], [])
                n = len(poslist)
                entry[0].append(docnum)
                entry[1].append(n * fb * boost)
                entry[2].append(pack_uint(n))
        elif type(fmt) is formats.Existence:
            weight = fb * boost
            for word in poses:
                entry = terms.get(word)
                if entry is None:
                    entry = terms[word] = (array("I"), [], [])
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(b"")
            # Existence reports a frequency of 1 per distinct word
            return len(poses)
        else:  # pragma: no cover - guarded by the caller
            raise TypeError(f"no fast path for {type(fmt).__name__}")
        return len(words)

    def add_posting(self, docnum: int, tbytes: bytes, weight: float, value: bytes) -> None:
        entry = self.terms.get(tbytes)
        if entry is None:
            entry = self.terms[tbytes] = (array("I"), [], [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value)

    def sorted_terms(self) -> list[tuple[bytes, tuple[array[int], list[float], list[bytes]]]]:
        """The terms as UTF-8 bytes in byte order (Whoosh's term order)."""
        merged: dict[bytes, tuple[array[int], list[float], list[bytes]]] = {}
        for key, entry in self.terms.items():
            tbytes = key.encode("utf-8") if isinstance(key, str) else key
            other = merged.get(tbytes)
            if other is None:
                merged[tbytes] = entry
            else:  # the same term from both paths (rare): merge by document
                rows = sorted(chain(zip(*other), zip(*entry)), key=operator.itemgetter(0))
                merged[tbytes] = (array("I", [r[0] for r in rows]), [r[1] for r in rows], [r[2] for r in rows])
        return sorted(merged.items())


# -- the postings and terms files --------------------------------------------


class _TermsWriter:
    """Writes W3 posting blocks (``.pst``) and term infos (``.trm``) field by field.

    The block layout is ``W3PostingsWriter._write_block``'s: a signed int block
    length (negative for a term's last block), a pickled info tuple ``(count,
    last id, max weight, compression, min length byte, max length byte)``, and
    the zlib-compressed pickle of ``(delta-coded ids, weights, values)``, with
    weights and values "minified" the way Whoosh does.
    """

    def __init__(self, codec: W3Codec) -> None:
        self.blocklimit: int = codec._blocklimit
        self.compression: int = codec._compression
        self.postings: list[bytes] = []
        self.offset = 0  # bytes of postings so far
        self.trm_file, self.trm_buf = _memfile()
        self.tindex = OrderedHashWriter(self.trm_file)
        self.fieldmap: dict[str, int] = {}
        self.tindex.extras["fieldmap"] = self.fieldmap

    def add_field(self, name: str, postings: _Postings, lengths: Sequence[int | None] | None) -> None:
        """Write one field's terms; ``lengths`` are the quantized field lengths per
        document as a reader reports them (``None`` when the field is not scored)."""
        terms = postings.sorted_terms()
        if not terms:
            return
        fieldid = self.fieldmap[name] = len(self.fieldmap)
        prefix = pack_ushort(fieldid)
        fixedsize = postings.fmt.fixed_value_size()
        limit, comp = self.blocklimit, self.compression
        out = self.postings
        write, add = out.append, self.tindex.add
        dumps, compress = pickle.dumps, zlib.compress
        pack_info = W3TermInfo._struct.pack
        sub = operator.sub
        lenget = lengths.__getitem__ if lengths is not None else None

        for tbytes, (docs, weights, values) in terms:
            start = self.offset
            size = 4
            write(WHOOSH3_HEADER_MAGIC)
            total_weight: float = 0
            max_weight: float = 0
            minlength: int | None = None
            maxlength = 0
            count = len(docs)
            for lo in range(0, count, limit):
                hi = lo + limit
                ids = docs[lo:hi]
                ws = weights[lo:hi]
                wf = array("f", ws)  # Whoosh keeps block weights as float32
                distinct = set(wf)
                if distinct == {1.0}:
                    mini_w: Any = None
                elif len(distinct) == 1:
                    mini_w = wf[0]
                else:
                    mini_w = tuple(wf)
                vs = values[lo:hi]
                if fixedsize is None or fixedsize < 0:
                    mini_v: Any = tuple(vs)
                elif fixedsize == 0:
                    mini_v = None
                else:
                    mini_v = b"".join(vs)
                deltas = (ids[0], *map(sub, ids[1:], ids))
                data = dumps((deltas, mini_w, mini_v), _PICKLE)
                if comp:
                    data = compress(data, comp)
                bmax = max(ws)
                bmax = bmax if bmax > 0 else 0  # Whoosh starts its maximum at 0
                bmin_len: int | None = None
                bmax_len = 0
                if lenget is not None:
                    lens = [x for x in map(lenget, ids) if x]
                    if lens:
                        bmin_len, bmax_len = min(lens), max(lens)
                info = dumps(
                    (len(ids), ids[-1], bmax, comp, length_to_byte(bmin_len), length_to_byte(bmax_len)), _PICKLE
                )
                blocklength = len(info) + len(data)
                write(pack_int(-blocklength if hi >= count else blocklength))
                write(info)
                write(data)
                size += 4 + blocklength
                # the term's statistics, as W3TermInfo.add_block sums them
                total_weight += sum(wf)
                max_weight = max(max_weight, bmax)
                minlength = bmin_len if minlength is None or bmin_len is None else min(minlength, bmin_len)
                maxlength = max(maxlength, bmax_len)
            self.offset += size
            terminfo = pack_info(
                0,
                total_weight,
                count,
                0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength),
                max_weight,
                docs[0],
                docs[-1],
            )
            add(prefix + tbytes, terminfo + pack_long(start) + pack_int(size))

    def finish(self) -> tuple[list[bytes], bytes]:
        """The postings (as chunks) and the terms file."""
        self.tindex.close()
        return self.postings, self.trm_buf.getvalue()


# -- per-document values: stored fields, lengths, columns -----------------------


class _Columns:
    """Whoosh's own column writers, each on an in-memory file.

    Per document, not per posting, so reusing Whoosh's code costs little and
    keeps the layouts exact.
    """

    def __init__(self) -> None:
        self.writers: dict[str, Any] = {}
        self.buffers: dict[str, _NoCloseBytesIO] = {}
        self.create("_stored", STORED_COLUMN)  # W3PerDocWriter always has it

    def create(self, name: str, column: Any) -> Any:
        sfile, buf = _memfile()
        writer = self.writers[name] = column.writer(sfile)
        self.buffers[name] = buf
        return writer

    def add(self, name: str, column: Any, docnum: int, value: Any) -> None:
        writer = self.writers.get(name)
        if writer is None:
            writer = self.create(name, column)
        writer.add(docnum, value)

    def finish(self, doccount: int) -> dict[str, bytes]:
        for writer in self.writers.values():
            writer.finish(doccount)
        return {name: buf.getvalue() for name, buf in self.buffers.items()}


# -- the segment -------------------------------------------------------------------


def _check_codec(codec: Any) -> W3Codec:
    if codec is None:
        return W3Codec()
    if type(codec) is not W3Codec:
        raise TypeError(f"write_segment writes Whoosh's W3 format, not {type(codec).__name__}")
    if codec._inlinelimit > 1:
        # Whoosh 2.7.4 cannot write inlined postings itself (W3PostingsWriter
        # calls a set_inline method W3TermInfo lacks), so nothing reads them.
        raise ValueError("inlined postings (inlinelimit > 1) are not supported")
    return codec


def _check_schema(schema: Schema) -> None:
    for name, field in schema.items():
        if field.vector:
            raise NotImplementedError(f"field {name!r}: term vectors are not supported")
        if field.separate_spelling():
            raise NotImplementedError(f"field {name!r}: separate spelling fields are not supported")


def write_segment(
    storage: Storage,
    schema: Schema,
    docs: Iterable[Mapping[str, Any]],
    *,
    indexname: str = "MAIN",
    codec: W3Codec | None = None,
) -> Segment | None:
    """Write ``docs`` as one complete, compound Whoosh segment; ``None`` if there are none.

    Each document is a mapping like the keyword arguments of Whoosh's
    ``add_document``: field name to value, ``_stored_<field>`` for a stored or
    column value that differs from the indexed one, and optional ``_boost`` /
    ``_<field>_boost``. An indexed field's value is

    * :class:`Tokens` (words with explicit positions), or a list or tuple of
      words (consecutive positions, as Whoosh indexes a sequence): the fast
      path, for fields stored with positions, frequencies or existence only;
    * anything else (a string for the field's analyzer, a datetime, a
      number...): indexed by the field's own ``index()``, as Whoosh does.

    Documents are numbered from 0 in order. The segment is written to
    ``storage`` (its ``.seg`` file, named after ``indexname``) but not committed:
    the caller adds it to a table of contents, as with
    ``SegmentWriter._finalize_segment()``. Whole-segment postings are held in
    memory until written (Whoosh's pool spills at 128 MB): write segments of
    thousands of documents, not millions.
    """
    codec = _check_codec(codec)
    _check_schema(schema)

    fields = {name: schema[name] for name in schema.names()}
    postings: dict[str, _Postings] = {}
    lengths: dict[str, array[int]] = {}  # length byte per document, scorable fields only
    fieldlengths: defaultdict[str, int] = defaultdict(int)  # as W3PerDocWriter keeps them
    cols = _Columns()
    stored_writer = cols.writers["_stored"]

    doccount = 0
    for docnum, doc in enumerate(docs):
        doccount = docnum + 1
        docboost = float(doc["_boost"]) if "_boost" in doc else 1.0
        stored: dict[str, Any] = {}
        for name in sorted(k for k in doc if not k.startswith("_")):
            value = doc[name]
            if value is None:
                continue
            field = fields.get(name)
            if field is None:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
            boostkey = f"_{name}_boost"
            boost = float(doc[boostkey]) if boostkey in doc else docboost
            length = 0
            tokens = isinstance(value, Tokens)
            if field.indexed:
                acc = postings.get(name)
                if acc is None:
                    acc = postings[name] = _Postings(field)
                fast = tokens or (isinstance(value, (list, tuple)) and all(isinstance(w, str) for w in value))
                if fast and type(field.format) in _FAST_FORMATS:
                    if tokens:
                        n = acc.add_words(docnum, value.words, value.positions, boost)
                    else:
                        n = acc.add_words(docnum, value, None, boost)
                    if field.scorable:
                        length = n
                elif tokens:
                    raise TypeError(f"field {name!r}: {type(field.format).__name__} postings need a string value")
                else:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        acc.add_posting(docnum, tbytes, weight * boost, vbytes)
                        if scorable:
                            length += freq
            custom = doc.get(f"_stored_{name}", value)
            if tokens and custom is value and (field.stored or field.column_type):
                raise ValueError(f"field {name!r} is stored or sortable: give its value as _stored_{name}")
            if field.stored:
                stored[name] = custom
            if length:
                fieldlengths[name] += length
                lbyte = length_to_byte(length)
                cols.add(f"_{name}_len", LENGTHS_COLUMN, docnum, lbyte)
                lbytes = lengths.get(name)
                if lbytes is None:
                    lbytes = lengths[name] = array("B")
                lbytes.extend(bytes(docnum - len(lbytes)))  # documents without this field
                lbytes.append(lbyte)
            if field.column_type and custom is not None:
                cols.add(name, field.column_type, docnum, field.to_column_value(custom))
        if stored:
            stored_writer.add(docnum, stored)

    if not doccount:
        return None

    terms = _TermsWriter(codec)
    for name in sorted(postings):
        lbytes = lengths.get(name)
        if lbytes is not None:
            lbytes.extend(bytes(doccount - len(lbytes)))
            # what a reader's doc_field_length() gives the postings writer
            quantized: Sequence[int | None] | None = [byte_to_length(b) if b else None for b in lbytes]
        else:
            quantized = None
        terms.add_field(name, postings[name], quantized)
    pst_chunks, trm = terms.finish()
    columns = cols.finish(doccount)

    segment = codec.new_segment(storage, indexname)
    _write_compound(storage, segment, pst_chunks, trm, columns)
    segment._fieldlengths = fieldlengths
    segment.set_doc_count(doccount)
    segment.compound = True
    return segment


def _write_compound(
    storage: Storage, segment: Segment, pst_chunks: list[bytes], trm: bytes, columns: dict[str, bytes]
) -> None:
    """The ``.seg`` file ``CompoundStorage.assemble`` would make of the separate files."""
    f = segment.create_file(storage, Segment.COMPOUND_EXT)
    f.write_long(0)  # directory position, filled in by write_dir
    f.write_int(0)  # directory length
    directory: dict[str, dict[str, Any]] = {}
    modified = time.time()

    def put(ext: str, chunks: Iterable[bytes]) -> None:
        offset = f.tell()
        for chunk in chunks:
            f.write(chunk)
        directory[segment.make_filename(ext)] = {"offset": offset, "length": f.tell() - offset, "modified": modified}

    put(W3Codec.POSTS_EXT, _batched(pst_chunks))
    put(W3Codec.TERMS_EXT, [trm])
    for name, data in columns.items():
        put(f".{name}{W3Codec.COLUMN_EXT}", [data])
    CompoundStorage.write_dir(f, 0, directory, {})  # closes f


def _batched(chunks: list[bytes], size: int = 1 << 20) -> Iterable[bytes]:
    """Join small chunks into writes of about ``size`` bytes."""
    batch: list[bytes] = []
    held = 0
    for chunk in chunks:
        batch.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)
