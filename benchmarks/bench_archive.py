"""Sharded archives: build speed and search latency, one index against an archive, locally and on Dask.

Run from the repository root (Dask needed: ``pip install '.[dask]'``)::

    python benchmarks/bench_archive.py [--corpus FILE | --synthetic N] [--no-entities]
        [--workers 1,2] [--repeat R] [--shard-by month] [--json]

Build: docs/s of one index (``procs`` worker processes), of an archive built
here (the same processes), and of the same archive built on a Dask
``LocalCluster`` of 1, 2, … single-threaded worker processes; with the peak
RSS of each Dask worker (``ru_maxrss``, read on the worker after the build)
and, for local builds, of the largest worker process.

Search: p50/p95 over the ``benchmarks/bench_query.py`` query mix (each query
once to warm, then ``--repeat`` times, the setups taking turns) on the one
index, on the archive searched here (shards in turn), and on the archive
searched on Dask (each shard open on one worker); and how many shards each
query searched (the others pruned by its dates). Every result is checked to
be identical to the one index's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
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


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _articles(args: argparse.Namespace) -> list[Any]:
    from newsindex import Article, read

    if args.synthetic:
        synthetic = _load("synthetic")
        return [Article.from_dict(d) for d in synthetic.generate(args.synthetic, seed=0)]
    return [r for r in read([args.corpus]) if isinstance(r, Article)]


def _timed(build: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    n = build()
    return n, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REUTERS)
    ap.add_argument("--synthetic", type=int, default=0, help="use N synthetic articles instead of --corpus")
    ap.add_argument("--no-entities", action="store_true")
    ap.add_argument("--procs", type=int, default=2, help="worker processes of the local builds")
    ap.add_argument("--workers", default="1,2", help="Dask worker counts to build with")
    ap.add_argument("--shard-by", default="month")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import distributed

    from newsindex import Archive, Index

    bench_query = _load("bench_query")
    entities = None if args.no_entities else "bundled"
    articles = _articles(args)
    n = len(articles)
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    report: dict[str, Any] = {"articles": n, "entities": entities, "shard_by": args.shard_by, "build": [], "search": []}

    def row(kind: str, secs: float, **extra: Any) -> None:
        report["build"].append({"setup": kind, "seconds": round(secs, 1), "docs_per_s": round(n / secs), **extra})
        print(f"{kind:<32} {n / secs:8.0f} docs/s  {extra}", file=sys.stderr)

    with Index(tmp / "one", entities=entities, procs=args.procs) as one:
        _, secs = _timed(lambda: one.add(articles))
    row(f"one index, {args.procs} procs", secs)
    with Archive(tmp / "arc", shard_by=args.shard_by, entities=entities, procs=args.procs) as arc:
        _, secs = _timed(lambda: arc.add(articles))
        shards = len(arc.shards())
    row(f"archive here, {args.procs} procs", secs, shards=shards)
    report["local_child_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)

    clusters: dict[int, Any] = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
        clusters[workers] = (cluster, client)
        target = tmp / f"dask{workers}"
        with Archive(target, shard_by=args.shard_by, entities=entities) as arc:
            _, secs = _timed(lambda: arc.add(articles, dask=client))  # noqa: B023
        peaks = client.run(_peak_rss_mb)
        row(f"archive on Dask, {workers} workers", secs, worker_peak_rss_mb=sorted(round(p) for p in peaks.values()))

    # Search: the one index, the archive here, the archive on the largest cluster.
    workers = max(clusters)
    _, client = clusters[workers]
    timings: dict[str, list[float]] = {"one index": [], "archive here": [], f"archive on Dask ({workers} workers)": []}
    searched: list[int] = []
    with (
        Index(tmp / "one", create=False) as one,
        Archive(tmp / "arc", create=False) as here,
        Archive(tmp / "arc", create=False, dask=client) as there,
    ):
        setups = list(zip(timings, [one, here, there], strict=True))
        for q in bench_query.QUERIES:
            kw = {"now": bench_query.REUTERS_NOW, "facets": bench_query.FACETS}
            expected = one.search(q, **kw)
            for _, target in setups[1:]:
                assert target.search(q, **kw) == expected, q  # warm, and identical
            searched.append(here.last_searched)
            for _ in range(args.repeat):
                for name, target in setups:
                    start = time.perf_counter()
                    target.search(q, **kw)
                    timings[name].append((time.perf_counter() - start) * 1000)
        total_shards = len(here.shards())
    for name, values in timings.items():
        entry = {
            "setup": name,
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
        }
        report["search"].append(entry)
        print(f"{name:<32} p50 {entry['p50_ms']:7.1f} ms  p95 {entry['p95_ms']:7.1f} ms", file=sys.stderr)
    report["shards"] = total_shards
    report["shards_searched_per_query"] = {
        "mean": round(statistics.mean(searched), 2),
        "min": min(searched),
        "max": max(searched),
    }
    print(f"shards searched per query: {report['shards_searched_per_query']} of {total_shards}", file=sys.stderr)
    for cluster, client in clusters.values():
        client.close()
        cluster.close()
    if args.json:
        print(json.dumps(report, indent=2))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
