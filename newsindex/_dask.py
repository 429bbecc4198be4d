"""Dask: building archive shards on a cluster's workers.

Optional: ``pip install 'newsindex[dask]'``. Only this module imports Dask,
and only when asked to, so every other path works without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import NewsIndexError

__all__ = ["DASK_MISSING", "DaskShards", "connect", "dask_runner", "dask_submitter"]

DASK_MISSING = "--dask needs Dask's distributed scheduler: pip install 'newsindex[dask]'"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise NewsIndexError(DASK_MISSING) from None
    return distributed


def connect(address: str, workers: int = 2) -> tuple[Any, Any]:
    """``(client, cluster)`` for a scheduler address, or for ``"local"`` a new
    ``LocalCluster`` of ``workers`` single-threaded worker processes on this
    machine (``cluster`` is then to be closed after the client; else ``None``)."""
    distributed = _distributed()
    if address == "local":
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return distributed.Client(cluster), cluster
    try:
        return distributed.Client(address, timeout="10s"), None
    except (OSError, TimeoutError) as exc:
        raise NewsIndexError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def dask_runner(client: Any) -> Any:
    """Runs archive build tasks as Dask tasks, one per chunk, and waits for all.

    A task that fails, or whose worker dies more often than the scheduler
    allows, raises here: the batch is then not committed.
    """
    from ._archive import _build_task

    def run(tasks: list[Any]) -> list[Any]:
        futures = client.map(_build_task, tasks, pure=False)
        return list(client.gather(futures))

    return run


def dask_submitter(client: Any) -> tuple[Callable[[Any], Any], Callable[[], None]]:
    """``(submit, stop)`` for :meth:`Archive.add_files`: ``submit`` runs one
    partition task on the cluster (the worker reads the partition itself) and
    returns its future; ``stop`` cancels every task still running, after a
    failure (a task whose worker died is not retried unless the scheduler's
    ``allowed-failures`` allows it; the run then fails with every earlier
    commit whole)."""
    from ._archive import _partition_task

    futures: list[Any] = []

    def submit(task: Any) -> Any:
        future = client.submit(_partition_task, task, pure=False)
        futures.append(future)
        return future

    def stop() -> None:
        client.cancel([f for f in futures if not f.done()])

    return submit, stop


# -- searching: each shard open on one worker, searched there ---------------------

_open_shards: dict[str, Any] = {}  # on a worker: shard path -> its open searcher


def _searcher(path: str) -> Any:
    """This worker's searcher of a shard: opened once, refreshed when the shard changed."""
    from ._whoosh import DurableStorage

    searcher = _open_shards.get(path)
    searcher = DurableStorage(path).open_index().searcher() if searcher is None else searcher.refresh()
    _open_shards[path] = searcher
    return searcher


def _on_shard(path: str, name: str, *args: Any, **kw: Any) -> Any:
    from . import _searching

    functions: dict[str, Callable[..., Any]] = {
        "stats": _searching.shard_stats,
        "search": _searching.search_shard,
        "fetch": _searching.fetch_hits,
        "candidates": _searching.shard_candidates,
        "expansions": _searching.shard_expansions,
        "surface": _searching.shard_surface,
        "document": _searching.shard_document,
    }
    return functions[name](_searcher(path), *args, **kw)


def _fetch_on(jobs: list[tuple[str, Any, Any]]) -> list[Any]:
    return [_on_shard(path, "fetch", picks, words) for path, picks, words in jobs]


def _on_shards(paths: list[str], name: str, *args: Any, **kw: Any) -> list[Any]:
    return [_on_shard(path, name, *args, **kw) for path in paths]


class DaskShards:
    """Shards searched on Dask workers: shard ``i`` always on the same worker,
    which keeps it open between queries (the :class:`~newsindex._searching.Shards` protocol)."""

    def __init__(self, client: Any, paths: list[str], schema: Any) -> None:
        self.client, self.paths, self.schema = client, paths, schema
        # nthreads() asks the scheduler directly; scheduler_info() returns a cache that
        # the client's periodic refresh can replace, between fetch and return, with one
        # holding no workers (distributed 2026.8; seen once in CI).
        workers = sorted(client.nthreads())
        if not workers:
            raise NewsIndexError("the Dask cluster has no workers")
        self.homes = {path: workers[i % len(workers)] for i, path in enumerate(paths)}

    def __len__(self) -> int:
        return len(self.paths)

    def _run(self, which: list[int], name: str, *args: Any, **kw: Any) -> list[Any]:
        """``name`` on each shard of ``which``: one task per worker, for all its shards there."""
        by_worker: dict[str, list[str]] = {}
        for i in which:
            by_worker.setdefault(self.homes[self.paths[i]], []).append(self.paths[i])
        futures = {
            worker: self.client.submit(_on_shards, paths, name, *args, workers=[worker], pure=False, **kw)
            for worker, paths in by_worker.items()
        }
        found = {worker: iter(result) for worker, result in zip(futures, self.client.gather(list(futures.values())))}
        return [next(found[self.homes[self.paths[i]]]) for i in which]

    def stats(self, terms: set[tuple[str, bytes]], frequencies: bool = False) -> Any:
        from ._whoosh import GlobalStats

        total = GlobalStats()
        for one in self._run(list(range(len(self.paths))), "stats", terms, frequencies):
            total = total.merge(one)
        return total

    def search(self, which: Any, q: Any, stats: Any, **kw: Any) -> list[Any]:
        return self._run(list(which), "search", q, stats, **kw)

    def fetch(self, picks: Any) -> dict[int, list[Any]]:
        keys = list(picks)
        by_worker: dict[str, list[int]] = {}
        for i in keys:
            by_worker.setdefault(self.homes[self.paths[i]], []).append(i)
        futures = [
            self.client.submit(_fetch_on, [(self.paths[i], *picks[i]) for i in shard_ids], workers=[w], pure=False)
            for w, shard_ids in by_worker.items()
        ]
        out: dict[int, list[Any]] = {}
        for shard_ids, hits in zip(by_worker.values(), self.client.gather(futures), strict=True):
            out.update(zip(shard_ids, hits, strict=True))
        return out

    def candidates(self, field: str, term: str, distance: int, budget: Any) -> set[str] | None:
        # Each worker gets its own copy of the budget: the work is bounded per
        # worker, not summed over the cluster as in one process.
        out: set[str] = set()
        for found in self._run(list(range(len(self.paths))), "candidates", field, term, distance, budget):
            if found is None:
                return None
            out |= found
        return out

    def expansions(self, terms: Any, limit: int) -> list[Any]:
        return self._run(list(range(len(self.paths))), "expansions", terms, limit)

    def surface(self, field: str, term: str) -> str | None:
        found = [f for f in self._run(list(range(len(self.paths))), "surface", field, term) if f]
        return min(found)[1] if found else None

    def document(self, article_id: str) -> dict[str, Any] | None:
        for found in self._run(list(range(len(self.paths))), "document", article_id):
            if found is not None:
                return dict(found)
        return None
