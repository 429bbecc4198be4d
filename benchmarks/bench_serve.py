"""Load on `newsindex serve`: N concurrent loopback clients for a bounded time.

Run from the repository root (needs the ``serve`` extra)::

    python benchmarks/bench_serve.py --index DIR [--clients 20] [--duration 30] [--json]
    python benchmarks/bench_serve.py --index DIR --duration 5      # a short run

The index is copied to a temporary folder first (the writer phase adds to the
copy, never to DIR). The server runs as its own process (``python -m newsindex
serve``) on a free loopback port; the clients are threads of this process, each
with one keep-alive connection, cycling over the queries of ``bench_query.py``
in three forms: ``/api/search?q=…``, ``/api/search?q=…&facets=…`` (5 facets) and
the HTML search page ``/?q=…`` (facets, timeline, snippets, names of each hit).

Two phases of ``--duration`` seconds each: the server alone, then the same load
while another process runs ``newsindex index`` on ``--writer-docs`` synthetic
articles in batches of 200 (each batch one commit the server must pick up).
Every request is bounded: ``--timeout`` seconds each, and at most
``--max-requests`` per phase. Reported per phase: requests/s, p50/p95/p99
latency, errors (non-200 answers, timeouts, refused connections), and the
server's resident memory (VmRSS at the end and its peak, VmHWM, from /proc).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
FACETS = "person,organization,location,source,published:month"
_CLI = (sys.executable, "-m", "newsindex")
_WRITER = ("--procs", "1", "--batch-size", "200", "--no-progress")


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _paths(queries: list[str]) -> list[str]:
    out = []
    for q in queries:
        out.append("/api/search?" + urlencode({"q": q}))
        out.append("/api/search?" + urlencode({"q": q, "facets": FACETS}))
        out.append("/?" + urlencode({"q": q}))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _memory(pid: int) -> dict[str, float]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024  # MiB
    except OSError:
        pass
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _phase(port: int, paths: list[str], clients: int, duration: float, timeout: float, cap: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = [0]
    stop_at = time.monotonic() + duration

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        i = k * 7  # clients start at different places in the mix
        while time.monotonic() < stop_at:
            with lock:
                if issued[0] >= cap:
                    break
                issued[0] += 1
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if response.status != 200:
                        errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{type(exc).__name__} {path}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "errors": len(errors),
        "error_examples": errors[:5],
    }


def _wait_up(port: int, proc: subprocess.Popen[bytes], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/stats")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def run(args: argparse.Namespace) -> dict[str, Any]:
    queries: list[str] = _load("bench_query").QUERIES
    paths = _paths(queries)
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        index = work / "index"
        shutil.copytree(args.index, index)
        port = _free_port()
        server = subprocess.Popen(
            [*_CLI, "serve", "--index", str(index), "--port", str(port), "--readers", str(args.readers)],
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_up(port, server)
            _phase(port, paths[:30], 2, 3, args.timeout, 10**9)  # warm: caches, pooled indexes
            report: dict[str, Any] = {
                "index": str(args.index),
                "clients": args.clients,
                "readers": args.readers,
                "duration_s": args.duration,
                "queries": len(queries),
                "paths": len(paths),
            }
            report["alone"] = {
                **_phase(port, paths, args.clients, args.duration, args.timeout, args.max_requests),
                **_memory(server.pid),
            }
            feed = work / "new.jsonl"
            synthetic = _load("synthetic")
            synthetic.write_jsonl(feed, args.writer_docs, seed=7)
            writer = subprocess.Popen(
                [*_CLI, "index", str(feed), "--index", str(index), "--no-entities", *_WRITER],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            before = _stats(port)
            phase = _phase(port, paths, args.clients, args.duration, args.timeout, args.max_requests)
            writer_done = writer.poll() is not None
            writer.wait()
            after = _stats(port)
            report["with_writer"] = {
                **phase,
                **_memory(server.pid),
                "writer_finished_within_phase": writer_done,
                "documents_before": before,
                "documents_after": after,
            }
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _stats(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/stats")
    return int(json.loads(conn.getresponse().read())["documents"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="index folder (copied; never written)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--max-requests", type=int, default=100_000, help="at most this many requests per phase")
    parser.add_argument("--writer-docs", type=int, default=2000, help="articles the writer adds in phase 2")
    parser.add_argument("--readers", type=int, default=2, help="the server's --readers")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if not (args.index / "newsindex.json").exists() and not any(args.index.glob("*.toc")):
        raise SystemExit(f"no index at {args.index}")
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['clients']} clients, {report['duration_s']:g} s per phase, {report['paths']} request forms")
    heads = ("req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "RSS MiB", "peak")
    print(f"{'phase':<12} " + " ".join(f"{h:>8}" for h in heads))
    for name in ("alone", "with_writer"):
        r = report[name]
        print(
            f"{name:<12} {r['requests_per_s']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['errors']:>8} {r.get('VmRSS', 0):>8.0f} {r.get('VmHWM', 0):>8.0f}"
        )
    w = report["with_writer"]
    print(f"writer: documents {w['documents_before']:,} -> {w['documents_after']:,}")


if __name__ == "__main__":
    main()
