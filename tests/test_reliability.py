"""Crash safety, concurrent writers, lock timeouts and hostile input, end to end."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

from newsindex import Article, Index

CMD = [sys.executable, "-m", "newsindex"]


def _corpus(path: Path, n: int, prefix: str = "doc") -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = f"Story {i} about markets, ministers and missiles in city{i % 17}. " * 6
            record = {
                "id": f"{prefix}-{i}",
                "title": f"{prefix} headline {i}",
                "body": body,
                "published": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
            out.write(json.dumps(record) + "\n")
    return path


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, **kwargs)


def _count(index: Path) -> int:
    with Index(index, create=False, entities=None) as ix:
        return len(ix)


@pytest.mark.slow
def test_killed_writers_leave_a_consistent_index_and_a_rerun_completes_it(tmp_path: Path):
    total, batch = 1500, 50
    corpus = _corpus(tmp_path / "corpus.jsonl", total)
    index = tmp_path / "index"
    rng = random.Random(20230913)
    args = [
        *CMD,
        "index",
        str(corpus),
        "--index",
        str(index),
        "--batch-size",
        str(batch),
        "--procs",
        "1",
        "--no-entities",
        "--json",
    ]
    previous = 0
    for _ in range(20):
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check = _run("check", "--index", str(index), "--json") if index.exists() else None
        if check is None or "no index" in check.stderr:
            continue  # killed before the index was created
        assert check.returncode == 0, check.stdout + check.stderr
        count = json.loads(check.stdout)["documents"]
        # Whole batches only: nothing partial is ever visible, and nothing committed is lost.
        assert count % batch == 0 or count == total, count
        assert count >= previous
        previous = count
    final = _run("index", str(corpus), "--index", str(index), "--batch-size", str(batch), "--no-entities")
    assert final.returncode == 0, final.stderr
    assert _count(index) == total
    assert not [p.name for p in index.iterdir() if p.name.endswith(".tmp") or ".toc." in p.name]


@pytest.mark.slow
def test_two_writers_at_once_both_finish_with_the_sum(tmp_path: Path):
    index = tmp_path / "index"
    first = _corpus(tmp_path / "a.jsonl", 600, "a")
    second = _corpus(tmp_path / "b.jsonl", 700, "b")
    procs = [
        subprocess.Popen(
            [*CMD, "index", str(path), "--index", str(index), "--batch-size", "50", "--procs", "1", "--no-entities"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (first, second)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert _count(index) == 1300


def test_a_writer_past_its_lock_timeout_exits_3_and_writes_nothing(tmp_path: Path):
    index = tmp_path / "index"
    with Index(index, entities=None) as ix:
        ix.add([Article(id="x", title="existing")])
        lock = ix._ix.lock("WRITELOCK")
        assert lock.acquire()
        try:
            result = _run(
                "index",
                str(_corpus(tmp_path / "c.jsonl", 10)),
                "--index",
                str(index),
                "--lock-timeout",
                "0.5",
                "--no-entities",
            )
        finally:
            lock.release()
    assert result.returncode == 3
    assert "lock" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(index) == 1


def test_readers_keep_a_consistent_snapshot_while_a_writer_commits(tmp_path: Path):
    with Index(tmp_path / "index", entities=None) as reader_side:
        reader_side.add([Article(id="a", title="first")])
        searcher = reader_side._ix.searcher()
        with Index(tmp_path / "index", entities=None) as writer_side:
            writer_side.add([Article(id=str(i), title="more") for i in range(30)])
        assert searcher.doc_count() == 1  # the snapshot it opened
        assert searcher.refresh().doc_count() == 31


def _hostile_lines() -> list[bytes]:
    good = [
        json.dumps({"id": f"good-{i}", "title": f"Good story {i}", "body": "Fine text."}).encode() for i in range(5)
    ]
    bad = [
        b"{not json",  # malformed JSON
        b'{"title": "truncated", "body": "no end',  # truncated record
        b'["an", "array"]',  # not an object
        b'"just a string"',  # not an object
        b"null",  # not an object
        b"42",  # not an object
        b'{"title": ["a", "list"]}',  # wrong type
        b'{"title": "t", "body": {"an": "object"}}',  # wrong type
        b'{"title": "t", "published": 20230913}',  # wrong type for a date
        b'{"title": "t", "published": "2023-02-30"}',  # impossible date
        b'{"title": "t", "published": "sometime soon"}',  # unparseable date
        b'{"title": "", "body": "   "}',  # empty article
        b'{"title": "bad \xff\xfe bytes"}',  # invalid UTF-8
        b'{"title": "nul \\u0000 inside"}',  # NUL byte
        json.dumps({"title": "huge", "body": "x" * 5_100_000}).encode(),  # absurd size
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting
        b'{"title": "t", "authors": 7}',  # wrong type for a list
        b'{"title": "t", "persons": {"Kim": 1}}',  # wrong type for names
    ]
    lines = []
    for i, record in enumerate(bad):
        lines.append(good[i % len(good)] if i < len(good) else None)
        lines.append(record)
    return [line for line in lines if line is not None]


def test_hostile_input_every_bad_record_reported_every_good_one_indexed(tmp_path: Path):
    lines = _hostile_lines()
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    good_lines = {n for n, line in enumerate(lines, 1) if line.startswith(b'{"id": "good-')}
    bad_lines = set(range(1, len(lines) + 1)) - good_lines
    assert len(bad_lines) >= 15
    rejects = tmp_path / "rejects.jsonl"
    result = _run("index", str(path), "--index", str(tmp_path / "index"), "--no-entities", "--rejects", str(rejects))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    reported = {int(line.split(":")[1]) for line in result.stderr.splitlines() if line.startswith(f"{path}:")}
    assert reported == bad_lines
    assert f"read {len(lines)}, indexed {len(good_lines)}, rejected {len(bad_lines)}" in result.stderr
    assert _count(tmp_path / "index") == len(good_lines)
    replay = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["line"] for r in replay) == sorted(bad_lines)


@pytest.mark.parametrize("damage", ["torn write", "zeroed half", "scrambled header"])
def test_check_reports_a_damaged_segment(tmp_path: Path, damage: str):
    index = tmp_path / "index"
    with Index(index, entities=None) as ix:
        ix.add([Article(id=str(i), title=f"story {i}", body=f"text {i} " * 50) for i in range(20)])
    segment = max((p for p in index.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)
    data = segment.read_bytes()
    half = len(data) // 2
    if damage == "torn write":
        data = data[:half]
    elif damage == "zeroed half":
        data = data[:half] + bytes(len(data) - half)
    else:
        data = random.Random(damage).randbytes(256) + data[256:]
    segment.write_bytes(data)
    result = _run("check", "--index", str(index))
    assert result.returncode == 1, result.stdout
    assert "damage" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("procs", [2])
def test_results_are_identical_with_one_or_many_processes(tmp_path: Path, procs: int, monkeypatch):
    from newsindex import _pipeline as pipeline

    monkeypatch.setattr(pipeline, "MIN_PARALLEL", 1)  # force the pool even for a small corpus
    corpus = _corpus(tmp_path / "corpus.jsonl", 120)
    articles = [Article.from_dict(json.loads(line)) for line in corpus.read_text().splitlines()]
    outcomes = []
    for n in (1, procs):
        with Index(tmp_path / f"index-{n}", procs=n) as ix:
            ix.add(articles, batch_size=40)
            outcomes.append(
                [
                    sorted((h.id, round(h.score, 6)) for h in ix.search(q, limit=200).hits)
                    for q in ("missiles", '"markets ministers"', "published:2023-03", "city3 OR city5", "headline")
                ]
            )
    assert outcomes[0] == outcomes[1]
    assert all(outcomes[0])
