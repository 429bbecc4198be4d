"""Smoke tests of the benchmark tools: the synthetic generator and bench_index.py --quick."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from itertools import islice
from pathlib import Path

from newsindex import Article, read

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic = _load("synthetic")


def test_generator_is_deterministic_and_streaming() -> None:
    stream = synthetic.generate(10**9, seed=7)  # a generator: nothing is built up front
    assert isinstance(stream, types.GeneratorType)
    first = list(islice(stream, 50))
    assert first == list(synthetic.generate(50, seed=7))
    assert first != list(synthetic.generate(50, seed=8))
    assert len({a["id"] for a in first}) == 50
    assert len({a["published"][:4] for a in first}) > 3  # dates spread over years
    for article in first:
        assert article["title"] and article["body"].count("\n\n") >= 2  # several paragraphs


def test_generated_jsonl_is_read_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    count, text_bytes = synthetic.write_jsonl(path, 40, seed=1)
    again = tmp_path / "again.jsonl"
    synthetic.write_jsonl(again, 40, seed=1)
    assert path.read_bytes() == again.read_bytes()
    records = list(read([path]))
    assert count == 40 and all(isinstance(r, Article) for r in records)
    assert text_bytes == sum(len(a.title.encode()) + len(a.body.encode()) for a in records)
    assert records[0].published.tzinfo is not None


def test_bench_index_quick_runs_end_to_end(tmp_path: Path) -> None:
    output = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_index.py"), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "docs/s" in done.stdout and str(output) in done.stdout
    report = json.loads(output.read_text())
    rows = {(r["config"], r["procs"]): r for r in report["results"]}
    assert set(rows) == {("baseline", 1), ("no-entities", 2), ("full", 2)}
    for row in rows.values():
        assert row["docs"] == row["articles"] == 400
        assert row["docs_per_s"] > 0 and row["mb_per_s"] > 0
        assert 0 < row["peak_pss_mb"] <= row["peak_rss_mb"] + 1
        assert row["cpu_seconds"] > 0
    assert rows["baseline", 1]["ratio"] == 1.0
    if importlib.util.find_spec("matplotlib"):
        assert output.with_suffix(".png").stat().st_size > 0


def test_bench_index_rounds_are_summarised_by_their_medians() -> None:
    """--repeat: each round's ratio is against its own baseline; the summary is the median
    round's docs/s, the median ratio and the rounds' range."""
    bench = _load("bench_index")
    rows = [
        {"articles": 10, "config": config, "procs": procs, "docs_per_s": speed, "ratio": ratio, "round": rnd}
        for rnd, base, full in ((1, 400, 600), (2, 300, 600), (3, 500, 700))
        for config, procs, speed, ratio in (("baseline", 1, base, 1.0), ("full", 2, full, full / base))
    ]
    summary = {r["config"]: r for r in bench.medians(rows)}
    assert summary["baseline"]["docs_per_s"] == 400 and summary["baseline"]["ratio"] == 1.0
    assert summary["full"]["docs_per_s"] == 600 and summary["full"]["rounds"] == 3
    assert summary["full"]["ratio"] == 1.5 and summary["full"]["ratio_range"] == (1.4, 2.0)


def test_bench_index_table_has_a_heading_over_every_value() -> None:
    bench = _load("bench_index")
    row = {
        "round": 2, "articles": 21578, "config": "full", "procs": 2, "docs": 21578, "seconds": 18.6,
        "docs_per_s": 1162.0, "mb_per_s": 0.9, "cpu_seconds": 36.4, "peak_rss_mb": 949.0, "peak_pss_mb": 859.0,
        "max_proc_mb": 430.0, "index_bytes": 49.6e6, "ratio": 1.37,
    }  # fmt: skip
    head, _, line = bench.table([row]).splitlines()
    # Columns are right-aligned: each heading ends where its value ends.
    ends = {head.index(name) + len(name) for name in ("seconds", "MB/s", "cpu s", "peak MB", "max proc MB", "ratio")}
    values = {"18.6", "0.90", "36.4", "949", "430", "1.37x"}
    assert {line.index(v) + len(v) for v in values} == ends


def test_query_benchmark_agrees_with_plain_whoosh(seed_index) -> None:
    bench = _load("bench_query")
    queries = ['"ballistic missiles"', 'person:"Kim Jong Un"', "published:2023-09", "missil*", "location:russia -trump"]
    report = bench.run(seed_index.path, repeat=1, queries=queries, now=bench.REUTERS_NOW)
    assert report["documents"] == 1
    assert report["search"]["totals"] == dict.fromkeys(queries, 1)
    assert report["total_differences"] == {}  # plain Whoosh's versions of the queries agree
    for label in ("plain Whoosh", "search", "search+facets"):
        assert 0 < report[label]["p50_ms"] <= report[label]["p95_ms"] <= report[label]["max_ms"]


def test_bench_stages_accounts_for_every_stage(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    synthetic.write_jsonl(corpus, 30, seed=3)
    report = _load("bench_stages").run(corpus, articles=25)
    assert report["articles"] == 25
    stages = report["stages"]
    assert list(stages) == [
        "read",
        "tokenize",
        "entities",
        "terms",
        "write segment",
        "commit",
    ]
    assert set(report["whoosh_writer"]) == {"write postings", "write stored", "finish segment"}
    assert all(row["s"] >= 0 for row in stages.values())
    assert abs(sum(row["share"] for row in stages.values()) - 1) < 0.01
