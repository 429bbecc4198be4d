"""Issue #12, items 1, 2, 3 and 9: the command line never loses data it cannot account for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import Article, Index, NewsIndexError
from newsindex.cli import main


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _corpus(path: Path, n: int, prefix: str = "doc") -> Path:
    lines = [json.dumps({"id": f"{prefix}-{i}", "title": f"{prefix} {i}", "body": f"oil price {i}"}) for i in range(n)]
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _build(index: Path, n: int = 20, batch: int = 10) -> None:
    with Index(index, entities=None, procs=1) as ix:
        ix.add([Article(id=f"a{i}", title=f"title {i}", body="oil price") for i in range(n)], batch_size=batch)


def _listing(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}


# -- item 1: a folder with segments but no table of contents ---------------


def _without_toc(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    index = tmp_path / "index"
    _build(index)
    for toc in index.glob("_MAIN_*.toc"):
        toc.unlink()  # deleted by hand, a bad copy, a half-restored backup
    return index, _listing(index)


def test_indexing_into_a_folder_of_orphaned_segments_refuses_and_deletes_nothing(tmp_path: Path):
    """Probe: `newsindex index` into a folder whose TOC was lost exited 0, made a
    fresh index and deleted the old segment files."""
    index, before = _without_toc(tmp_path)
    assert any(name.endswith(".seg") for name in before)
    result = _invoke("index", str(_corpus(tmp_path / "more.jsonl", 3)), "--index", str(index), "--no-entities")
    assert result.exit_code == 2, result.output
    assert "table of contents" in result.stderr and "newsindex check" in result.stderr
    assert "Traceback" not in result.output
    assert _listing(index) == before


@pytest.mark.parametrize("command", [["search", "oil"], ["stats"], ["check"], ["delete", "a1"], ["optimize"]])
def test_every_command_names_the_missing_table_of_contents(tmp_path: Path, command: list[str]):
    """Probe: search, stats and check said "no index" for a folder full of segments."""
    index, before = _without_toc(tmp_path)
    result = _invoke(*command, "--index", str(index))
    assert result.exit_code != 0
    assert "table of contents" in result.stderr and "no index at" not in result.stderr
    assert _listing(index) == before


def test_the_library_refuses_too(tmp_path: Path):
    index, before = _without_toc(tmp_path)
    for create in (True, False):
        with pytest.raises(NewsIndexError, match="table of contents"):
            Index(index, create=create, entities=None)
    assert _listing(index) == before


def test_an_unreadable_table_of_contents_is_not_replaced(tmp_path: Path):
    index = tmp_path / "index"
    _build(index)
    (toc,) = index.glob("_MAIN_*.toc")
    toc.write_bytes(b"\x00" * toc.stat().st_size)
    before = _listing(index)
    result = _invoke("index", str(_corpus(tmp_path / "more.jsonl", 3)), "--index", str(index), "--no-entities")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert _listing(index) == before


# -- item 3: files the index did not create ---------------------------------


def test_files_the_index_did_not_create_survive_writes(tmp_path: Path):
    """Probe: notes.tmp, a build.tmp/ folder and MAIN_plan.txt in the index folder
    were deleted by the leftover clean-up."""
    index = tmp_path / "index"
    _build(index)
    (index / "notes.tmp").write_text("mine")
    (index / "build.tmp").mkdir()
    (index / "build.tmp" / "data").write_text("mine too")
    (index / "MAIN_plan.txt").write_text("and mine")
    (index / "_MAIN_plan.toc.draft").write_text("mine as well")
    assert (
        _invoke("index", str(_corpus(tmp_path / "c.jsonl", 5)), "--index", str(index), "--no-entities").exit_code == 0
    )
    assert _invoke("delete", "a1", "--index", str(index)).exit_code == 0
    assert _invoke("optimize", "--index", str(index)).exit_code == 0
    assert (index / "notes.tmp").read_text() == "mine"
    assert (index / "build.tmp" / "data").read_text() == "mine too"
    assert (index / "MAIN_plan.txt").read_text() == "and mine"
    assert (index / "_MAIN_plan.toc.draft").read_text() == "mine as well"


def test_no_index_is_created_in_a_folder_that_holds_other_files(tmp_path: Path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work")
    result = _invoke("index", str(_corpus(tmp_path / "c.jsonl", 3)), "--index", str(folder), "--no-entities")
    assert result.exit_code == 2, result.output
    assert "not empty" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]
    with pytest.raises(NewsIndexError, match="not empty"):
        Index(folder, entities=None)


def test_an_index_is_created_in_an_empty_or_new_folder(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "new" / "nested"):
        result = _invoke("index", str(_corpus(tmp_path / "c.jsonl", 3)), "--index", str(folder), "--no-entities")
        assert result.exit_code == 0, result.output
        with Index(folder, create=False, entities=None) as ix:
            assert len(ix) == 3


# -- item 2: --rejects never destroys an input -------------------------------


def _mixed(path: Path) -> Path:
    path.write_text('{"title": "good one"}\n{broken\n{"title": "good two"}\n')
    return path


def test_rejects_naming_the_input_is_refused(tmp_path: Path):
    """Probe: --rejects naming the input file emptied the input and reported "read 0"."""
    data = _mixed(tmp_path / "data.jsonl")
    before = data.read_bytes()
    result = _invoke("index", str(data), "--index", str(tmp_path / "ix"), "--no-entities", "--rejects", str(data))
    assert result.exit_code == 2, result.output
    assert "--rejects" in result.stderr and "input" in result.stderr
    assert data.read_bytes() == before


def test_rejects_naming_the_input_through_a_symlink_is_refused(tmp_path: Path):
    data = _mixed(tmp_path / "data.jsonl")
    before = data.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(data)
    for inputs, rejects in [([str(data)], link), ([str(link)], data), ([str(tmp_path)], tmp_path / "new.jsonl")]:
        result = _invoke("index", *inputs, "--index", str(tmp_path / "ix"), "--no-entities", "--rejects", str(rejects))
        assert result.exit_code == 2, (inputs, rejects, result.output)
        assert data.read_bytes() == before
    assert not (tmp_path / "new.jsonl").exists()


def test_rejects_never_follows_a_symlink_into_another_file(tmp_path: Path):
    data = _mixed(tmp_path / "data.jsonl")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "rejects.jsonl"
    link.symlink_to(precious)
    result = _invoke("index", str(data), "--index", str(tmp_path / "ix"), "--no-entities", "--rejects", str(link))
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.stderr
    assert precious.read_text() == "keep me"


def test_an_existing_rejects_file_is_kept_until_there_is_something_to_write(tmp_path: Path):
    clean = _corpus(tmp_path / "clean.jsonl", 3)
    rejects = tmp_path / "rejects.jsonl"
    rejects.write_text('{"line": 1, "reason": "from last run"}\n')
    result = _invoke("index", str(clean), "--index", str(tmp_path / "ix"), "--no-entities", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "from last run" in rejects.read_text()
    data = _mixed(tmp_path / "data.jsonl")
    result = _invoke("index", str(data), "--index", str(tmp_path / "ix"), "--no-entities", "--rejects", str(rejects))
    assert result.exit_code == 1
    assert [json.loads(line)["record"] for line in rejects.read_text().splitlines()] == ["{broken"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("rejects", ".rejects"))) == ["rejects.jsonl"]


# -- item 9: what a failure saved, and delete's lock timeout ----------------


def test_a_full_disk_says_how_many_articles_were_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Probe: the disk-full error said nothing of what was saved."""
    import errno

    from newsindex import _pipeline

    commits = []
    real_commit = _pipeline.commit

    def commit_then_fill(writer, segments, ids):
        if commits:
            raise OSError(errno.ENOSPC, "No space left on device")
        commits.append(len(ids))
        return real_commit(writer, segments, ids)

    monkeypatch.setattr(_pipeline, "commit", commit_then_fill)
    corpus = _corpus(tmp_path / "c.jsonl", 25)
    index = tmp_path / "ix"
    result = _invoke("index", str(corpus), "--index", str(index), "--no-entities", "--procs", "1", "--batch-size", "10")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "10 articles were committed" in result.stderr
    assert "Traceback" not in result.output
    monkeypatch.undo()
    with Index(index, create=False, entities=None) as ix:
        assert len(ix) == 10


def test_delete_takes_a_lock_timeout_and_exits_3(tmp_path: Path):
    """Probe: delete waited 120 s for a lock, with no --lock-timeout."""
    index = tmp_path / "ix"
    _build(index)
    with Index(index, create=False, entities=None) as holder:
        writer = holder._writer()  # holds the write lock
        try:
            result = _invoke("delete", "a1", "--index", str(index), "--lock-timeout", "0.2")
        finally:
            writer.cancel()
    assert result.exit_code == 3, result.output
    assert "lock" in result.stderr and "nothing was deleted" in result.stderr
    with Index(index, create=False, entities=None) as ix:
        assert ix.get("a1") is not None


def test_rejects_in_a_missing_folder_is_refused_before_indexing(tmp_path: Path):
    data = _mixed(tmp_path / "data.jsonl")
    index = tmp_path / "ix"
    rejects = tmp_path / "missing" / "rejects.jsonl"
    result = _invoke("index", str(data), "--index", str(index), "--no-entities", "--rejects", str(rejects))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not index.exists()
