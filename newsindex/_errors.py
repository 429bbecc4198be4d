"""Every error newsindex raises on purpose, in one family.

``except NewsIndexError`` catches all of them: a malformed query, an unusable
entity backend, a locked, missing, damaged or incompatible index, an unsafe pickle.
Errors about bad values also derive from :class:`ValueError`, so code written against
that keeps working.

>>> issubclass(QueryError, NewsIndexError) and issubclass(QueryError, ValueError)
True
"""

from __future__ import annotations

import pickle

import attrs

__all__ = [
    "DateError",
    "EntityModelError",
    "FolderNotEmptyError",
    "IndexDamagedError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "NewsIndexError",
    "QueryError",
    "UnsafePickleError",
]


class NewsIndexError(Exception):
    """Base class of every error newsindex raises on purpose."""


class IndexNotFoundError(NewsIndexError):
    """No index exists at the given path (and creating one was not asked for)."""


class IndexDamagedError(NewsIndexError):
    """A folder holds index files but no readable table of contents: nothing is changed in it."""


class FolderNotEmptyError(NewsIndexError):
    """A new index was to be created in a folder that holds files of its own."""


class IndexFormatError(NewsIndexError):
    """The index was written in another on-disk format than this newsindex reads; rebuild it."""


class IndexLockedError(NewsIndexError):
    """Another writer held the index's write lock for longer than the timeout."""


class EntityModelError(NewsIndexError):
    """An entity backend is unknown, or its model files are missing or unusable."""


class UnsafePickleError(NewsIndexError, pickle.UnpicklingError):
    """A pickle in an index file names something an index of ours never holds: nothing of it runs."""


class DateError(NewsIndexError, ValueError):
    """A date expression that names no period (``2023-02-30``, ``next tuesday``)."""


@attrs.define(slots=False)
class QueryError(NewsIndexError, ValueError):
    """A query that cannot be run: says what is wrong and, where known, where.

    ``position`` is the 0-based character offset in ``query``, or ``None``.

    >>> str(QueryError("unbalanced parenthesis", "(kim", 0))
    'unbalanced parenthesis (at character 1)'
    """

    message: str
    query: str = ""
    position: int | None = None

    def __str__(self) -> str:
        where = f" (at character {self.position + 1})" if self.position is not None else ""
        return f"{self.message}{where}"
