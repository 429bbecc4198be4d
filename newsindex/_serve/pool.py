"""A bounded pool of read-only :class:`Index` (or :class:`Archive`) objects, one per concurrent request.

An ``Index`` belongs to one thread at a time. Requests run in a thread pool,
so each borrows an ``Index`` for its duration and gives it back. Each keeps
its searcher between requests; ``Index._search()`` asks Whoosh whether a
newer commit exists (one small read of the folder) and reopens only the
segments that changed, so a writer's commits show up in the next request
without reopening the index per request. An archive's shards are refreshed
the same way, each on its own.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .._archive import Archive, is_archive
from .._index import Index

__all__ = ["Busy", "IndexPool"]


class Busy(Exception):
    """Every Index of the pool stayed in use past the wait."""


class IndexPool:
    """At most ``size`` open Index objects, created on demand and reused."""

    def __init__(self, path: Path, size: int = 2, wait: float = 30.0) -> None:
        self.path = path
        self.size = max(1, size)
        self.wait = wait
        self._free: queue.LifoQueue[Index | Archive] = queue.LifoQueue()
        self._open: list[Index | Archive] = []
        self._lock = threading.Lock()
        self.open_one().close()  # fail now, not at the first request, when there is no index

    def open_one(self) -> Index | Archive:
        """A fresh read-only Index (or Archive) of the folder (the caller closes it)."""
        if is_archive(self.path):
            return Archive(self.path, create=False, entities=None)
        return Index(self.path, create=False, entities=None)

    @contextmanager
    def borrow(self) -> Iterator[Index | Archive]:
        try:
            index = self._free.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = len(self._open) < self.size
                if grow:
                    index = self.open_one()
                    self._open.append(index)
            if not grow:
                try:
                    index = self._free.get(timeout=self.wait)
                except queue.Empty:
                    raise Busy("the server is busy; try again") from None
        try:
            yield index
        finally:
            self._free.put(index)

    def close(self) -> None:
        with self._lock:
            for index in self._open:
                index.close()
            self._open.clear()
