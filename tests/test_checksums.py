"""Issue #12, item 4: damage to a segment file is an error naming the file, never a wrong answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import Article, Index, NewsIndexError
from newsindex.cli import main

BLOCK = 16 * 1024


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small index of one segment file of a few blocks."""
    path = tmp_path_factory.mktemp("sums") / "index"
    words = ["oil", "price", "bank", "rate", "crude", "wheat", "trade", "yen", "gold", "tax"]
    articles = [
        Article(
            id=f"a{i}",
            title=f"{words[i % 10]} report {i}",
            body=" ".join(words[(i * j) % 10] + str(j % 7) for j in range(120)),
            published=f"1987-0{1 + i % 9}-1{i % 9}",
        )
        for i in range(400)
    ]
    with Index(path, entities=None, procs=1) as ix:
        ix.add(articles)
    return path


def _segment_file(index: Path) -> Path:
    (seg,) = index.glob("MAIN_*.seg")
    return seg


def _blocks(pristine: Path) -> list[int]:
    size = _segment_file(pristine).stat().st_size
    assert size > 4 * BLOCK, size
    return list(range(0, size - BLOCK + 1, BLOCK))


def _zeroed_copy(pristine: Path, tmp_path: Path, offset: int) -> tuple[Path, Path]:
    index = tmp_path / "index"
    shutil.copytree(pristine, index)
    seg = _segment_file(index)
    with seg.open("r+b") as f:
        f.seek(offset)
        f.write(b"\0" * BLOCK)
    return index, seg


def test_check_finds_a_zeroed_block_anywhere(pristine: Path, tmp_path: Path):
    """Probe: a zeroed 16 KiB block could go unnoticed by `check` (exit 0)."""
    for n, offset in enumerate(_blocks(pristine)):
        index, seg = _zeroed_copy(pristine, tmp_path / str(n), offset)
        result = CliRunner().invoke(main, ["check", "--index", str(index)], catch_exceptions=False)
        assert result.exit_code == 1, (offset, result.output)
        assert seg.name in result.stderr and "checksum" in result.stderr, (offset, result.stderr)


def test_searching_a_damaged_segment_is_an_error_naming_the_file(pristine: Path, tmp_path: Path):
    """Probe: some queries on a zeroed block returned wrong totals, with exit 0."""
    with Index(pristine, create=False, entities=None) as ix:
        expected = {q: ix.search(q).total for q in ("oil", '"crude3 oil4"', "published:1987-03", "wh*")}
    for n, offset in enumerate(_blocks(pristine)):
        index, seg = _zeroed_copy(pristine, tmp_path / str(n), offset)
        for q, total in expected.items():
            try:
                with Index(index, create=False, entities=None) as ix:
                    got = ix.search(q).total
            except NewsIndexError as exc:
                assert seg.name in str(exc) and "newsindex check" in str(exc), str(exc)
            else:
                raise AssertionError(f"block at {offset}: {q!r} gave {got} (sound: {total}), no error")
        result = CliRunner().invoke(main, ["search", "oil", "--index", str(index)], catch_exceptions=False)
        assert result.exit_code != 0 and seg.name in result.stderr and "Traceback" not in result.output


def test_a_sound_index_is_verified_once_per_file(pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Verification reads each segment file once per process, not once per reader."""
    from newsindex._whoosh import checksums

    index = tmp_path / "index"
    shutil.copytree(pristine, index)
    verified: list[str] = []
    original = checksums._file_checksum

    def counted(path: Path) -> tuple[int, int]:
        verified.append(path.name)
        return original(path)

    monkeypatch.setattr(checksums, "_file_checksum", counted)
    with Index(index, create=False, entities=None) as ix:
        first = ix.search("oil").total
        ix.add([Article(id="new", title="oil news", body="oil")])  # a new segment
        assert ix.search("oil").total == first + 1
    with Index(index, create=False, entities=None) as ix:
        assert ix.search("oil").total == first + 1
    segment_files = sorted(p.name for p in index.glob("MAIN_*.seg"))
    assert sorted(set(verified)) == segment_files
    assert len(verified) == len(set(verified)), verified  # each file once


def test_every_file_of_every_segment_has_a_recorded_checksum(pristine: Path, tmp_path: Path):
    from newsindex._whoosh.checksums import recorded

    index = tmp_path / "index"
    shutil.copytree(pristine, index)
    with Index(index, create=False, entities=None) as ix:
        ix.add([Article(id="x", title="another", body="segment")])
        ix.delete("a3")
        for step in ("before", "after"):
            toc = ix._ix._read_toc()
            for segment in toc.segments:
                files = sorted(p.name for p in index.glob(f"{segment.segment_id()}.*"))
                assert files and sorted(recorded(segment)) == files, (step, segment.segment_id())
            ix.optimize()
