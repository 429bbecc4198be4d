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
field's terms in sorted order, in the codec's blocks (128 postings), straight
into the compound ``.seg`` file, in memory until then: one file and one fsync
instead of about a dozen. Stock Whoosh readers read the postings unchanged,
and the stored fields, compressed in blocks of documents, through
:mod:`.stored`'s reader: ``tests/test_bulk_writer.py`` compares it with
Whoosh's own writer posting by posting, and with ``identical=True`` (Whoosh's
layouts throughout) byte for byte. On 3000 analysed Reuters
articles it takes 4x less CPU than ``SegmentWriter`` (3,600 against 900
documents a second, names as ``Tokens``; ``benchmarks/bench_bulk.py``).

This module is private: it depends on the details of ``whoosh.codec.whoosh3``
(block layout, term info bytes, column and compound file layouts), which are
fixed in Whoosh 2.7.4, the version ``setup.cfg`` pins.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import operator
import pickle
import struct
import time
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, starmap
from typing import Any, NamedTuple

from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import (
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
)
from whoosh.columns import VarBytesColumn
from whoosh.fields import NUMERIC, FieldType, Schema, UnknownFieldError
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import GrowableArray

from . import stored
from .stored import StoredBlocks

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
_FAST = (formats.Positions, formats.Frequency, formats.Existence)

# Blocks whose pickle is shorter are not compressed (see _TermsWriter).
MIN_COMPRESS = 96

_PICKLE = 2  # the pickle protocol W3 writes with

# The protocol of posting blocks' pickles. Whoosh's reader unpickles any. In
# protocol 2 each bytes value (a posting's positions) is a call of
# ``_codecs.encode`` on a latin-1 string (about 13 bytes of overhead, and bytes
# over 127 take two); protocol 3 writes it as ``SHORT_BINBYTES`` (2 bytes), with
# no framing (protocol 4 adds 11 bytes to every pickle, most blocks being small).
BLOCK_PICKLE = 3


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


def _single_value(pos: int) -> bytes:
    """The value of a posting with one position: ``_positions_value([pos])``."""
    return pack_uint(1) + pickle.dumps([pos], _PICKLE)


def _compact_positions_value(poslist: list[int]) -> bytes:
    """``_positions_value`` with the deltas pickled as a ``bytes`` object when they
    all fit in a byte (``C\x02\x05\x07.``), else as a list without the pickle's
    protocol header and memo entry (``](K\x05M\x2c\x01e.``).

    Whoosh's ``Positions.decode_positions`` iterates over what it unpickles,
    and iterating over bytes gives ints: the same positions. A value of 2
    positions takes 10 bytes instead of 13 (5000 Reuters articles: 11.1 bytes
    a value with several positions instead of 15.2, and 0.78 µs to encode
    instead of 0.94). A pickle needs no ``PROTO`` opcode, and a list of ints
    memoizes only the list, as ``BINPUT 0`` right after ``EMPTY_LIST``.
    """
    deltas = [poslist[0], *map(operator.sub, poslist[1:], poslist)]
    if len(deltas) < 256:
        try:
            return _BYTES_HEADS[len(deltas)] + bytes(deltas) + b"."
        except ValueError:  # a delta over 255 (a position, first), or below 0
            pass
    return pack_uint(len(deltas)) + b"]" + pickle.dumps(deltas, 3)[5:]


# The count and the SHORT_BINBYTES opcode of a value of each count of deltas
_BYTES_HEADS = [pack_uint(n) + b"C" + bytes((n,)) for n in range(256)]


def _compact_single_value(pos: int) -> bytes:
    return _compact_positions_value([pos])


# Most postings hold one position (78% of the title, body and source postings
# of 3000 Reuters articles): encode each position once.
# The shared bytes objects also make the blocks smaller, as pickle writes a
# repeated object once per block and refers back to it.
_shared_single_value = functools.lru_cache(maxsize=1 << 16)(_compact_single_value)


_SHARED_WEIGHTS = 32  # counts of positions whose weights are shared (see _Postings)


class _Postings:
    """One field's postings, grouped per term in document order.

    Each term maps to one flat list ``[doc, weight, value, doc, weight, value,
    ...]``: a posting is one ``+=`` (a third of the calls of three parallel
    lists), and slicing with a step of 3 splits them again. Weights are Python
    floats, as Whoosh's writer sees them before it rounds them to float32.
    """

    __slots__ = ("field", "fmt", "many", "single", "terms", "weights")

    def __init__(
        self, field: FieldType, single: Callable[[int], bytes], many: Callable[[list[int]], bytes] = _positions_value
    ) -> None:
        self.field = field
        self.fmt = field.format
        self.single = single  # the value of a posting with one position
        self.many = many  # the value of a posting with several
        # str keys from the fast path, bytes keys from field.index(): merged at the end
        self.terms: dict[str | bytes, list[Any]] = {}
        # Per boost, the weight of each small count of positions, one float object
        # each: not a new float a posting, and the block writer's passes over a
        # term's weights read a few objects, not floats scattered over the heap
        # (write_segment on 5000 Reuters articles: 239 µs of CPU an article, not 261).
        self.weights: dict[float, list[float]] = {}

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
        tget = terms.get
        if type(fmt) is formats.Positions:
            single, many = self.single, self.many
            weights = self.weights.get(boost)
            if weights is None:
                weights = self.weights[boost] = [n * fb * boost for n in range(_SHARED_WEIGHTS)]
            w1 = weights[1]
            for word, poslist in poses.items():
                n = len(poslist)
                if n == 1:
                    posting = (docnum, w1, single(poslist[0]))
                else:
                    posting = (docnum, weights[n] if n < _SHARED_WEIGHTS else n * fb * boost, many(poslist))
                entry = tget(word)
                if entry is None:
                    terms[word] = [*posting]
                else:
                    entry += posting
        elif type(fmt) is formats.Frequency:
            for word, poslist in poses.items():
                n = len(poslist)
                posting = (docnum, n * fb * boost, pack_uint(n))
                entry = tget(word)
                if entry is None:
                    terms[word] = [*posting]
                else:
                    entry += posting
        elif type(fmt) is formats.Existence:
            posting = (docnum, fb * boost, b"")
            for word in poses:
                entry = tget(word)
                if entry is None:
                    terms[word] = [*posting]
                else:
                    entry += posting
            # Existence reports a frequency of 1 per distinct word
            return len(poses)
        else:  # pragma: no cover - guarded by the caller
            raise TypeError(f"no fast path for {type(fmt).__name__}")
        return len(words)

    def add_posting(self, docnum: int, tbytes: bytes, weight: float, value: bytes) -> None:
        entry = self.terms.get(tbytes)
        if entry is None:
            self.terms[tbytes] = [docnum, weight, value]
        else:
            entry += (docnum, weight, value)

    def sorted_terms(self) -> list[tuple[bytes, list[Any]]]:
        """The terms as UTF-8 bytes in byte order (Whoosh's term order), each with its flat postings."""
        merged: dict[bytes, list[Any]] = {}
        for key, entry in self.terms.items():
            tbytes = key.encode("utf-8") if isinstance(key, str) else key
            other = merged.get(tbytes)
            if other is None:
                merged[tbytes] = entry
            else:  # the same term from both paths (rare): merge by document
                rows = sorted(chain(zip(*[iter(other)] * 3), zip(*[iter(entry)] * 3)), key=operator.itemgetter(0))
                merged[tbytes] = list(chain.from_iterable(rows))
        return sorted(merged.items())


# -- the postings and terms files --------------------------------------------


class _TermsWriter:
    """Writes W3 posting blocks (``.pst``) and term infos (``.trm``) field by field.

    The block layout is ``W3PostingsWriter._write_block``'s: a signed int block
    length (negative for a term's last block), a pickled info tuple ``(count,
    last id, max weight, compression, min length byte, max length byte)``, and
    the pickle of ``(delta-coded ids, weights, values)``, with weights and values
    "minified" the way Whoosh does.

    Whoosh compresses every block's pickle with zlib, though most are a few
    dozen bytes: on 3000 Reuters articles, 69% of the 39,000 blocks are under
    96 bytes, where zlib saves nothing (a typical 73-byte block comes out at 73
    bytes) and costs about 4 µs a call. Below ``min_compress`` bytes the block
    is stored as it is, with compression 0 in its info tuple, which Whoosh's
    reader honours; the postings file comes out about 2% smaller.
    """

    def __init__(self, codec: W3Codec, min_compress: int, protocol: int = _PICKLE) -> None:
        self.blocklimit: int = codec._blocklimit
        self.compression: int = codec._compression
        self.min_compress = min_compress
        self.protocol = protocol  # of the blocks' (ids, weights, values) pickles
        self.postings: list[bytes] = []
        self.offset = 0  # bytes of postings so far
        self.items: list[tuple[bytes, bytes]] = []  # (key, term info) in key order
        self.fieldmap: dict[str, int] = {}

    def add_field(self, name: str, postings: _Postings, lengths: bytes | None) -> None:
        """Write one field's terms; ``lengths`` holds each document's field length
        byte (``None`` when the field is not scored)."""
        self.add_terms(name, postings.fmt, postings.sorted_terms(), lengths)

    def add_terms(
        self, name: str, fmt: formats.Format, terms: Iterable[tuple[bytes, list[Any]]], lengths: bytes | None
    ) -> None:
        """Write one field's ``terms``: UTF-8 bytes in byte order, each with its flat
        postings ``[doc, weight, value, ...]`` in document order (at least one). Terms
        may come one at a time, as a merge reads them."""
        it = iter(terms)
        first = next(it, None)
        if first is None:
            return
        terms = chain((first,), it)
        fieldid = self.fieldmap[name] = len(self.fieldmap)
        prefix = pack_ushort(fieldid)
        fixedsize = fmt.fixed_value_size()
        limit, level, min_compress, protocol = self.blocklimit, self.compression, self.min_compress, self.protocol
        write, add = self.postings.append, self.items.append
        dumps, compress = pickle.dumps, zlib.compress
        pack_info = W3TermInfo._struct.pack
        sub = operator.sub
        lenget = lengths.__getitem__ if lengths is not None else None
        varsize = fixedsize is None or fixedsize < 0
        f32 = array("f", [0.0])

        for tbytes, flat in terms:
            start = self.offset
            if len(flat) == 3:
                # One posting (73% of the terms of 3000 Reuters articles, most
                # of them ids, dates and numbers): the general case, unrolled.
                doc, weight, value = flat
                f32[0] = weight
                w32 = f32[0]  # Whoosh keeps block weights as float32
                one_v = (value,) if varsize else (value if fixedsize else None)
                data = dumps(((doc,), None if w32 == 1.0 else w32, one_v), protocol)
                comp = level if len(data) >= min_compress else 0
                if comp:
                    data = compress(data, comp)
                bmax = weight if weight > 0 else 0
                blen = lenget(doc) if lenget is not None else 0
                info = dumps((1, doc, bmax, comp, blen, blen), _PICKLE)
                blocklength = len(info) + len(data)
                write(WHOOSH3_HEADER_MAGIC + pack_int(-blocklength) + info + data)
                size = 8 + blocklength
                self.offset += size
                terminfo = pack_info(0, w32, 1, blen, blen, bmax, doc, doc)
                add((prefix + tbytes, terminfo + pack_long(start) + pack_int(size)))
                continue

            docs, weights, values = flat[0::3], flat[1::3], flat[2::3]
            size = 4
            write(WHOOSH3_HEADER_MAGIC)
            total_weight: float = 0
            max_weight: float = 0
            minlength = 256  # length bytes, as W3TermInfo keeps them (no posting has length 0)
            maxlength = 0
            count = len(docs)
            for lo in range(0, count, limit):
                hi = lo + limit
                if count <= limit:
                    ids, ws, vs = docs, weights, values
                else:
                    ids, ws, vs = docs[lo:hi], weights[lo:hi], values[lo:hi]
                wf = array("f", ws)  # Whoosh keeps block weights as float32
                distinct = set(wf)
                if len(distinct) > 1:
                    mini_w: Any = tuple(wf)
                else:
                    mini_w = None if distinct == {1.0} else wf[0]
                if varsize:
                    mini_v: Any = tuple(vs)
                elif fixedsize == 0:
                    mini_v = None
                else:
                    mini_v = b"".join(vs)
                data = dumps(((ids[0], *map(sub, ids[1:], ids)), mini_w, mini_v), protocol)
                comp = level if len(data) >= min_compress else 0
                if comp:
                    data = compress(data, comp)
                bmax = max(ws)
                bmax = bmax if bmax > 0 else 0  # Whoosh starts its maximum at 0
                if lenget is None:
                    bmin_len = bmax_len = 0
                else:
                    lens = bytes(map(lenget, ids))
                    bmin_len, bmax_len = min(lens), max(lens)
                    if not bmin_len:  # Whoosh skips zero lengths (none in practice)
                        bmin_len = min((x for x in lens if x), default=0)
                    minlength = min(minlength, bmin_len)
                    maxlength = max(maxlength, bmax_len)
                info = dumps((len(ids), ids[-1], bmax, comp, bmin_len, bmax_len), _PICKLE)
                blocklength = len(info) + len(data)
                write(pack_int(-blocklength if hi >= count else blocklength))
                write(info)
                write(data)
                size += 4 + blocklength
                # the term's statistics, as W3TermInfo.add_block sums them
                total_weight += sum(wf)
                if bmax > max_weight:
                    max_weight = bmax
            self.offset += size
            terminfo = pack_info(
                0, total_weight, count, minlength if minlength < 256 else 0, maxlength, max_weight, docs[0], docs[-1]
            )
            add((prefix + tbytes, terminfo + pack_long(start) + pack_int(size)))

    def finish(self) -> tuple[list[bytes], bytes]:
        """The postings (as chunks) and the terms file."""
        sfile, buf = _memfile()
        tindex = _OrderedHashWriter(sfile)
        tindex.extras["fieldmap"] = self.fieldmap
        _add_sorted(tindex, self.items)
        tindex.close()
        return self.postings, buf.getvalue()


_HASH_LENGTHS = struct.Struct("!ii")  # filetables' key and value lengths
_POINTER = struct.Struct("!Iq")  # filetables' hash table slot: hash, position


def _md5_hash(key: bytes) -> int:
    """``filetables.md5_hash`` (the low 32 bits of the MD5), without the hex round trip."""
    return int.from_bytes(hashlib.md5(key).digest()[12:], "big")


class _OrderedHashWriter(OrderedHashWriter):
    """``OrderedHashWriter`` writing each bucket's hash table in one write.

    Whoosh's ``_write_hashes`` writes each slot (two a term) through
    ``StructFile.write``; the tables are the same, slot for slot. With
    :func:`_md5_hash` and :func:`_add_sorted`'s single passes, the terms file
    of 5000 Reuters articles (33,271 terms) took 12.5 µs of CPU an article
    instead of 14.5.
    """

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        null = (0, 0)
        pack = _POINTER.pack
        for entries in self.buckets:
            pos = dbfile.tell()
            numslots = 2 * len(entries)
            self.directory.append((pos, numslots))
            hashtable = [null] * numslots
            for hashval, position in entries:
                slot = (hashval >> 8) % numslots
                while hashtable[slot] != null:
                    slot = (slot + 1) % numslots
                hashtable[slot] = (hashval, position)
            dbfile.write(b"".join(starmap(pack, hashtable)))


def _add_sorted(tindex: OrderedHashWriter, items: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for each of ``items`` (sorted, unique keys), in one write.

    The same records, hashes and position index; not three small writes and a
    ``tell()`` per term: lengths, positions, hashes and records are each one
    pass of C-level ``map``, and only the bucket appends loop in Python.
    """
    if not items:
        return
    keys, values = zip(*items)
    klens, vlens = list(map(len, keys)), list(map(len, values))
    sizes = map(operator.add, klens, vlens)
    positions = list(accumulate(map((8).__add__, sizes), initial=tindex.dbfile.tell()))
    positions.pop()  # the end of the last record
    hashfn = _md5_hash if tindex.hashfn is md5_hash else tindex.hashfn
    buckets = tindex.buckets
    for h, pos in zip(map(hashfn, keys), positions):
        buckets[h & 255].append((h, pos))
    heads = map(_HASH_LENGTHS.pack, klens, vlens)
    tindex.dbfile.write(b"".join(chain.from_iterable(zip(heads, keys, values))))
    _extend_growable(tindex.index, positions)
    tindex.lastkey = keys[-1]


# -- per-document values: stored fields, lengths, columns -----------------------


class _Columns:
    """Whoosh's own column writers, each on an in-memory file.

    Per document, not per posting, so reusing Whoosh's code costs little and
    keeps the layouts exact. Values of a :class:`VarBytesColumn` (the name and
    source columns) are kept in lists and given to its writer at the end
    (:func:`_add_varbytes`): its ``add`` makes five Python calls a value.
    """

    def __init__(self) -> None:
        self.writers: dict[str, Any] = {}
        self.buffers: dict[str, _NoCloseBytesIO] = {}
        self.rows: dict[str, tuple[list[int], list[bytes]]] = {}  # VarBytesColumn documents, values
        self.create("_stored", STORED_COLUMN)  # W3PerDocWriter always has it

    def create(self, name: str, column: Any) -> Any:
        sfile, buf = _memfile()
        writer = self.writers[name] = column.writer(sfile)
        self.buffers[name] = buf
        return writer

    def add(self, name: str, column: Any, docnum: int, value: Any) -> None:
        rows = self.rows.get(name)
        if rows is not None:
            rows[0].append(docnum)
            rows[1].append(value)
            return
        writer = self.writers.get(name)
        if writer is None:
            writer = self.create(name, column)
            if type(column) is VarBytesColumn:
                self.rows[name] = ([docnum], [value])
                return
        writer.add(docnum, value)

    def finish(self, doccount: int) -> dict[str, bytes]:
        for name, (docs, values) in self.rows.items():
            _add_varbytes(self.writers[name], docs, values)
        for writer in self.writers.values():
            writer.finish(doccount)
        return {name: buf.getvalue() for name, buf in self.buffers.items()}


def _add_varbytes(writer: Any, docs: list[int], values: list[bytes]) -> None:
    """``VarBytesColumn.Writer.add(doc, value)`` for each of ``docs`` (rising) and
    ``values``, at once: the same bytes written, the same lengths and offsets."""
    count = docs[-1] + 1
    lengths = [0] * count  # documents without a value have length 0
    for docnum, length in zip(docs, map(len, values)):
        lengths[docnum] = length
    offsets = list(accumulate(lengths, initial=0))
    writer._offset_base = offsets.pop()
    writer._dbfile.write(b"".join(values))
    _extend_growable(writer._lengths, lengths)
    _extend_growable(writer._offsets, offsets)
    writer._count = count


def _extend_growable(grow: GrowableArray, numbers: list[int]) -> None:
    """``GrowableArray.extend`` in one call: appended one at a time, the array widens
    its type when a number overflows it, so it ends with the type of the largest."""
    if numbers:
        largest = max(numbers)
        try:
            grow.array.append(largest)
        except OverflowError:
            grow._retype(largest)
        else:
            grow.array.pop()
        grow.array.extend(numbers)


# -- the segment -------------------------------------------------------------------


# length_to_byte of the lengths most fields have (a bisection each, in Whoosh)
_LENGTH_BYTES = bytes(map(length_to_byte, range(4096)))


def _numeric_terms(field: NUMERIC, value: Any) -> list[bytes]:
    """``NUMERIC.index(value)``'s terms: the full value, then shifted right by each step.

    Whoosh converts the value (a datetime, for DATETIME) once per shift; this
    converts it once.
    """
    full = field.to_bytes(value)  # shift 0: a zero byte, then the sortable number
    sortable = field._struct.unpack(full[1:])[0]
    to_bytes = field.sortable_to_bytes
    return [full, *(to_bytes(sortable, shift) for shift in range(field.shift_step, field.bits, field.shift_step))]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the blocks are written.

    Writing makes millions of short-lived tuples (pickle arguments, term
    infos), and each few hundred allocations start a collection; the older
    generations' collections walk every posting list held so far, millions of
    objects. Nothing made while writing forms a reference cycle, so reference
    counting frees it all. On 6,000 analysed Reuters articles this took the
    writer from 2.1 to 1.8 s of CPU.

    Allocations while paused still count, so the first allocation after it
    often starts a collection of the youngest generation, which held every
    posting list made since the last one: ``write_segment`` frees each field's
    postings once written, and that collection took 0-40 ms instead of 50-130
    ms on 5000 Reuters articles with entities (out of about 1.4 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    identical: bool = False,
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

    ``identical=True`` writes byte for byte the files Whoosh's writer writes
    (for tests): every block compressed, pickled with protocol 2, no shared
    values, stored fields a document at a time. By default small blocks stay
    uncompressed, single-position values are shared, blocks are pickled with
    protocol 3 and positions without a pickle header, which readers cannot tell
    apart, and stored fields are compressed in blocks of documents (read back
    by :mod:`.stored`). On Reuters without entities, in one segment, the
    pickling took the index from 52 to 39.5 MB; with entities the stored
    blocks take 10.1 MB where Whoosh's layout took 14.3 MB.
    """
    codec = _check_codec(codec)
    _check_schema(schema)
    single = _single_value if identical else _shared_single_value
    many = _positions_value if identical else _compact_positions_value

    fields = {name: schema[name] for name in schema.names()}
    # Fields whose postings the fast path writes: Whoosh's generic index()
    # (format.word_values, then UTF-8) over one of the formats encoded here.
    fast_fields = {
        name for name, field in fields.items() if type(field).index is FieldType.index and type(field.format) in _FAST
    }
    # ID fields: the whole string is the one word (IDTokenizer, no filters).
    id_fields = {name for name in fast_fields if type(fields[name].analyzer) is IDTokenizer}
    # NUMERIC and DATETIME fields: the value converted once, then its shifted terms.
    numeric_fields = {
        name
        for name, field in fields.items()
        if isinstance(field, NUMERIC) and type(field).index is NUMERIC.index and field.shift_step
    }
    postings: dict[str, _Postings] = {}
    lengths: dict[str, array[int]] = {}  # length bytes up to the last document with a length
    fieldlengths: defaultdict[str, int] = defaultdict(int)  # as W3PerDocWriter keeps them
    cols = _Columns()
    # Stored fields: Whoosh's column of one zlib stream a document when asked for
    # identical files, else blocks of documents compressed together (stored.py).
    store: Any = cols.writers["_stored"] if identical else StoredBlocks(cols.create(stored.COLUMN, stored.BLOCK_COLUMN))

    # Per field name: the field and the keys of its boost and stored value (not
    # two f-strings a field a document)
    keys: dict[str, tuple[FieldType, str, str]] = {}
    doccount = 0
    for docnum, doc in enumerate(docs):
        doccount = docnum + 1
        docboost = float(doc["_boost"]) if "_boost" in doc else 1.0
        values: dict[str, Any] = {}
        for name in sorted(doc):
            if name[:1] == "_":
                continue
            value = doc[name]
            if value is None:
                continue
            found = keys.get(name)
            if found is None:
                if name not in fields:
                    raise UnknownFieldError(f"No field named {name!r} in {schema}")
                found = keys[name] = (fields[name], f"_{name}_boost", f"_stored_{name}")
            field, boostkey, storedkey = found
            boost = float(doc[boostkey]) if boostkey in doc else docboost
            length = 0
            tokens = isinstance(value, Tokens)
            if field.indexed:
                acc = postings.get(name)
                if acc is None:
                    acc = postings[name] = _Postings(field, single, many)
                if name in fast_fields and (tokens or isinstance(value, (list, tuple))):
                    if tokens:
                        n = acc.add_words(docnum, value.words, value.positions, boost)
                    else:
                        n = acc.add_words(docnum, value, None, boost)
                    if field.scorable:
                        length = n
                elif name in id_fields and isinstance(value, str):
                    n = acc.add_words(docnum, (value,), None, boost)
                    if field.scorable:
                        length = n
                elif name in numeric_fields and not isinstance(value, (bytes, list, tuple, Tokens)):
                    shifted = _numeric_terms(field, value)
                    for tbytes in shifted:
                        acc.add_posting(docnum, tbytes, 1.0 * boost, b"")
                    if field.scorable:
                        length = len(shifted)
                elif tokens:
                    raise TypeError(f"field {name!r}: {type(field).__name__} postings need the field's own value")
                else:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        acc.add_posting(docnum, tbytes, weight * boost, vbytes)
                        if scorable:
                            length += freq
            custom = doc.get(storedkey, value)
            if tokens and custom is value and (field.stored or field.column_type):
                raise ValueError(f"field {name!r} is stored or sortable: give its value as _stored_{name}")
            if field.stored:
                values[name] = custom
            if length:
                fieldlengths[name] += length
                lbytes = lengths.get(name)
                if lbytes is None:
                    lbytes = lengths[name] = array("B")
                if len(lbytes) < docnum:
                    lbytes.extend(bytes(docnum - len(lbytes)))  # documents without this field
                lbytes.append(_LENGTH_BYTES[length] if length < len(_LENGTH_BYTES) else length_to_byte(length))
            if field.column_type and custom is not None:
                cols.add(name, field.column_type, docnum, field.to_column_value(custom))
        if identical:
            if values:
                store.add(docnum, values)
        else:
            store.add(docnum, values)

    if not doccount:
        return None
    if not identical:
        store.finish()

    terms = _TermsWriter(codec, 0 if identical else MIN_COMPRESS, _PICKLE if identical else BLOCK_PICKLE)
    with _collector_paused():
        for name in sorted(postings):  # a copy: each field is deleted once written
            lbytes = lengths.get(name)
            terms.add_field(name, postings[name], None if lbytes is None else lbytes.tobytes() + bytes(doccount))
            del postings[name]  # freed now, not walked by a collection (see _collector_paused)
        pst_chunks, trm = terms.finish()
    columns = cols.finish(doccount)
    for name, lbytes in lengths.items():
        # NumericColumn("B") with default 0: a byte per document up to the last
        # one with a length (Whoosh's writer does not pad the end)
        columns[f"_{name}_len"] = lbytes.tobytes()

    return _new_segment(storage, codec, indexname, (pst_chunks, trm, columns), fieldlengths, doccount)


def _new_segment(
    storage: Storage,
    codec: W3Codec,
    indexname: str,
    files: tuple[list[bytes], bytes, dict[str, bytes]],
    fieldlengths: Mapping[str, int],
    doccount: int,
) -> Segment:
    """A new compound segment of ``files`` (postings chunks, terms, columns), written."""
    segment = codec.new_segment(storage, indexname)
    _write_compound(storage, segment, *files)
    segment._fieldlengths = fieldlengths
    segment.set_doc_count(doccount)
    segment.compound = True
    return segment


def _write_compound(
    storage: Storage, segment: Segment, pst_chunks: list[bytes], trm: bytes, columns: dict[str, bytes]
) -> None:
    """The ``.seg`` file ``CompoundStorage.assemble`` would make of the separate files.

    A failed write leaves no partial file behind.
    """
    filename = segment.make_filename(Segment.COMPOUND_EXT)
    f = storage.create_file(filename)
    try:
        f.write_long(0)  # directory position, filled in by write_dir
        f.write_int(0)  # directory length
        directory: dict[str, dict[str, Any]] = {}
        modified = time.time()

        def put(ext: str, chunks: Iterable[bytes]) -> None:
            offset = f.tell()
            for chunk in chunks:
                f.write(chunk)
            entry = {"offset": offset, "length": f.tell() - offset, "modified": modified}
            directory[segment.make_filename(ext)] = entry

        put(W3Codec.POSTS_EXT, _batched(pst_chunks))
        put(W3Codec.TERMS_EXT, [trm])
        for name, data in columns.items():
            put(f".{name}{W3Codec.COLUMN_EXT}", [data])
        CompoundStorage.write_dir(f, 0, directory, {})  # closes f (and fsyncs, on DurableStorage)
    except BaseException:
        if not f.is_closed:
            f.close()
        storage.delete_file(filename)
        raise


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
