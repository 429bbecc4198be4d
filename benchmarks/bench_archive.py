"""Sharded archives: build speed and search latency, one index against an archive, locally and on Dask.

Run from the repository root (Dask needed: ``pip install '.[dask]'``)::

    python benchmarks/bench_archive.py [--corpus FILE | --synthetic N] [--no-entities]
        [--workers 1,2] [--repeat R] [--shard-by month] [--no-local-archive] [--json]

The input is one JSON Lines file (``--synthetic N`` writes N synthetic stories,
dated over 2015-2024, to a scratch file first; not timed).

Build: docs/s of one index (``procs`` worker processes; this process reads the
file and ships the articles), of an archive built here (``Archive.add_files``:
the same number of worker processes, each reading its own partitions of the
file), and of the same archive built on a Dask ``LocalCluster`` of 1, 2, …
single-threaded worker processes, each reading its own partitions; with the
peak RSS of each Dask worker (``ru_maxrss``, read on the worker after the
build) and, for local builds, of the largest worker process.

Search: p50/p95 over the ``benchmarks/bench_query.py`` query mix (each query
once to warm, then ``--repeat`` times, the setups taking turns) on the one
index, on the archive searched here (shards in turn) and on the archive
searched on Dask (each shard open on one worker); how many shards each query
searched (the others pruned by its dates) and what the statistics step costs
(read from every shard, as it is, against only the searched shards). Every
result is checked to be identical to the one index's.
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
    """This process's own peak RSS: ``VmHWM``, which starts afresh at ``exec``.

    Not ``ru_maxrss``: Linux keeps it across ``execve``, so a Dask worker
    (forked from this process, then exec'd) reported this process's peak at
    fork time (1,228 MB for every worker of the first 200,000-article run,
    whatever its partitions), not its own.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _corpus(args: argparse.Namespace, tmp: Path) -> tuple[Path, int]:
    """The input file and its article count."""
    if args.synthetic:
        path = tmp / "synthetic.jsonl"
        count, _ = _load("synthetic").write_jsonl(path, args.synthetic, seed=0)
        return path, count
    with open(args.corpus, "rb") as f:
        return args.corpus, sum(1 for line in f if line.strip())


def _statistics_cost(here: Any, bench_query: Any, path: Path) -> dict[str, Any]:
    """What the statistics step costs per query: the query's term statistics
    read from every shard (as searches do, for exact scores) against from the
    searched shards only (what pruning it would save), with the shards open
    and warm; and opening every shard of the archive cold (a fresh Archive)."""
    from newsindex import Archive
    from newsindex._schema import build_schema
    from newsindex._searching import LocalShards, parse_request
    from newsindex._whoosh import scored_terms, without_andnot

    schema = build_schema()
    names = here._shard_names()
    every, pruned = [], []
    for q in bench_query.QUERIES:
        parsed, _, _ = parse_request(q, schema, bench_query.REUTERS_NOW)
        terms = set(scored_terms(without_andnot(parsed), schema))
        which = here._which(names, parsed)
        shards = here._local_shards(names)
        for _ in range(5):
            start = time.perf_counter()
            shards.stats(terms)
            every.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            if which:
                LocalShards([shards.searchers[i] for i in which], schema=schema).stats(terms)
            pruned.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    with Archive(path, create=False) as fresh:
        fresh._local_shards(fresh._shard_names())
    cold = (time.perf_counter() - start) * 1000
    out = {
        "every_shard_p50_ms": round(statistics.median(every), 2),
        "searched_shards_only_p50_ms": round(statistics.median(pruned), 2),
        "open_every_shard_cold_ms": round(cold, 1),
    }
    print(f"statistics step: {out}", file=sys.stderr, flush=True)
    return out


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
    ap.add_argument("--no-local-archive", action="store_true", help="skip the archive built here (time)")
    ap.add_argument("--dask-builds-only", action="store_true", help="only the Dask builds: no one index, no search")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import distributed

    from newsindex import Archive, Article, Index, read

    bench_query = _load("bench_query")
    entities = None if args.no_entities else "bundled"
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    corpus, n = _corpus(args, tmp)
    report: dict[str, Any] = {
        "articles": n,
        "input_mb": round(corpus.stat().st_size / 2**20),
        "entities": entities,
        "shard_by": args.shard_by,
        "build": [],
        "search": [],
    }

    def row(kind: str, secs: float, **extra: Any) -> None:
        report["build"].append({"setup": kind, "seconds": round(secs, 1), "docs_per_s": round(n / secs), **extra})
        print(f"{kind:<40} {n / secs:8.0f} docs/s  {secs:7.1f} s  {extra}", file=sys.stderr, flush=True)

    if not args.dask_builds_only:
        with Index(tmp / "one", entities=entities, procs=args.procs) as one:
            _, secs = _timed(lambda: one.add(r for r in read([corpus]) if isinstance(r, Article)))
        row(f"one index, {args.procs} procs (client reads)", secs)
    if not args.no_local_archive and not args.dask_builds_only:
        with Archive(tmp / "arc", shard_by=args.shard_by, entities=entities, procs=args.procs) as arc:
            _, secs = _timed(lambda: arc.add_files([corpus]).indexed)
            shards = len(arc.shards())
        row(f"archive here, {args.procs} procs (each reads)", secs, shards=shards)
    # Forked children without exec: their ru_maxrss counts the pages shared with this process.
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
            _, secs = _timed(lambda: arc.add_files([corpus], dask=client).indexed)  # noqa: B023
            shards = len(arc.shards())
        peaks = client.run(_peak_rss_mb)
        row(
            f"archive on Dask, {workers} workers (each reads)",
            secs,
            shards=shards,
            worker_peak_rss_mb=sorted(round(p) for p in peaks.values()),
        )

    if args.dask_builds_only:
        return _finish(clusters, report, tmp, args.json)

    # Search: the one index, the archive here, the archive on the largest cluster.
    workers = max(clusters)
    _, client = clusters[workers]
    searched_archive = tmp / f"dask{workers}"  # built on Dask; searched here and there
    timings: dict[str, list[float]] = {"one index": [], "archive here": [], f"archive on Dask ({workers} workers)": []}
    searched: list[int] = []
    with (
        Index(tmp / "one", create=False) as one,
        Archive(searched_archive, create=False) as here,
        Archive(searched_archive, create=False, dask=client) as there,
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
        report["statistics_step"] = _statistics_cost(here, bench_query, searched_archive)
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
    return _finish(clusters, report, tmp, args.json)


def _finish(clusters: dict[int, Any], report: dict[str, Any], tmp: Path, as_json: bool) -> int:
    """Close the Dask clusters, print the report as JSON if asked, remove the indexes."""
    import shutil

    for cluster, client in clusters.values():
        client.close()
        cluster.close()
    if as_json:
        print(json.dumps(report, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
