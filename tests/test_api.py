"""The public API is exactly what __all__ says, and every name in it exists."""

from __future__ import annotations

import json
import subprocess
import sys

import newsindex

EXPECTED = {
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
}


def test_public_names_are_exactly_these():
    assert set(newsindex.__all__) == EXPECTED


def test_the_package_namespace_holds_exactly_the_public_names():
    # In a fresh interpreter: other tests import submodules such as newsindex.cli.
    # Implementation modules are private (_index, _query, …), as httpx's are.
    code = "import json, newsindex; print(json.dumps(sorted(n for n in vars(newsindex) if not n.startswith('_'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(json.loads(out)) | {"__version__"} == set(newsindex.__all__)


def test_every_public_name_exists_and_is_documented():
    for name in newsindex.__all__:
        obj = getattr(newsindex, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"


def test_public_names_claim_the_package_as_their_home():
    # As httpx does: reprs and docs say newsindex.Index, not newsindex._index.Index.
    for name in newsindex.__all__:
        obj = getattr(newsindex, name)
        if isinstance(obj, type) or callable(obj):
            assert obj.__module__ == "newsindex", name
