"""Readers: turn files into a stream of Articles, and bad records into Rejections.

A bad record never stops a run: it becomes a :class:`Rejection` naming its file
and line, and reading goes on with the next record.

Formats, chosen by file extension:

- ``.jsonl`` / ``.ndjson``: one JSON object per line;
- ``.json``: a JSON array of objects, or a single object;
- ``.csv``: a header row naming the fields, then one article per row;
- ``.txt``: one article per file. With a ``.json`` object beside it (same name)
  holding metadata, the text is the body; otherwise its first line is the title;
- a folder: every file of these kinds below it, in name order;
- ``-``: JSON Lines from standard input.

>>> for record in read(["seeds"]):  # doctest: +SKIP
...     print(record)
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from ._article import Article

__all__ = ["SUFFIXES", "Rejection", "read", "read_file"]

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".txt")
_MAX_LINE_BYTES = 20_000_000  # a JSON Lines record past this is not an article


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


def _read_jsonl(name: str, stream: io.BufferedIOBase | io.RawIOBase | Any) -> Iterator[Record]:
    for number, chunk in enumerate(stream, 1):
        if len(chunk) > _MAX_LINE_BYTES:
            yield Rejection(name, number, f"record is {len(chunk):,} bytes, over the limit")
            continue
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


def _read_json(name: str, text: str) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    pos, n = 0, len(text)

    def skip_ws(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    counted = [0, 1]  # position counted up to, line number there: keeps this linear

    def line_of(i: int) -> int:
        done, line = counted
        line = line + text.count("\n", done, i) if i >= done else text.count("\n", 0, i) + 1
        counted[:] = [i, line]
        return line

    pos = skip_ws(pos)
    if pos < n and text[pos] == "{":  # a single object is one article
        try:
            record = json.loads(text)
        except (ValueError, RecursionError) as exc:
            yield Rejection(name, line_of(pos), _reason(exc), text)
            return
        yield _article(name, line_of(pos), record, text)
        return
    if pos >= n or text[pos] != "[":
        yield Rejection(name, line_of(pos), "expected a JSON array of articles or one JSON object")
        return
    pos = skip_ws(pos + 1)
    if pos < n and text[pos] == "]":
        return
    while pos < n:
        start = pos
        try:
            record, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            # Resynchronise at the next line that opens an object, so one bad
            # element does not cost the rest of the array.
            resume = text.find("\n", start)
            while resume != -1 and not text[resume:].lstrip(" \t\r\n").startswith("{"):
                resume = text.find("\n", resume + 1)
            end = n if resume == -1 else resume
            yield Rejection(name, line_of(start), _reason(exc), text[start:end].strip())
            if resume == -1:
                return
            pos = skip_ws(resume)
            continue
        yield _article(name, line_of(start), record, text[start:pos])
        pos = skip_ws(pos)
        if pos < n and text[pos] == ",":
            pos = skip_ws(pos + 1)
        elif pos < n and text[pos] == "]":
            return
        else:
            yield Rejection(name, line_of(pos), "malformed JSON array: expected ',' or ']'")
            return
    yield Rejection(name, line_of(n), "malformed JSON array: missing ']'")


def _read_csv(name: str, text: str) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Rejection(name, 1, f"malformed CSV header: {exc}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(name, line, f"malformed CSV: {exc}")
            line = reader.line_num + 1
            continue
        raw = ",".join(row)
        if not any(cell.strip() for cell in row):
            pass  # blank line
        elif len(row) != len(header):
            yield Rejection(name, line, f"row has {len(row)} fields, header has {len(header)}", raw)
        else:
            yield _article(name, line, dict(zip(header, row, strict=True)), raw)
        line = reader.line_num + 1


def _read_txt(path: Path) -> Iterator[Record]:
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Rejection(name, 1, f"invalid UTF-8 at byte {exc.start}")
        return
    meta: dict[str, Any] = {}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        try:
            loaded = json.loads(sidecar.read_bytes().decode("utf-8"))
        except (ValueError, RecursionError) as exc:
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


def _decode(path: Path) -> str:
    # surrogateescape keeps reading past invalid bytes; the records that hold
    # them are rejected one by one instead of losing the whole file.
    return path.read_bytes().decode("utf-8", "surrogateescape")


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
            yield from _read_json(name, _decode(path))
        elif suffix == ".csv":
            yield from _read_csv(name, _decode(path))
        elif suffix == ".txt":
            yield from _read_txt(path)
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
