"""Benchmark the bulk segment writer against Whoosh's SegmentWriter, on the same analysed documents.

Run from the repository root::

    python benchmarks/bench_bulk.py                       # 3000 Reuters articles, 3 rounds
    python benchmarks/bench_bulk.py --articles 1000 --repeats 5
    python benchmarks/bench_bulk.py --breakdown           # also: where a segment's bytes go

The articles are read and analysed once, with ``newsindex._pipeline.analyze(article,
None)`` (no entity extraction), outside the timings. Each round then writes one
segment from those documents, into a fresh index folder, with each of:

* ``whoosh``: ``SegmentWriter.add_document`` per document and ``_finalize_segment()``,
  the writer newsindex used before the bulk writer;
* ``bulk``: ``write_segment`` on the same dicts (names still newline-joined strings,
  which the bulk writer indexes through Whoosh's ``field.index()``);
* ``bulk+tokens``: ``write_segment`` after turning the name fields into ``Tokens``
  with ``names_as_tokens``, as indexing does (the conversion is timed: it replaces
  the analyzer call that the other two make while writing).

The writers run in alternating order, so drift in a shared machine's load hits
each alike. Reported per writer: docs/s by CPU time of this process (the
writers' own work; steadier on a shared machine) and by wall time (which adds
the fsyncs of ``DurableStorage``: Whoosh's writer closes about a dozen files a
segment, the bulk writer one), median and best over the rounds, and the ratio
of each median to Whoosh's median in the same run. Speed is reported, never
asserted.

``--breakdown`` analyses the whole corpus with the bundled entity extractor and
prints where an index's bytes go, by file kind inside the compound ``.seg``
files, for newsindex's layout (batches of 5000, one segment per worker of 2),
for one segment, and for one segment without entity fields (segments written
with ``identical=True``: Whoosh's own bytes); then the share of title and body
in the stored fields and what compressing them otherwise (zlib, lzma, a preset
dictionary, blocks of documents; stdlib only) would take.
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
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from newsindex import Article, read
from newsindex._pipeline import analyze
from newsindex._schema import build_schema, names_as_tokens
from newsindex._whoosh.bulk import write_segment
from newsindex._whoosh.storage import DurableStorage

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def load(corpus: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` articles, analysed once."""
    articles = [r for r in itertools.islice(read([corpus]), count) if isinstance(r, Article)]
    return [analyze(article, None) for article in articles]


def with_tokens(doc: dict[str, Any]) -> dict[str, Any]:
    """Name fields as Tokens (positions with the gaps between names), as indexing gives them."""
    return names_as_tokens(dict(doc))


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


def _segment_files(ix: Any, segments: list[Any]) -> Counter[str]:
    """Bytes per file kind (``.pst``, ``._stored.col``...) summed over ``segments``."""
    sizes: Counter[str] = Counter()
    for segment in segments:
        compound = segment.open_compound_file(ix.storage)
        prefix = segment.segment_id()
        for name in compound.list():
            sizes[name[len(prefix) :]] += compound.file_length(name)
    return sizes


def _layout(root: Path, label: str, chunks: list[list[dict[str, Any]]]) -> None:
    """Write ``chunks`` as segments of one index, byte for byte as Whoosh would, and print its files."""
    ix = _fresh_index(root, label)
    segments = [write_segment(ix.storage, ix.schema, chunk, identical=True) for chunk in chunks]
    terms = 0
    for segment in segments:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        terms += sum(1 for _ in reader.all_terms())
        reader.close()
    sizes = _segment_files(ix, segments)
    total = sum(sizes.values())
    print(f"\n{label}: {len(segments)} segment(s), {total / 1e6:.1f} MB, {terms:,} term entries")
    for name, size in sizes.most_common():
        if size >= total / 1000:
            print(f"  {name:<24} {size / 1e6:8.2f} MB {100 * size / total:5.1f}%")
    shutil.rmtree(ix.storage.folder)


def _batches_like_newsindex(
    docs: list[dict[str, Any]], batch: int = 5000, procs: int = 2
) -> list[list[dict[str, Any]]]:
    """The segments ``Index.add`` makes: batches of 5000 articles, one segment per worker."""
    out = []
    for i in range(0, len(docs), batch):
        part = docs[i : i + batch]
        step = -(-len(part) // procs)
        out += [part[j : j + step] for j in range(0, len(part), step)]
    return out


def breakdown(corpus: Path, root: Path) -> None:
    """Where the bytes of an index of the whole corpus go, and what compressing stored text would save.

    Documents are analysed with the bundled entity extractor, as ``newsindex index`` does;
    segments are written with ``identical=True``, so sizes are Whoosh's own.
    """
    from newsindex._entities import get_extractor

    extractor = get_extractor("bundled")
    articles = [r for r in read([corpus]) if isinstance(r, Article)]
    docs = [analyze(article, extractor) for article in articles]
    _layout(root, "newsindex layout", _batches_like_newsindex(docs))
    _layout(root, "one segment", [docs])
    entityless = [{k: v for k, v in d.items() if k not in ("person", "organization", "location")} for d in docs]
    _layout(root, "one segment, no entities", [entityless])

    # W3 stores one pickled dict per document, compressed with zlib level 3.
    stored = [
        {k: d.get(f"_stored_{k}", d[k]) for k in sorted(d) if not k.startswith("_") and d[k] is not None} for d in docs
    ]
    column = sum(len(zlib.compress(pickle.dumps(s, 2), 3)) for s in stored)
    rest = sum(
        len(zlib.compress(pickle.dumps({k: v for k, v in s.items() if k not in ("title", "body")}, 2), 3))
        for s in stored
    )
    texts = [(s.get("title", "") + "\n" + s.get("body", "")).encode() for s in stored]
    print(f"\nstored fields: {column / 1e6:.2f} MB as W3 writes them; without title and body {rest / 1e6:.2f} MB")
    print(f"title + body: {sum(map(len, texts)) / 1e6:.2f} MB of UTF-8, compressed:")
    sample = b"".join(texts[::50])[-32768:]

    def preset(text: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, sample)
        return packer.compress(text) + packer.flush()

    def blocks(n: int) -> list[bytes]:
        return [b"".join(texts[i : i + n]) for i in range(0, len(texts), n)]

    for label, parts, fn in (
        ("zlib-3 per document", texts, lambda t: zlib.compress(t, 3)),
        ("zlib-9 per document", texts, lambda t: zlib.compress(t, 9)),
        ("lzma per document", texts, lzma.compress),
        ("zlib-9 + 32 KB preset dictionary", texts, preset),
        ("zlib-9 blocks of 16 documents", blocks(16), lambda t: zlib.compress(t, 9)),
        ("zlib-9 blocks of 64 documents", blocks(64), lambda t: zlib.compress(t, 9)),
        ("lzma blocks of 64 documents", blocks(64), lzma.compress),
    ):
        print(f"  {label:<34} {sum(len(fn(p)) for p in parts) / 1e6:6.2f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REUTERS, help="a JSONL corpus (default: Reuters)")
    parser.add_argument("--articles", type=int, default=3000, help="articles in the segment (default 3000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each writer (default 3)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also: where an index of the whole corpus spends its bytes (minutes)"
    )
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
            breakdown(args.corpus, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
