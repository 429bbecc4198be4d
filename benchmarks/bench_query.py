"""Query latency on the full Reuters-21578 index: p50/p95, without and with facets.

Run from the repository root::

    python benchmarks/bench_query.py [--index DIR] [--plain DIR | --keep-plain DIR] [--repeat R] [--optimized] [--json]

With ``--index DIR`` an existing index is reused (built by
``newsindex index ../shared/corpora/reuters21578.jsonl --index DIR``); without it,
one is built into a temporary folder first (with entity extraction, so entity
queries and facets have something to find). ``--optimized`` also measures a
copy merged into one segment (``newsindex optimize``).

The mix covers terms, phrases, entity fields, date forms, wildcards and fuzzy
terms, and combinations. Each query runs once to warm caches, then ``--repeat``
times, the three timings below taking turns; the percentiles are over every
timed run. "With facets" adds person, organization, location, source and a
monthly histogram over all matches.

The baseline, timed in the same run, is plain Whoosh doing the same job on
its own index of the same documents: the same parsed queries (with Whoosh's own
phrase and numeric range queries), ``searcher.search(q, limit=10)``,
``len(results)`` for the total and Whoosh's highlighter for a snippet of each
hit. That index (``--plain DIR`` to reuse one, else built in a temporary
folder) holds newsindex's analysed documents (the same terms, entities and
aliases) written by Whoosh's own writer in one commit, with ``published`` a
stock ``DATETIME``: newsindex's index (format 5) has no numeric trie for
Whoosh's ``NumericRange`` to read, as its date queries bisect a column.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
sys.path.insert(0, str(ROOT))

QUERIES = [
    # terms
    "oil",
    "cocoa",
    "bank interest",
    "wheat OR corn",
    "trade -japan",
    # phrases and proximity
    '"crude oil prices"',
    '"interest rates"',
    '"west german"',
    '"federal reserve"~5',
    # entity fields
    "location:japan",
    'person:"James Baker"',
    "org:opec",
    "entity:brazil",
    # dates
    "published:1987-03",
    "published:[1987-03-01 TO 1987-03-15]",
    "published:>=1987-04-01",
    "published:[-7d TO now]",
    # wildcards and fuzzy
    "petro*",
    "refinry~",
    # combined
    "oil location:saudi published:1987-03",
    '"interest rates" org:"Federal Reserve" published:>=1987-03-01',
    "(wheat OR grain) location:ussr -corn",
    'title:dollar^2 "exchange rates" published:[1987-03-01 TO 1987-06-30]',
]
FACETS = ["person", "organization", "location", "source", "published:month"]
REUTERS_NOW = dt.datetime(1987, 3, 20, 12, tzinfo=dt.UTC)  # "last week" inside the corpus


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _build(path: Path) -> None:
    from newsindex import Article, Index, read

    print(f"building an index of {REUTERS} in {path} …", file=sys.stderr)
    start = time.perf_counter()
    with Index(path) as index:
        index.add(r for r in read([REUTERS]) if isinstance(r, Article))
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def _build_plain(path: Path, source: Path | None = REUTERS, index_path: Path | None = None) -> None:
    """Plain Whoosh's index of ``source`` (or of the articles stored in ``index_path``, with
    their stored entity names): newsindex's analysed documents, Whoosh's own writer."""
    from whoosh import fields
    from whoosh.index import create_in

    from newsindex import Article, Index, read
    from newsindex._entities import get_extractor
    from newsindex._pipeline import analyze
    from newsindex._schema import build_schema

    print(f"building a plain Whoosh index of {source or index_path} in {path} …", file=sys.stderr)
    start = time.perf_counter()
    if source is not None:
        articles = read([source])
    else:
        from newsindex._schema import from_stored

        with Index(index_path or path, create=False) as index:
            reader = index._search().reader()
            articles = [from_stored(reader.stored_fields(d)) for d in reader.all_doc_ids() if not reader.is_deleted(d)]
    schema = build_schema()
    schema.remove("published")
    schema.add("published", fields.DATETIME(stored=True, sortable=True))  # indexed, with its trie
    path.mkdir(parents=True, exist_ok=True)
    ix = create_in(str(path), schema)
    extractor = get_extractor("bundled")
    writer = ix.writer()
    for article in articles:
        if isinstance(article, Article):
            writer.add_document(**analyze(article, extractor))
    writer.commit()
    ix.close()
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def _plain(q: Any) -> Any:
    """The same query with Whoosh's own phrase and numeric range classes."""
    from whoosh import query

    from newsindex._whoosh import DateRange
    from newsindex._whoosh.phrases import Phrase

    if isinstance(q, DateRange):
        return query.NumericRange(q.fieldname, q.start, q.end, boost=q.boost, constantscore=True)
    if isinstance(q, Phrase):
        return query.Phrase(q.fieldname, q.words, slop=q.slop, boost=q.boost)
    return q if q.is_leaf() else q.apply(_plain)


def _timed(queries: list[str], repeat: int, modes: dict[str, Callable[[str], int]]) -> dict[str, dict[str, Any]]:
    """Time every mode on every query, the modes taking turns run by run, so a
    slow spell of a shared machine falls on all of them alike."""
    times: dict[str, list[float]] = {label: [] for label in modes}
    slowest = dict.fromkeys(modes, (0.0, ""))
    totals: dict[str, dict[str, int]] = {label: {} for label in modes}
    for text in queries:
        for label, search in modes.items():
            totals[label][text] = search(text)  # warm-up
        for _ in range(repeat):
            for label, search in modes.items():
                start = time.perf_counter()
                search(text)
                took = (time.perf_counter() - start) * 1000
                times[label].append(took)
                slowest[label] = max(slowest[label], (took, text))
    return {
        label: {
            "p50_ms": round(_percentile(times[label], 0.50), 1),
            "p95_ms": round(_percentile(times[label], 0.95), 1),
            "mean_ms": round(statistics.fmean(times[label]), 1),
            "max_ms": round(slowest[label][0], 1),
            "slowest": slowest[label][1],
            "totals": totals[label],
        }
        for label in modes
    }


def run(
    index_path: Path,
    repeat: int,
    queries: list[str] = QUERIES,
    now: dt.datetime = REUTERS_NOW,
    plain_path: Path | None = None,
) -> dict[str, Any]:
    """Time the queries; without ``plain_path`` the plain index is built from the articles stored in ours."""
    if plain_path is None:
        with tempfile.TemporaryDirectory(prefix="newsindex-plain-") as tmp:
            _build_plain(Path(tmp) / "plain", source=None, index_path=index_path)
            return run(index_path, repeat, queries, now, Path(tmp) / "plain")
    from whoosh import highlight
    from whoosh.index import open_dir

    from newsindex import Index
    from newsindex._query import parse
    from newsindex._schema import NOW

    report: dict[str, Any] = {"index": str(index_path), "queries": len(queries), "repeat": repeat}
    with Index(index_path, create=False) as index, open_dir(str(plain_path)).searcher() as plain:
        report["documents"] = len(index)
        report["segments"] = index.stats().segments
        report["plain_segments"] = len(plain.reader().leaf_readers())
        schema = index._search().schema

        def whoosh(text: str) -> int:
            q = _plain(parse(text, schema, now=now))
            searcher = plain
            token = NOW.set(now)
            try:
                results = searcher.search(q, limit=10)
                total = len(results)
                results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=80)
                for hit in results:
                    hit.highlights("body", top=2)
            finally:
                NOW.reset(token)
            return total

        modes = {
            "plain Whoosh": whoosh,
            "search": lambda t: index.search(t, now=now).total,
            "search+facets": lambda t: index.search(t, now=now, facets=FACETS).total,
        }
        report.update(_timed(queries, repeat, modes))
    base = report["plain Whoosh"]
    for label in ("search", "search+facets"):
        r = report[label]
        r["p50_ratio"] = round(r["p50_ms"] / base["p50_ms"], 2)
        r["p95_ratio"] = round(r["p95_ms"] / base["p95_ms"], 2)
    report["total_differences"] = {
        text: {"newsindex": n, "plain Whoosh": base["totals"][text]}
        for text, n in report["search"]["totals"].items()
        if n != base["totals"][text]
    }
    return report


def _print(report: dict[str, Any]) -> None:
    print(
        f"{report['documents']:,} documents in {report['segments']} segment(s), "
        f"{report['queries']} queries x {report['repeat']} runs; plain Whoosh's own index: "
        f"{report['plain_segments']} segment(s)"
    )
    for label in ("plain Whoosh", "search", "search+facets"):
        r = report[label]
        line = f"{label:14} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms"
        ratio = ""
        if "p50_ratio" in r:
            ratio = f"  ({r['p50_ratio']:.2f}x / {r['p95_ratio']:.2f}x plain Whoosh's p50 / p95)"
        print(f"{line}{ratio}  slowest: {r['slowest']}")
    for text, totals in report["total_differences"].items():
        print(f"  totals differ for {text!r}: {totals}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="reuse this index instead of building one")
    parser.add_argument("--plain", type=Path, help="reuse this plain Whoosh index (see --keep-plain)")
    parser.add_argument("--keep-plain", type=Path, help="build the plain Whoosh index here and keep it")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query (default 10)")
    parser.add_argument("--optimized", action="store_true", help="also measure a copy merged into one segment")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    reports = []
    with tempfile.TemporaryDirectory(prefix="newsindex-bench-") as tmp:
        path = args.index
        if path is None:
            if not REUTERS.exists():
                sys.exit(f"{REUTERS} is absent; pass --index DIR")
            path = Path(tmp) / "index"
            _build(path)
        plain = args.plain
        if plain is None:
            plain = args.keep_plain or Path(tmp) / "plain"
            _build_plain(plain)
        reports.append(run(path, args.repeat, plain_path=plain))
        if args.optimized:
            from newsindex import Index

            merged = Path(tmp) / "optimized"
            shutil.copytree(path, merged)
            with Index(merged, create=False) as index:
                index.optimize()
            reports.append(run(merged, args.repeat, plain_path=plain))
    if args.json:
        print(json.dumps(reports, indent=2))
        return
    for report in reports:
        _print(report)


if __name__ == "__main__":
    main()
