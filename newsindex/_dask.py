"""Dask: building archive shards on a cluster's workers.

Optional: ``pip install 'newsindex[dask]'``. Only this module imports Dask,
and only when asked to, so every other path works without it.
"""

from __future__ import annotations

from typing import Any

from ._errors import NewsIndexError

__all__ = ["DASK_MISSING", "connect", "dask_runner"]

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
