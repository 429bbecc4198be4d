"""Benchmark the bulk segment writer against Whoosh's SegmentWriter, on the same analysed documents.

Run from the repository root::

    python benchmarks/bench_bulk.py                       # 3000 Reuters articles, 3 rounds
    python benchmarks/bench_bulk.py --articles 1000 --repeats 5
    python benchmarks/bench_bulk.py --breakdown           # also: where a segment's bytes go

The articles are read and analysed once, with ``newsindex._pipeline.analyze(article,
None)`` (no entity extraction), outside the timings. Each round then writes one
segment from those documents, into a fresh index folder, with each of:

* ``whoosh``: ``SegmentWriter.add_document`` per document and ``_finalize_segment()``,
  as ``_pipeline._write_segment`` does;
* ``bulk``: ``write_segment`` on the same dicts (names still newline-joined strings,
  which the bulk writer indexes through Whoosh's ``field.index()``);
* ``bulk+tokens``: ``write_segment`` after turning the name fields into ``Tokens``
  with ``name_terms`` (the conversion is timed: it replaces the analyzer call that
  the other two make while writing).

The writers run in alternating order, so drift in a shared machine's load hits
each alike. Reported per writer: docs/s by CPU time of this process (the
writers' own work; steadier on a shared machine) and by wall time (which adds
the fsyncs of ``DurableStorage``: Whoosh's writer closes about a dozen files a
segment, the bulk writer one), median and best over the rounds, and the ratio
of each median to Whoosh's median in the same run. Speed is reported, never
asserted.

``--breakdown`` prints the sizes of the files inside one segment (the compound
``.seg`` file's directory), the share of stored title and body text in the
stored-fields column, and what compressing that text with zlib or lzma (stdlib)
would save.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import lzma
import pickle
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from newsindex import Article, read
from newsindex._analysis import name_terms
from newsindex._pipeline import analyze
from newsindex._schema import build_schema
from newsindex._whoosh.bulk import Tokens, write_segment
from newsindex._whoosh.storage import DurableStorage

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
NAME_FIELDS = ("authors", "location", "organization", "person", "source")


def load(corpus: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` articles, analysed once."""
    articles = [r for r in itertools.islice(read([corpus]), count) if isinstance(r, Article)]
    return [analyze(article, None) for article in articles]


def with_tokens(doc: dict[str, Any]) -> dict[str, Any]:
    """Name fields as Tokens (positions with the gaps between names), the text as the stored value."""
    out = dict(doc)
    for name in NAME_FIELDS:
        if isinstance(doc.get(name), str):
            terms = name_terms(doc[name])
            out[name] = Tokens([t.text for t in terms], [t.pos for t in terms])
            out[f"_stored_{name}"] = doc[name]
    return out


def _fresh_index(root: Path, label: str) -> Any:
    folder = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=root))
    return DurableStorage(str(folder)).create_index(build_schema())


def run_whoosh(ix: Any, docs: list[dict[str, Any]]) -> Any:
    writer = SegmentWriter(ix, _lk=False)
    try:
        for doc in docs:
            writer.add_document(**doc)
        return writer._finalize_segment()
    finally:
        writer._tempstorage.destroy()


def run_bulk(ix: Any, docs: list[dict[str, Any]]) -> Any:
    return write_segment(ix.storage, ix.schema, docs)


def run_bulk_tokens(ix: Any, docs: list[dict[str, Any]]) -> Any:
    return write_segment(ix.storage, ix.schema, [with_tokens(d) for d in docs])


WRITERS: dict[str, Callable[[Any, list[dict[str, Any]]], Any]] = {
    "whoosh": run_whoosh,
    "bulk": run_bulk,
    "bulk+tokens": run_bulk_tokens,
}


def bench(docs: list[dict[str, Any]], repeats: int, root: Path) -> dict[str, dict[str, list[float]]]:
    """CPU and wall seconds per writer per round, the writers' order rotating every round."""
    times: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in WRITERS}
    names = list(WRITERS)
    for round_ in range(repeats):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            ix = _fresh_index(root, name.replace("+", "-"))
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            WRITERS[name](ix, docs)
            times[name]["wall"].append(time.perf_counter() - wall)
            times[name]["cpu"].append(time.process_time() - cpu)
            shutil.rmtree(ix.storage.folder)
    return times


def report(times: dict[str, dict[str, list[float]]], count: int) -> None:
    print(f"{'writer':<12} {'clock':<5} {'median docs/s':>14} {'best docs/s':>12} {'ratio':>6}")
    for clock in ("cpu", "wall"):
        base = statistics.median(times["whoosh"][clock])
        for name, runs in times.items():
            median = statistics.median(runs[clock])
            best = min(runs[clock])
            print(f"{name:<12} {clock:<5} {count / median:>14,.0f} {count / best:>12,.0f} {base / median:>6.2f}")


def breakdown(docs: list[dict[str, Any]], root: Path) -> None:
    """Where one segment's bytes go, and what compressing the stored text would save."""
    ix = _fresh_index(root, "breakdown")
    segment = run_whoosh(ix, docs)
    compound = segment.open_compound_file(ix.storage)
    prefix = segment.segment_id()
    sizes = {name[len(prefix) :]: compound.file_length(name) for name in compound.list()}
    total = sum(sizes.values())
    seg_size = ix.storage.file_length(segment.make_filename(".seg"))
    print(f"\none segment of {len(docs)} documents: {seg_size:,} bytes (.seg)")
    for name, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"  {name:<22} {size:>12,} {100 * size / total:5.1f}%")

    # The stored-fields column holds one zlib-compressed pickle per document.
    texts = [(d.get("_stored_title", ""), d.get("_stored_body", "")) for d in docs]
    raw = sum(len(t.encode()) + len(b.encode()) for t, b in texts)
    reader = SegmentReader(ix.storage, ix.schema, segment)  # the segment is not committed
    try:
        stored = [reader.stored_fields(d) for d in range(len(docs))]
    finally:
        reader.close()
    whole = sum(len(zlib.compress(pickle.dumps(s, 2), 6)) for s in stored)
    without = sum(
        len(zlib.compress(pickle.dumps({k: v for k, v in s.items() if k not in ("title", "body")}, 2), 6))
        for s in stored
    )
    print(f"\nstored fields: {whole:,} bytes compressed per document; without title+body {without:,}")
    print(f"  title+body UTF-8: {raw:,} bytes; their share of the stored column ≈ {whole - without:,} bytes")
    blob = "\n".join(t + "\n" + b for t, b in texts).encode()
    for label, fn in (
        ("zlib-6 per document", lambda: sum(len(zlib.compress((t + b).encode(), 6)) for t, b in texts)),
        ("zlib-9 whole segment", lambda: len(zlib.compress(blob, 9))),
        ("lzma per document", lambda: sum(len(lzma.compress((t + b).encode())) for t, b in texts)),
        ("lzma whole segment", lambda: len(lzma.compress(blob))),
    ):
        print(f"  {label:<22} {fn():>12,}")
    shutil.rmtree(ix.storage.folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REUTERS, help="a JSONL corpus (default: Reuters)")
    parser.add_argument("--articles", type=int, default=3000, help="articles in the segment (default 3000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each writer (default 3)")
    parser.add_argument("--breakdown", action="store_true", help="also report where a segment's bytes go")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} is absent", file=sys.stderr)
        return 2
    start = time.perf_counter()
    docs = load(args.corpus, args.articles)
    print(f"{len(docs)} articles read and analysed in {time.perf_counter() - start:.1f} s")
    root = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    try:
        report(bench(docs, args.repeats, root), len(docs))
        if args.breakdown:
            breakdown(docs, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
