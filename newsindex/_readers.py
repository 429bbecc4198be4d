"""Readers: turn files into a stream of Articles, and bad records into Rejections.

A bad record never stops a run: it becomes a :class:`Rejection` naming its file
and line, and reading goes on with the next record.

Formats, chosen by file extension:

- ``.jsonl`` / ``.ndjson``: one JSON object per line;
- ``.json``: a JSON array of objects, or a single object;
- ``.csv``: a header row naming the fields, then one article per row;
- ``.parquet``: one article per row, columns named as the fields (needs
  ``pyarrow``: ``pip install 'newsindex[parquet]'``), read a batch of rows at a
  time, row group by row group; a bad row is reported with its row number;
- ``.txt``: one article per file. With a ``.json`` object beside it (same name)
  holding metadata, the text is the body; otherwise its first line is the title;
- a folder: every file of these kinds below it, in name order;
- ``-``: JSON Lines from standard input.

>>> for record in read(["seeds"]):  # doctest: +SKIP
...     print(record)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import attrs

from ._article import Article
from ._errors import NewsIndexError

__all__ = [
    "MAX_RECORD_BYTES",
    "PARQUET_MISSING",
    "PART_BYTES",
    "SUFFIXES",
    "Partition",
    "Piece",
    "Rejection",
    "check_inputs",
    "input_bytes",
    "part_size",
    "partitions",
    "read",
    "read_file",
    "read_piece",
]

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".txt", ".parquet")
PARQUET_MISSING = "reading .parquet files needs pyarrow: pip install 'newsindex[parquet]'"
# Rows of a Parquet file converted to Python at once: bounded memory whatever
# the row group size (a row group of a million rows is common).
_PARQUET_ROWS = 1_000
# One limit for a record in every format (a JSON Lines line, a JSON array
# element or object, a CSV row, a .txt file): an article holds at most
# MAX_TEXT_CHARS (5,000,000) characters per field, up to 4 bytes each in UTF-8.
MAX_RECORD_BYTES = 20_000_000
_CHUNK = 1 << 20  # streamed formats are read this many characters at a time
_BOM = "\ufeff"


@attrs.frozen(slots=True)
class Rejection:
    """A record that could not become an Article: where it was and why."""

    file: str
    line: int
    reason: str
    raw: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


Record = Article | Rejection


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "record is too deeply nested"
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} (column {exc.colno})"
    return str(exc) or type(exc).__name__


def _has_surrogates(value: Any) -> bool:
    """True when text decoded with surrogateescape held invalid UTF-8."""
    if isinstance(value, str):
        return any("\udc80" <= c <= "\udcff" for c in value) if not value.isascii() else False
    if isinstance(value, Mapping):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    return False


def _article(name: str, line: int, record: Any, raw: str | None) -> Record:
    try:
        if _has_surrogates(record):
            raise ValueError("invalid UTF-8")
        return Article.from_dict(record)
    except (TypeError, ValueError, RecursionError) as exc:
        return Rejection(name, line, _reason(exc), raw)


def _over_limit(size: int) -> str:
    return f"record is {size:,} bytes, over the {MAX_RECORD_BYTES:,} byte limit"


def _utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8, encoding only when the length leaves a doubt."""
    if len(text) > MAX_RECORD_BYTES or 4 * len(text) <= MAX_RECORD_BYTES:
        return len(text)  # decisive either way: a character is 1 to 4 bytes
    return len(text.encode("utf-8", "surrogateescape"))


def _read_jsonl(
    name: str,
    stream: io.BufferedIOBase | io.RawIOBase | Any,
    stop: int | None = None,
    first: bool = True,
    lines: list[int] | None = None,
) -> Iterator[Record]:
    """Records of the lines of ``stream``; with ``stop``, only the lines that
    start before that byte offset (a partition of a larger file: line numbers
    then count from the partition's first line, ``first`` is False unless it
    starts the file, and ``lines[0]`` ends as the number of lines read)."""
    number = 0
    while True:
        if lines is not None:
            lines[0] = number
        if stop is not None and stream.tell() >= stop:
            return
        # readline(limit + 1) bounds memory: a longer line is skipped in pieces.
        chunk = stream.readline(MAX_RECORD_BYTES + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_RECORD_BYTES:
            size = len(chunk)
            while not chunk.endswith(b"\n"):
                chunk = stream.readline(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
            yield Rejection(name, number, _over_limit(size))
            continue
        if first and number == 1 and chunk.startswith(_BOM.encode()):
            chunk = chunk[3:]  # a byte-order mark is not part of the record
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejection(name, number, f"invalid UTF-8 at byte {exc.start}", chunk.decode("utf-8", "replace"))
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield Rejection(name, number, _reason(exc), line.rstrip("\n"))
            continue
        yield _article(name, number, record, line.rstrip("\n"))


class _TooLarge(Exception):
    """A record over the limit, found before reading it all (so its size is a lower bound)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"record is over the {MAX_RECORD_BYTES:,} byte limit")
        self.size = size


_WS = re.compile(r"[ \t\r\n]*")
_NEXT_OBJECT = re.compile(r"\n[ \t\r\n]*\{")
_DECODER = json.JSONDecoder()


class _JsonStream:
    """A JSON text read forward in chunks, so a large file is never held whole.

    ``text[pos:]`` is what is still to read; text before ``pos`` is dropped
    once it exceeds a chunk, with its newlines counted for line numbers.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text, self.pos, self.eof = "", 0, False
        self._counted, self._line = 0, 1  # the line number at text[_counted]

    def line_at(self, i: int) -> int:
        if i >= self._counted:
            self._line += self.text.count("\n", self._counted, i)
        else:
            self._line -= self.text.count("\n", i, self._counted)
        self._counted = i
        return self._line

    def more(self, at_least: int = 0) -> bool:
        """Read another chunk (at least ``at_least`` characters); False at the end."""
        if self.eof:
            return False
        if self.pos > _CHUNK:
            self.line_at(self.pos)
            self.text, self._counted, self.pos = self.text[self.pos :], 0, 0
        chunk = self.stream.read(max(at_least, _CHUNK))
        if not chunk:
            self.eof = True
            return False
        if not self.text and self.pos == 0 and self._line == 1 and chunk.startswith(_BOM):
            chunk = chunk[1:]  # a byte-order mark is not JSON
        self.text += chunk
        return True

    def peek(self) -> str:
        """The next character that is not white space, or "" at the end."""
        while True:
            self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def decode(self) -> tuple[Any, str]:
        """The value at ``pos`` and its text; on an error ``pos`` stays at its start.

        A value cut by the end of the buffer fails to decode like a malformed
        one; reading more (doubling what is pending) and decoding again tells
        them apart, and costs at most twice the value's size.
        """
        while True:
            pending = len(self.text) - self.pos
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.text) - 64 or exc.msg.startswith("Unterminated string")
                if not cut or self.eof:
                    raise
                if pending > MAX_RECORD_BYTES:
                    raise _TooLarge(pending) from None
                self.more(at_least=pending)
                continue
            if end == len(self.text) and not self.eof and pending <= MAX_RECORD_BYTES:
                self.more()  # a number at the end may go on in the next chunk
                continue
            raw = self.text[self.pos : end]
            if _utf8_size(raw) > MAX_RECORD_BYTES:
                raise _TooLarge(_utf8_size(raw))
            self.pos = end
            return value, raw

    def skip_to_next_object(self) -> str:
        """Move to the next line that opens an object, so one bad element does not
        cost the rest of the array; returns (up to the record limit) the text skipped."""
        skipped: list[str] = []
        kept = 0
        while True:
            match = _NEXT_OBJECT.search(self.text, self.pos)
            stop = match.start() if match else self.text.rfind("\n", self.pos)
            stop = len(self.text) if stop == -1 or (not match and self.eof) else stop
            if kept < MAX_RECORD_BYTES:
                skipped.append(self.text[self.pos : stop][: MAX_RECORD_BYTES - kept])
                kept += len(skipped[-1])
            self.pos = stop
            if match:
                return "".join(skipped)
            if stop == len(self.text) and self.eof:
                return "".join(skipped)
            if not self.more():
                self.pos = len(self.text)
                return "".join(skipped)


def _read_json(name: str, stream: TextIO) -> Iterator[Record]:
    js = _JsonStream(stream)

    def element() -> Iterator[Record]:
        line = js.line_at(js.pos)
        try:
            record, raw = js.decode()
        except _TooLarge as exc:
            js.skip_to_next_object()
            yield Rejection(name, line, str(exc))
            return
        except (ValueError, RecursionError) as exc:
            yield Rejection(name, line, _reason(exc), js.skip_to_next_object().strip())
            return
        yield _article(name, line, record, raw)

    first = js.peek()
    if first == "{":  # a single object is one article
        records = list(element())
        if js.peek() and not isinstance(records[0], Rejection):
            records = [Rejection(name, js.line_at(js.pos), "malformed JSON: extra data after the object")]
        yield from records
        return
    if first != "[":
        yield Rejection(name, js.line_at(js.pos), "expected a JSON array of articles or one JSON object")
        return
    js.pos += 1
    if js.peek() == "]":
        return
    while js.peek():
        yield from element()
        following = js.peek()
        if following == ",":
            js.pos += 1
        elif following == "]":
            return
        elif following == "{":
            continue  # resynchronised after a bad element
        elif following:
            yield Rejection(name, js.line_at(js.pos), "malformed JSON array: expected ',' or ']'")
            return
    yield Rejection(name, js.line_at(js.pos), "malformed JSON array: missing ']'")


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Python's csv refuses fields over 131,072 characters; an article field may
    hold 5,000,000. The limit is process-wide, so it is restored at once."""
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


class _BoundedLines:
    """The lines of a text stream, none longer than the record limit.

    csv reads a whole line before it checks a field's size; a longer line is
    skipped here and given to csv as an empty line, with ``skipped`` set, so
    memory stays bounded and the reader can reject the row it belonged to.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.skipped = stream, 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            raise StopIteration
        if len(line) <= MAX_RECORD_BYTES:
            return line
        size = len(line)
        while not line.endswith(("\n", "\r")):
            line = self.stream.readline(_CHUNK)
            if not line:
                break
            size += len(line)
        self.skipped = max(self.skipped, size)
        return "\n"


def _read_csv(name: str, stream: TextIO) -> Iterator[Record]:
    lines = _BoundedLines(stream)
    reader = csv.reader(lines)

    def row() -> list[str]:
        with _csv_field_limit(MAX_RECORD_BYTES):
            return next(reader)

    try:
        header = row()
    except StopIteration:
        return
    except csv.Error as exc:
        yield Rejection(name, 1, f"malformed CSV header: {exc}")
        return
    if lines.skipped:
        yield Rejection(name, 1, f"CSV header: {_over_limit(lines.skipped)}")
        return
    header = [h.strip().lstrip(_BOM) for h in header]
    line = reader.line_num + 1
    while True:
        try:
            cells = row()
        except StopIteration:
            return
        except csv.Error as exc:
            too_large = "field limit" in str(exc)
            yield Rejection(name, line, str(_TooLarge(MAX_RECORD_BYTES)) if too_large else f"malformed CSV: {exc}")
            lines.skipped, line = 0, reader.line_num + 1
            continue
        raw = ",".join(cells)
        if lines.skipped:
            yield Rejection(name, line, _over_limit(lines.skipped))
            lines.skipped = 0
        elif not any(cell.strip() for cell in cells):
            pass  # blank line
        elif len(cells) != len(header):
            yield Rejection(name, line, f"row has {len(cells)} fields, header has {len(header)}", raw)
        elif (size := _utf8_size(raw)) > MAX_RECORD_BYTES:
            yield Rejection(name, line, _over_limit(size))
        else:
            yield _article(name, line, dict(zip(header, cells, strict=True)), raw)
        line = reader.line_num + 1


def _read_small(path: Path) -> str:
    """A whole small file as text, without its byte-order mark."""
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES:
        raise _TooLarge(size)
    return path.read_bytes().decode("utf-8-sig")


def _read_txt(path: Path) -> Iterator[Record]:
    name = str(path)
    try:
        text = _read_small(path)
    except _TooLarge as exc:
        yield Rejection(name, 1, str(exc))
        return
    except UnicodeDecodeError as exc:
        yield Rejection(name, 1, f"invalid UTF-8 at byte {exc.start}")
        return
    meta: dict[str, Any] = {}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        try:
            loaded = json.loads(_read_small(sidecar))
        except (_TooLarge, ValueError, RecursionError) as exc:
            yield Rejection(str(sidecar), 1, _reason(exc))
            return
        if not isinstance(loaded, dict):
            yield Rejection(str(sidecar), 1, "metadata must be a JSON object")
            return
        meta = loaded
    if "title" in meta:
        meta.setdefault("body", text)
    else:
        title, _, body = text.strip().partition("\n")
        meta.update(title=title, body=body)
    yield _article(name, 1, meta, None)


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise NewsIndexError(PARQUET_MISSING) from None
    return pq


def _parquet_raw(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=str)


def _read_parquet(name: str, path: Path, groups: tuple[int, int] | None = None) -> Iterator[Record]:
    """Rows of a Parquet file (of row groups ``[start, stop)`` only, with
    ``groups``), :data:`_PARQUET_ROWS` at a time; a row's number counts from 1
    at the file's first row. Values go through :meth:`Article.from_dict` as a
    JSON object's do (a timestamp column is a date as an ISO string is; a null
    is a missing field)."""
    pq = _pyarrow_parquet()
    import pyarrow as pa

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield Rejection(name, 0, f"not a readable Parquet file: {exc}")
        return
    meta = pf.metadata
    start, stop = groups if groups is not None else (0, meta.num_row_groups)
    row = 1 + sum(meta.row_group(g).num_rows for g in range(start))
    for group in range(start, stop):
        at = row
        row += meta.row_group(group).num_rows
        try:
            for batch in pf.iter_batches(batch_size=_PARQUET_ROWS, row_groups=[group]):
                for record in batch.to_pylist():
                    if _utf8_size(raw := _parquet_raw(record)) > MAX_RECORD_BYTES:
                        yield Rejection(name, at, _over_limit(_utf8_size(raw)))
                    else:
                        yield _article(name, at, record, raw)
                    at += 1
        except (pa.ArrowException, OSError, ValueError) as exc:
            # A damaged row group costs its rows, not the file's other groups.
            yield Rejection(name, at, f"unreadable Parquet row group {group} (rows {at} to {row - 1}): {exc}")


def _open_text(path: Path) -> TextIO:
    # surrogateescape keeps reading past invalid bytes; the records that hold
    # them are rejected one by one instead of losing the whole file. utf-8-sig
    # drops a byte-order mark; newline="" keeps the text as written (and csv needs it).
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def read_file(path: str | Path) -> Iterator[Record]:
    """Read one file (or ``-`` for JSON Lines on standard input)."""
    if str(path) == "-":
        yield from _read_jsonl("<stdin>", sys.stdin.buffer)
        return
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            with path.open("rb") as stream:
                yield from _read_jsonl(name, stream)
        elif suffix == ".json":
            with _open_text(path) as text:
                yield from _read_json(name, text)
        elif suffix == ".csv":
            with _open_text(path) as text:
                yield from _read_csv(name, text)
        elif suffix == ".txt":
            yield from _read_txt(path)
        elif suffix == ".parquet":
            yield from _read_parquet(name, path)
        else:
            kinds = ", ".join(SUFFIXES)
            yield Rejection(name, 0, f"unsupported file type {suffix or '(none)'}; expected one of {kinds}")
    except OSError as exc:
        yield Rejection(name, 0, f"cannot read: {exc.strerror or exc}")


def _folder_files(folder: Path) -> Iterator[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    texts = {p.with_suffix("") for p in files if p.suffix.lower() == ".txt"}
    for path in files:
        if path.suffix.lower() == ".json" and path.with_suffix("") in texts:
            continue  # metadata of a .txt article, read with it
        yield path


def read(paths: Iterable[str | Path]) -> Iterator[Record]:
    """Read files and folders in order, yielding Articles and Rejections."""
    for path in paths:
        p = Path(path)
        if str(path) != "-" and p.is_dir():
            for file in _folder_files(p):
                yield from read_file(file)
        elif str(path) == "-" or p.exists():
            yield from read_file(p if str(path) != "-" else "-")
        else:
            yield Rejection(str(path), 0, "no such file or folder")


def check_inputs(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse, before anything is read, inputs this installation cannot read:
    a ``.parquet`` file (named, or in a named folder) without pyarrow."""
    for path in paths:
        p = Path(path)
        if str(path) == "-":
            continue
        if p.suffix.lower() == ".parquet" or (
            p.is_dir() and any(f.suffix.lower() == ".parquet" for f in _folder_files(p))
        ):
            _pyarrow_parquet()
            return


# -- partitions: the input split so that many workers read it at once -----------

# A partition holds about this much input: what one task reads, analyzes and
# holds as Article objects before writing its segments. Measured on synthetic
# stories (1.7 KB each, no entities; benchmarks/bench_archive.py data), one
# task's peak RSS in a fresh process: 4 MB (2,491 stories) 80 MB, 16 MB 126 MB,
# 42 MB 228 MB, 64 MB (39,864 stories) 315 MB.
PART_BYTES = 64 << 20


@attrs.frozen(slots=True)
class Piece:
    """Part of one input file: ``path`` (absolute: a worker elsewhere opens it)
    reported as ``name``; bytes ``[start, stop)`` of JSON Lines (a line belongs
    to the piece it starts in), row groups ``[start, stop)`` of Parquet, or the
    whole file (``stop`` is -1)."""

    path: str
    name: str
    start: int = 0
    stop: int = -1


@attrs.frozen(slots=True)
class Partition:
    """What one task reads: pieces in input order (small files go together)."""

    pieces: tuple[Piece, ...]
    size: int  # bytes of input, about


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str] | Rejection]:
    for path in paths:
        if str(path) == "-":
            raise NewsIndexError("standard input (-) cannot be split among workers; name the files")
        p = Path(path)
        if p.is_dir():
            for file in _folder_files(p):
                yield file, str(file)
        elif p.exists():
            yield p, str(path)
        else:
            yield Rejection(str(path), 0, "no such file or folder")


def _split_file(path: Path, name: str, part_bytes: int) -> Iterator[tuple[Piece, int]]:
    """``(piece, bytes)`` of one file: JSON Lines cut every ``part_bytes`` (the
    reader moves each cut to the next line start), Parquet by row group, any
    other file whole (a CSV row may hold newlines inside quotes, so no byte
    offset is known to start a row without reading everything before it)."""
    full = str(path.absolute())
    size = path.stat().st_size
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") and size > part_bytes:
        for start in range(0, size, part_bytes):
            yield Piece(full, name, start, min(size, start + part_bytes)), min(part_bytes, size - start)
        return
    if suffix == ".parquet" and size > part_bytes:
        pq = _pyarrow_parquet()
        try:
            meta = pq.ParquetFile(path).metadata
        except Exception:  # unreadable: the reader reports it, with the file's name
            yield Piece(full, name), size
            return
        start = taken = 0
        for group in range(meta.num_row_groups):
            taken += meta.row_group(group).total_byte_size
            if taken >= part_bytes or group == meta.num_row_groups - 1:
                yield Piece(full, name, start, group + 1), taken
                start, taken = group + 1, 0
        return
    yield Piece(full, name), size


def input_bytes(paths: Iterable[str | os.PathLike[str]]) -> int:
    """The size of the inputs (files, and files in folders), for choosing a partition size."""
    return sum(found[0].stat().st_size for found in _files(paths) if not isinstance(found, Rejection))


def part_size(total: int, tasks_at_once: int) -> int:
    """The partition size for ``total`` bytes of input read by ``tasks_at_once``
    tasks: at most :data:`PART_BYTES` (a task's memory), and small enough that
    every task gets about four partitions (so the last to finish are small; one
    60 MB file made a single task for 2 workers before), but not under 1 MB
    (each partition costs a commit of every shard it touches)."""
    return max(1 << 20, min(PART_BYTES, total // max(1, 4 * tasks_at_once)))


def partitions(
    paths: Iterable[str | os.PathLike[str]], part_bytes: int = PART_BYTES
) -> Iterator[Partition | Rejection]:
    """The inputs as partitions of about ``part_bytes``, in input order, read
    by :func:`read_piece` on any machine that sees the same files: this process
    only lists folders and reads Parquet footers. Paths that do not exist are
    :class:`Rejection` s, as :func:`read` gives them; ``-`` (standard input)
    cannot be handed to another process and is refused."""
    if part_bytes < 1:
        raise ValueError("part_bytes must be at least 1")
    pending: list[Piece] = []
    size = 0
    for found in _files(paths):
        if isinstance(found, Rejection):
            yield found
            continue
        path, name = found
        try:
            split = list(_split_file(path, name, part_bytes))
        except OSError as exc:
            yield Rejection(name, 0, f"cannot read: {exc.strerror or exc}")
            continue
        for piece, n in split:
            if pending and size + n > part_bytes:
                yield Partition(tuple(pending), size)
                pending, size = [], 0
            pending.append(piece)
            size += n
    if pending:
        yield Partition(tuple(pending), size)


def read_piece(piece: Piece, lines: list[int] | None = None) -> Iterator[Record]:
    """The records of one piece. For a byte range of JSON Lines, line numbers
    count from the range's first line and ``lines[0]`` ends as the number of
    lines it held: the caller adds the lines of the pieces before it."""
    path = Path(piece.path)
    if piece.stop == -1:
        for record in read_file(path):
            if isinstance(record, Rejection) and record.file == str(path):
                record = attrs.evolve(record, file=piece.name)  # the name the input was given by
            yield record
        return
    try:
        if path.suffix.lower() == ".parquet":
            yield from _read_parquet(piece.name, path, (piece.start, piece.stop))
            return
        with path.open("rb") as stream:
            if piece.start:
                # The piece starts at the first line that starts at or after its
                # first byte: past the rest of a line the cut fell inside.
                stream.seek(piece.start - 1)
                line = stream.read(1)
                while line and not line.endswith(b"\n"):
                    line = stream.readline(_CHUNK)
            yield from _read_jsonl(piece.name, stream, stop=piece.stop, first=piece.start == 0, lines=lines)
    except OSError as exc:
        yield Rejection(piece.name, 0, f"cannot read: {exc.strerror or exc}")
