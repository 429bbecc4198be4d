"""The exceptions newsindex raises for conditions a caller should handle."""

from __future__ import annotations

__all__ = ["IndexLockedError", "IndexNotFoundError", "NewsIndexError"]


class NewsIndexError(Exception):
    """Base class of newsindex's errors."""


class IndexNotFoundError(NewsIndexError):
    """No index exists at the given path (and creating one was not asked for)."""


class IndexLockedError(NewsIndexError):
    """Another writer held the index's write lock for longer than the timeout."""
