"""Benchmark indexing: newsindex (with and without entities, 1..N processes) against plain Whoosh.

Run from the repository root::

    python benchmarks/bench_index.py                                   # synthetic corpus, 10,000 articles
    python benchmarks/bench_index.py --corpus ../shared/corpora/reuters21578.jsonl
    python benchmarks/bench_index.py --sizes 10000,100000 --configs full --procs 2
    python benchmarks/bench_index.py --quick                           # a few seconds, for the smoke test

One run measures, on the same corpus file:

* ``baseline``: plain Whoosh 2.7.4 — ``StemmingAnalyzer`` on ``title`` and ``body``
  (both stored), ``id`` ID(stored, unique), ``published`` DATETIME(stored, sortable),
  one ``ix.writer()``, one commit at the end;
* ``no-entities``: ``Index(path, entities=None, procs=P).add(...)``;
* ``full``: ``Index(path, entities="bundled", procs=P).add(...)``,

for P in ``--procs`` (default 1..all cores). Each configuration runs in a fresh
Python process that reads the corpus JSONL, indexes it into an empty temporary
folder and reports its own wall time (from opening the index to the last
commit; interpreter start-up and imports excluded, model loading and worker
start-up included). newsindex reads the file with ``newsindex.read`` as the
command line does; the baseline with ``json.loads`` and ``datetime.fromisoformat``.

Reported per configuration: docs/s, MB/s (UTF-8 bytes of title + body per
second), peak memory and the ratio of docs/s to the baseline's in the same run.
Peak memory is sampled over the whole process tree (the process and its
workers): ``peak MB`` is the largest sum of resident set sizes (RSS, every
0.1 s; counts pages shared by forked workers once per process, so it
over-states), ``PSS MB`` the largest sum of proportional set sizes (every 1 s;
shared pages split between sharers: the memory the run really holds);
``max proc MB`` is the largest single-process peak RSS from ``getrusage``
(exact, not sampled).

``--sizes`` repeats everything for several corpus sizes: the synthetic generator
(``benchmarks/synthetic.py``) at each size, or the ``--corpus`` file cut or
replicated (copies get fresh ids and dates shifted by whole years) to reach it.

Results are printed as a table and written as JSON (default
``benchmarks/results/index-<corpus>.json``; the folder is git-ignored); with
matplotlib installed (``pip install '.[bench]'``) a PNG chart of docs/s against
processes and against corpus size goes next to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CONFIGS = ("baseline", "no-entities", "full")
SAMPLE_SECONDS = 0.1
PSS_EVERY = 10  # samples
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


# -- corpus preparation --------------------------------------------------------


def _text_bytes(record: dict[str, Any]) -> int:
    return len((record.get("title") or "").encode()) + len((record.get("body") or "").encode())


def _shift_years(value: str, years: int) -> str:
    when = dt.datetime.fromisoformat(value)
    try:
        when = when.replace(year=when.year + years)
    except ValueError:  # 29 February
        when = when.replace(year=when.year + years, day=28)
    return when.isoformat().replace("+00:00", "Z")


def prepare_corpus(source: Path | None, size: int | None, dest: Path, seed: int) -> tuple[int, int]:
    """Write the corpus to ``dest`` (JSONL), streaming; returns (articles, text bytes).

    ``source`` None: ``size`` synthetic articles. Otherwise the first ``size``
    records of ``source`` (all when ``size`` is None), replicated with fresh
    ids and dates shifted by whole years when the file has fewer.
    """
    if source is None:
        sys.path.insert(0, str(HERE))
        from synthetic import write_jsonl

        return write_jsonl(dest, size or 10_000, seed)
    count = text = 0
    with dest.open("w", encoding="utf-8") as out:
        copy = 0
        while size is None or count < size:
            with source.open(encoding="utf-8") as lines:
                for line in lines:
                    if size is not None and count >= size:
                        break
                    if not line.strip():
                        continue
                    if copy:
                        record = json.loads(line)
                        record["id"] = f"{record.get('id', count)}~{copy}"
                        if record.get("published"):
                            record["published"] = _shift_years(record["published"], copy * 12)
                        line = json.dumps(record, ensure_ascii=False) + "\n"
                    else:
                        record = json.loads(line)
                    out.write(line if line.endswith("\n") else line + "\n")
                    count += 1
                    text += _text_bytes(record)
            copy += 1
            if size is None or count == 0:
                break
    return count, text


# -- the measured child process ----------------------------------------------------


def _child_baseline(corpus: Path, folder: Path) -> int:
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
    )
    ix = index.create_in(str(folder), schema)
    writer = ix.writer()
    count = 0
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            doc = {"id": str(record["id"]), "title": record.get("title") or "", "body": record.get("body") or ""}
            if record.get("published"):
                when = dt.datetime.fromisoformat(record["published"])
                doc["published"] = when.astimezone(dt.UTC).replace(tzinfo=None)
            writer.add_document(**doc)
            count += 1
    writer.commit()
    ix.close()
    return count


def _child_newsindex(corpus: Path, folder: Path, entities: str | None, procs: int, batch_size: int | None) -> int:
    from newsindex import Article, Index, read

    kwargs = {} if batch_size is None else {"batch_size": batch_size}
    with Index(folder, entities=entities, procs=procs) as ix:
        return ix.add((r for r in read([corpus]) if isinstance(r, Article)), **kwargs)


def child_main(spec: dict[str, Any]) -> None:
    """Index once as ``spec`` says; print one JSON line of measurements."""
    import warnings

    warnings.simplefilter("ignore")  # Whoosh 2.7.4's SyntaxWarnings
    sys.path.insert(0, str(ROOT))
    corpus, folder = Path(spec["corpus"]), Path(spec["folder"])
    # Import before the clock starts, as a long-running indexer would have.
    import whoosh.fields  # noqa: F401

    import newsindex  # noqa: F401

    start = time.perf_counter()
    if spec["config"] == "baseline":
        docs = _child_baseline(corpus, folder)
    else:
        entities = None if spec["config"] == "no-entities" else "bundled"
        docs = _child_newsindex(corpus, folder, entities, spec["procs"], spec.get("batch_size"))
    seconds = time.perf_counter() - start
    own_usage = resource.getrusage(resource.RUSAGE_SELF)
    workers_usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped pool workers
    own, workers = own_usage.ru_maxrss, workers_usage.ru_maxrss
    # CPU of the whole run, imports included (a few tenths of a second): the load
    # moves it less than wall time
    cpu = sum(u.ru_utime + u.ru_stime for u in (own_usage, workers_usage))
    index_bytes = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    measured = {"docs": docs, "seconds": seconds, "cpu_seconds": cpu, "index_bytes": index_bytes}
    print(json.dumps({**measured, "max_proc_kb": max(own, workers)}))


# -- the parent: run children, sample memory ------------------------------------------


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc; only ``root`` elsewhere)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return [root]
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


def _rss_kb(pid: int) -> int:
    """Resident set size of one process in KiB (cheap: /proc/PID/statm); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process in KiB (costly: walks its page tables); 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration in a fresh interpreter; its measurements plus sampled peak memory.

    The process tree is rescanned every second (pool workers live for the whole
    run), RSS sampled every 0.1 s and PSS every second, to keep the sampler's
    own CPU use (which competes with the workers) well under 1% of a core.
    """
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    peak_rss = peak_pss = 0
    pids: list[int] = []
    tick = 0
    while proc.poll() is None:
        if tick % PSS_EVERY == 0:
            pids = _tree(proc.pid)
            peak_pss = max(peak_pss, sum(_pss_kb(pid) for pid in pids))
        peak_rss = max(peak_rss, sum(_rss_kb(pid) for pid in pids))
        tick += 1
        time.sleep(SAMPLE_SECONDS)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{spec['config']} (procs {spec.get('procs')}) failed:\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = peak_rss / 1024
    result["peak_pss_mb"] = peak_pss / 1024
    result["max_proc_mb"] = result.pop("max_proc_kb") / 1024
    return result


def measure(corpus: Path, articles: int, text_bytes: int, args: argparse.Namespace, work: Path) -> list[dict]:
    """Every configuration on one corpus file, baseline first, ``args.repeat`` rounds.

    Each round's ratios are against that round's baseline: on the 2-core VM here
    plain Whoosh's own time moved between 28 and 58 s from one minute to the next,
    so only a baseline measured beside a run says anything about it.
    """
    rows = []
    runs = [("baseline", 1)] if "baseline" in args.configs else []
    runs += [(c, p) for c in CONFIGS[1:] if c in args.configs for p in args.procs]
    for rnd in range(1, args.repeat + 1):
        this_round = []
        for config, procs in runs:
            folder = work / f"index-{config}-{procs}"
            folder.mkdir()
            spec = {"config": config, "procs": procs, "corpus": str(corpus), "folder": str(folder)}
            if args.batch_size:
                spec["batch_size"] = args.batch_size
            print(f"  round {rnd}: {config:<12} procs {procs} …", end="", flush=True, file=sys.stderr)
            result = run_child(spec)
            shutil.rmtree(folder, ignore_errors=True)
            result.update(
                round=rnd,
                config=config,
                procs=procs if config != "baseline" else 1,
                articles=articles,
                text_mb=text_bytes / 1e6,
                docs_per_s=result["docs"] / result["seconds"],
                mb_per_s=text_bytes / 1e6 / result["seconds"],
            )
            print(f" {result['docs_per_s']:,.0f} docs/s", file=sys.stderr)
            this_round.append(result)
        base = next((r for r in this_round if r["config"] == "baseline"), None)
        for row in this_round:
            row["ratio"] = row["docs_per_s"] / base["docs_per_s"] if base else None
        rows += this_round
    return rows


def medians(rows: list[dict]) -> list[dict]:
    """One row per (size, config, procs): the median round by docs/s, with the median
    ratio and the range of the rounds' ratios."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["articles"], r["config"], r["procs"]), []).append(r)
    out = []
    for group in groups.values():
        row = dict(sorted(group, key=lambda r: r["docs_per_s"])[(len(group) - 1) // 2])
        ratios = sorted(r["ratio"] for r in group if r["ratio"] is not None)
        if ratios:
            row["ratio"] = statistics.median(ratios)
            row["ratio_range"] = (ratios[0], ratios[-1])
        row["rounds"] = len(group)
        out.append(row)
    return out


# -- output --------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    head = (
        f"{'round':>5} {'articles':>9} {'config':<12} {'procs':>5} {'docs':>8} {'seconds':>8} "
        f"{'docs/s':>8} {'MB/s':>6} {'cpu s':>6} "
        f"{'peak MB':>8} {'PSS MB':>7} {'max proc MB':>11} {'index MB':>8} {'ratio':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        lines.append(
            f"{r.get('round', 1):>5} {r['articles']:>9,} {r['config']:<12} {r['procs']:>5} {r['docs']:>8,} "
            f"{r['seconds']:>8.1f} {r['docs_per_s']:>8,.0f} {r['mb_per_s']:>6.2f} {r.get('cpu_seconds', 0):>6.1f} "
            f"{r['peak_rss_mb']:>8.0f} {r['peak_pss_mb']:>7.0f} "
            f"{r['max_proc_mb']:>11.0f} {r['index_bytes'] / 1e6:>8.1f} {ratio:>6}"
        )
    return "\n".join(lines)


def chart(rows: list[dict], path: Path, title: str) -> bool:
    """A PNG of docs/s against processes (largest size) and against corpus size (most processes)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = sorted({r["articles"] for r in rows})
    fig, (by_procs, by_size) = plt.subplots(1, 2, figsize=(11, 4.2))
    largest = [r for r in rows if r["articles"] == sizes[-1]]
    for config in CONFIGS:
        pts = sorted((r["procs"], r["docs_per_s"]) for r in largest if r["config"] == config)
        if not pts:
            continue
        if config == "baseline":
            by_procs.axhline(pts[0][1], color="grey", linestyle="--", label="plain Whoosh (1 process)")
        else:
            by_procs.plot(*zip(*pts), marker="o", label=f"newsindex {config}")
    by_procs.set(xlabel="processes", ylabel="docs/s", title=f"{sizes[-1]:,} articles")
    by_procs.set_xticks(sorted({r["procs"] for r in rows}))
    by_procs.set_ylim(bottom=0)
    by_procs.legend()
    for config in CONFIGS:
        mine = [r for r in rows if r["config"] == config]
        if not mine:
            continue
        most = max(r["procs"] for r in mine)
        pts = sorted((r["articles"], r["docs_per_s"]) for r in mine if r["procs"] == most)
        label = "plain Whoosh" if config == "baseline" else f"newsindex {config}, {most} procs"
        by_size.plot(*zip(*pts), marker="o", label=label)
    by_size.set(xlabel="articles", ylabel="docs/s", title="scaling with corpus size")
    if len(sizes) > 1:
        by_size.set_xscale("log")
    by_size.set_ylim(bottom=0)
    by_size.legend()
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# -- main ------------------------------------------------------------------------------


def _int_list(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, help="a JSONL corpus (default: the synthetic generator)")
    ap.add_argument("--articles", type=int, help="corpus size (default: 10,000 synthetic, or the whole file)")
    ap.add_argument("--sizes", type=_int_list, help="comma-separated corpus sizes, e.g. 1000,10000,100000")
    ap.add_argument("--procs", type=_int_list, help=f"comma-separated process counts (default: 1..{cores})")
    ap.add_argument(
        "--configs",
        type=lambda s: [c.strip() for c in s.split(",")],
        default=list(CONFIGS),
        help="comma-separated subset of baseline,no-entities,full (default: all)",
    )
    ap.add_argument("--batch-size", type=int, help="newsindex batch size (default: Index.add's)")
    ap.add_argument("--seed", type=int, default=0, help="synthetic generator seed")
    ap.add_argument(
        "--repeat", type=int, default=1, help="rounds of every configuration, taking turns (default 1): medians"
    )
    ap.add_argument("--output", type=Path, help="JSON results (default: benchmarks/results/index-<corpus>.json)")
    ap.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    ap.add_argument("--quick", action="store_true", help="a tiny run (smoke test): 400 synthetic articles, 2 processes")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    unknown = set(args.configs) - set(CONFIGS)
    if unknown:
        ap.error(f"unknown config(s): {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.quick:
        # One batch big enough for the parallel path, at 2 processes.
        args.articles = args.articles or 400
        args.procs = args.procs or [2]
        args.batch_size = args.batch_size or 400
    args.procs = sorted(set(args.procs or range(1, cores + 1)))
    args.sizes = args.sizes or [args.articles]  # [None]: the default size
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return 0
    name = args.corpus.stem if args.corpus else "synthetic"
    output = args.output or RESULTS / f"index-{name}.json"
    rows: list[dict] = []
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            corpus = work / "corpus.jsonl"
            articles, text_bytes = prepare_corpus(args.corpus, size, corpus, args.seed)
            print(f"{name}: {articles:,} articles, {text_bytes / 1e6:.1f} MB of text", file=sys.stderr)
            rows += measure(corpus, articles, text_bytes, args, work)
            corpus.unlink()
    print(table(rows))
    summary = medians(rows)
    if args.repeat > 1:
        print(f"\nmedians of {args.repeat} rounds (ratio: median, and the rounds' range):")
        for r in summary:
            if r.get("ratio_range"):
                low, high = r["ratio_range"]
                ratio = f"{r['ratio']:.2f}x ({low:.2f}x to {high:.2f}x)"
            else:
                ratio = "-"
            docs = f"{r['docs_per_s']:>8,.0f} docs/s"
            print(f"  {r['articles']:>9,} {r['config']:<12} procs {r['procs']}: {docs}  {ratio}")
    import whoosh

    report = {
        "corpus": str(args.corpus) if args.corpus else f"synthetic (seed {args.seed})",
        "started": started.isoformat(),
        "python": sys.version.split()[0],
        "whoosh": whoosh.versionstring(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "batch_size": args.batch_size,
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "repeat": args.repeat,
        "results": rows,
        "medians": summary,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {output}")
    if not args.no_chart:
        png = output.with_suffix(".png")
        if chart(summary, png, f"newsindex indexing: {report['corpus']}"):
            print(f"chart:   {png}")
        else:
            print("chart:   skipped (matplotlib is not installed: pip install '.[bench]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
