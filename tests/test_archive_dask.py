"""Building an archive on Dask when a worker is killed mid-build: whole shards only, and a re-run completes it."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from pathlib import Path

import pytest
from helpers import utc

from newsindex import Archive, Article


def _same(found: Article | None, article: Article) -> bool:
    return found is not None and (found.id, found.title, found.body, found.published) == (
        article.id,
        article.title,
        article.body,
        article.published,
    )


def _articles(n: int) -> list[Article]:
    words = "grain wheat oil crude bank rates trade tariff coffee cocoa tin gold shares profit".split()
    return [
        Article(
            id=f"k{i}",
            title=f"{words[i % len(words)]} report {i}",
            body=" ".join(words[(i * j) % len(words)] for j in range(1, 120)),
            published=utc(2023, 1 + i % 4, 1 + i % 28) if i % 10 else None,
        )
        for i in range(n)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("source", ["articles", "files"])
def test_a_killed_dask_worker_leaves_whole_shards_and_a_rerun_completes_the_archive(tmp_path: Path, source: str):
    """``articles``: the client reads and ships batches; ``files``: each worker
    reads its own partitions of a JSON Lines file (byte ranges)."""
    distributed = pytest.importorskip("distributed")
    dask = pytest.importorskip("dask")
    articles = _articles(1600)
    path = tmp_path / "arc"
    source_file = tmp_path / "in.jsonl"
    source_file.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in articles))

    def add(archive: Archive, client: object, progress: object = None) -> int:
        if source == "files":  # about 12 partitions, four running at once
            return archive.add_files([source_file], progress=progress, dask=client, part_bytes=100_000).indexed  # type: ignore[arg-type]
        return archive.add(articles, batch_size=400, progress=progress, dask=client)  # type: ignore[arg-type]

    committed = [0]
    first_batch_done = threading.Event()
    killed: list[int] = []

    def on_commit(n: int) -> None:
        committed[0] += n
        first_batch_done.set()

    def kill_a_worker_mid_task(pids: list[int]) -> None:
        # After the first commit, as soon as the next batch's tasks are writing.
        first_batch_done.wait(60)
        staging = path / "staging"
        for _ in range(6000):
            if staging.is_dir() and any(staging.iterdir()):
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            threading.Event().wait(0.005)

    # No retries: the killed worker's task fails the run (a retry elsewhere would hide it).
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = sorted(client.run(os.getpid).values())
        killer = threading.Thread(target=kill_a_worker_mid_task, args=(pids,))
        killer.start()
        failure: Exception | None = None
        with Archive(path, entities=None) as archive:
            try:
                add(archive, client, on_commit)
            except Exception as exc:  # the killed worker's task fails the run
                failure = exc
        killer.join()
        assert killed, "the worker was never killed mid-build"
        if failure is not None:
            assert re.search(r"(?i)kill|worker|died|lost", str(failure)), failure
            assert 0 < committed[0] < len(articles)
        else:
            # The kill landed after the worker's task had finished but before its result
            # was gathered: Dask recomputes a lost result elsewhere (allowed-failures counts
            # only tasks that fail while running), so the run completes. Seen on a loaded
            # 2-core machine; the guarantees below hold either way.
            assert committed[0] == len(articles)

        # The archive opens at its last commit: sound shards, exactly the committed articles.
        with Archive(path, create=False) as archive:
            assert archive.check() == []
            assert len(archive) == committed[0]
            assert sum(s.documents for s in archive.shards()) == committed[0]
            assert all(_same(archive.get(a.id), a) for a in articles[: committed[0]])

        # A re-run completes it: every article exactly once.
        client.wait_for_workers(2, timeout=60)
        with Archive(path, create=False) as archive:
            assert add(archive, client) == len(articles)
            assert len(archive) == len(articles)
            assert all(_same(archive.get(a.id), a) for a in articles)
            assert archive.search("grain").total == sum("grain" in (a.title + a.body) for a in articles)
            assert archive.check() == []
            assert not (path / "staging").exists()
