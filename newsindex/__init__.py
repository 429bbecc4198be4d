"""newsindex: search news by who, where and when.

Articles are tokenized with NLTK, their people, organizations and places are
extracted, and everything is indexed into an on-disk Whoosh index.

>>> from newsindex import Index, read
>>> with Index("news-index") as index:  # doctest: +SKIP
...     index.add(r for r in read(["seeds"]) if isinstance(r, Article))
...     for hit in index.search('"ballistic missiles" person:Putin'):
...         print(hit.title)
"""

from ._archive import Archive, ArchiveStats, FilesAdded, ShardInfo
from ._article import Article, parse_datetime
from ._builder import Q
from ._entities import Entity, extract_entities
from ._errors import (
    DateError,
    EntityModelError,
    FolderNotEmptyError,
    IndexDamagedError,
    IndexFormatError,
    IndexLockedError,
    IndexNotFoundError,
    NewsIndexError,
    QueryError,
    UnsafePickleError,
)
from ._facets import FacetCount
from ._index import Index, IndexStats, default_index_path
from ._readers import Rejection, read
from ._results import Hit, Results

__version__ = "0.1.0"

__all__ = [
    "Archive",
    "ArchiveStats",
    "Article",
    "DateError",
    "Entity",
    "EntityModelError",
    "FacetCount",
    "FilesAdded",
    "FolderNotEmptyError",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "NewsIndexError",
    "Q",
    "QueryError",
    "Rejection",
    "Results",
    "ShardInfo",
    "UnsafePickleError",
    "__version__",
    "default_index_path",
    "extract_entities",
    "parse_datetime",
    "read",
]

# Public objects say they live in the package itself, as httpx does, so reprs,
# tracebacks and docs show ``newsindex.Index`` rather than a private path.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj):
        _obj.__module__ = "newsindex"
del _name, _obj
