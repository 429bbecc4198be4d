"""Issue #12, item 5: a crafted index never runs code when it is opened or read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.index import TOC

from newsindex import Article, Index, NewsIndexError
from newsindex.cli import main


class _Payload:
    """Unpickles as a call to os.system, which leaves a marker file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _built(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    with Index(index, entities=None, procs=1) as ix:
        ix.add([Article(id=f"a{i}", title=f"oil {i}", body="oil price") for i in range(5)])
    return index


def _rewrite_toc(index: Path, *, schema=None, segments=None) -> None:
    """Write the index's table of contents again with a payload in it."""
    with Index(index, create=False, entities=None) as ix:
        toc = ix._ix._read_toc()
        storage = ix._ix.storage
    for old in index.glob("_MAIN_*.toc"):
        old.unlink()

    class Schema(type(toc.schema)):
        def __reduce__(self):
            return schema.__reduce__()

    crafted = toc.schema
    if schema is not None:
        crafted = Schema()
        crafted.__dict__.update(toc.schema.__dict__)
    TOC(crafted, toc.segments if segments is None else segments, toc.generation).write(storage, "MAIN")


def _poison_schema(tmp_path: Path, marker: Path) -> Path:
    index = _built(tmp_path)
    _rewrite_toc(index, schema=_Payload(marker))
    return index


def _poison_segments(tmp_path: Path, marker: Path) -> Path:
    index = _built(tmp_path)
    with Index(index, create=False, entities=None) as ix:
        segments = list(ix._ix._read_toc().segments)
    _rewrite_toc(index, segments=[*segments, _Payload(marker)])
    return index


def _poison_stored_fields(tmp_path: Path, marker: Path) -> Path:
    index = _built(tmp_path)
    with Index(index, create=False, entities=None) as ix:
        writer = ix._writer()
        writer.add_document(id="evil", title="oil", body="oil", _stored_title=_Payload(marker))
        writer.commit(merge=False)
    return index


POISONS = {"schema": _poison_schema, "segments": _poison_segments, "stored fields": _poison_stored_fields}
COMMANDS = [["stats"], ["check"], ["search", "oil"], ["show", "evil"], ["index", "-"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("poison", list(POISONS))
def test_a_crafted_index_runs_no_code(tmp_path: Path, poison: str, command: list[str]):
    """Probe: a pickle in the TOC, the segment list or stored fields ran code
    when stats, check, search or index opened the index."""
    marker = tmp_path / "pwned"
    index = POISONS[poison](tmp_path, marker)
    assert not marker.exists()
    result = CliRunner().invoke(
        main, [*command, "--index", str(index)], input='{"title": "new"}\n', catch_exceptions=False
    )
    assert not marker.exists(), "the crafted pickle ran"
    if command[0] == "check" or poison != "stored fields":  # only check and show read every stored field
        assert result.exit_code != 0
    if result.exit_code:
        assert "Traceback" not in result.output
        assert "os.system" in result.stderr or "posix.system" in result.stderr, result.stderr


@pytest.mark.parametrize("poison", list(POISONS))
def test_the_library_raises_a_news_index_error(tmp_path: Path, poison: str):
    marker = tmp_path / "pwned"
    index = POISONS[poison](tmp_path, marker)
    with pytest.raises(NewsIndexError, match="crafted"), Index(index, create=False, entities=None) as ix:
        ix.get("evil")
        [hit.title for hit in ix.search("oil", limit=20).hits]
    assert not marker.exists()


def test_a_sound_index_reads_as_before(tmp_path: Path):
    index = _built(tmp_path)
    with Index(index, create=False, entities=None) as ix:
        assert ix.check() == [] and len(ix) == 5
        assert ix.get("a1").title == "oil 1"
