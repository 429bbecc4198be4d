"""The layer over Whoosh: the version it was written for, the only code using
Whoosh's private parts, the index format version, and one error family."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import whoosh
from helpers import ROOT

from newsindex import (
    Article,
    EntityModelError,
    Index,
    IndexFormatError,
    IndexLockedError,
    IndexNotFoundError,
    NewsIndexError,
    QueryError,
)
from newsindex._whoosh import FORMAT_VERSION, WHOOSH_VERSION
from newsindex._whoosh.writing import acquire_lock

PACKAGE = ROOT / "newsindex"


def test_the_layer_is_pinned_to_the_whoosh_it_was_written_for():
    # Every private name used in newsindex/_whoosh/ was read off this version.
    assert whoosh.versionstring() == WHOOSH_VERSION


def _private_names(tree: ast.AST) -> tuple[set[str], set[tuple[int, str]]]:
    """``_names`` a module defines, and the ``x._name`` attributes it reads (line, name)."""
    defined: set[str] = set()
    used: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.alias):
            defined.add(node.asname or node.name.rsplit(".", 1)[-1])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            defined.add(node.value)  # __slots__ entries
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            name = node.attr
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                used.add((node.lineno, name))
    return defined, used


def test_only_the_whoosh_layer_reads_private_attributes_it_did_not_define():
    modules = [p for p in PACKAGE.rglob("*.py") if "_whoosh" not in p.relative_to(PACKAGE).parts]
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in modules}
    ours: set[str] = set()
    for tree in trees.values():
        ours |= _private_names(tree)[0]
    strays = [
        f"{path.relative_to(ROOT)}:{line}: .{name}"
        for path, tree in trees.items()
        for line, name in sorted(_private_names(tree)[1])
        if name not in ours
    ]
    assert not strays, "private attributes of other code (Whoosh's?) used outside newsindex/_whoosh:\n" + "\n".join(
        strays
    )


def test_a_new_index_records_its_format_version(tmp_path: Path):
    with Index(tmp_path / "ix", entities=None):
        pass
    assert json.loads((tmp_path / "ix" / "newsindex.json").read_text()) == {"format": FORMAT_VERSION}


@pytest.mark.parametrize("marker", [None, {"format": FORMAT_VERSION - 1}, {"format": FORMAT_VERSION + 1}, "not json"])
def test_an_index_of_another_format_is_refused_with_a_rebuild_hint(tmp_path: Path, marker):
    path = tmp_path / "ix"
    with Index(path, entities=None) as ix:
        ix.add([Article(id="a", title="kept")])
    if marker is None:
        (path / "newsindex.json").unlink()  # as an index from before format versions
    else:
        (path / "newsindex.json").write_text(marker if isinstance(marker, str) else json.dumps(marker))
    with pytest.raises(IndexFormatError) as info:
        Index(path, create=False)
    message = str(info.value)
    assert "rebuild" in message.lower() and f"format {FORMAT_VERSION}" in message
    if isinstance(marker, dict):  # both versions named: v4 (a date trie, protocol-2 postings) or a newer one
        assert f"format {marker['format']}" in message
    with pytest.raises(IndexFormatError):
        Index(path)  # not even when asked to create: the folder holds an index


def test_except_newsindexerror_catches_everything_raised_on_purpose(tmp_path: Path):
    with pytest.raises(NewsIndexError) as bad_backend:
        Index(tmp_path / "a", entities="bogus")
    assert isinstance(bad_backend.value, EntityModelError)
    with pytest.raises(NewsIndexError) as missing:
        Index(tmp_path / "nowhere", create=False)
    assert isinstance(missing.value, IndexNotFoundError)
    with Index(tmp_path / "b", entities=None) as ix:
        with pytest.raises(NewsIndexError) as bad_query:
            ix.search('"unclosed')
        assert isinstance(bad_query.value, QueryError) and isinstance(bad_query.value, ValueError)
        lock = acquire_lock(ix._ix.storage, timeout=1)
        try:
            writer = Index(tmp_path / "b", entities=None, lock_timeout=0.2)
            with pytest.raises(NewsIndexError) as locked:
                writer.add([Article(id="x", title="waits")])
            assert isinstance(locked.value, IndexLockedError)
            writer.close()
        finally:
            lock.release()


def test_opening_an_index_to_search_does_not_load_the_entity_model(tmp_path: Path):
    from newsindex._entities import extractor

    with Index(tmp_path / "ix", entities=None) as ix:
        ix.add([Article(id="a", title="Kim meets Putin")])
    extractor._cached_extractor.cache_clear()
    with Index(tmp_path / "ix") as ix:  # entities="bundled" by default
        assert ix.search("kim").total == 1
        assert extractor._cached_extractor.cache_info().currsize == 0
        ix.add([Article(id="b", title="Summit", body="Russian President Vladimir Putin met Kim Jong Un in Moscow.")])
        assert extractor._cached_extractor.cache_info().currsize == 1
        assert ix.search("person:putin").total == 1
