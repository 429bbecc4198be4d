"""Query latency on the full Reuters-21578 index: p50/p95, without and with facets.

Run from the repository root::

    python benchmarks/bench_query.py [--index DIR] [--repeat R] [--json]

With ``--index DIR`` an existing index is reused (built by
``newsindex index ../shared/corpora/reuters21578.jsonl --index DIR``); without it,
one is built into a temporary folder first (with entity extraction, so entity
queries and facets have something to find).

The mix covers terms, phrases, entity fields, date forms, wildcards and fuzzy
terms, and combinations. Each query runs once to warm caches, then ``--repeat``
times; the percentiles are over every timed run. "With facets" adds person,
organization, location, source and a monthly histogram over all matches.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def run(index_path: Path, repeat: int) -> dict[str, object]:
    import datetime as dt

    from newsindex import Index

    now = dt.datetime(1987, 3, 20, 12, tzinfo=dt.UTC)  # "last week" inside the corpus
    report: dict[str, object] = {"index": str(index_path), "queries": len(QUERIES), "repeat": repeat}
    with Index(index_path, create=False) as index:
        report["documents"] = len(index)
        for label, facets in (("search", ()), ("search+facets", FACETS)):
            times: list[float] = []
            slowest: tuple[float, str] = (0.0, "")
            for text in QUERIES:
                index.search(text, now=now, facets=facets)  # warm-up
                for _ in range(repeat):
                    start = time.perf_counter()
                    index.search(text, now=now, facets=facets)
                    took = (time.perf_counter() - start) * 1000
                    times.append(took)
                    slowest = max(slowest, (took, text))
            report[label] = {
                "p50_ms": round(_percentile(times, 0.50), 1),
                "p95_ms": round(_percentile(times, 0.95), 1),
                "mean_ms": round(statistics.fmean(times), 1),
                "max_ms": round(slowest[0], 1),
                "slowest": slowest[1],
            }
        report["totals"] = {text: index.search(text, now=now).total for text in QUERIES}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="reuse this index instead of building one")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query (default 10)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsindex-bench-") as tmp:
        path = args.index
        if path is None:
            if not REUTERS.exists():
                sys.exit(f"{REUTERS} is absent; pass --index DIR")
            path = Path(tmp) / "index"
            _build(path)
        report = run(path, args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['documents']:,} documents, {report['queries']} queries x {report['repeat']} runs")
    for label in ("search", "search+facets"):
        r = report[label]
        line = f"{label:14} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms"
        print(f"{line} ({r['slowest']})")


if __name__ == "__main__":
    main()
