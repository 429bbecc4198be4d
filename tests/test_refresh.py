"""Searchers see other writers' commits, and reopen only the segments that changed."""

from __future__ import annotations

from pathlib import Path

from newsindex import Article, Index


def _articles(prefix: str, n: int) -> list[Article]:
    return [Article(id=f"{prefix}{i}", title=f"Wheat {prefix} {i}", body="wheat prices", persons=[]) for i in range(n)]


def _leaves(ix: Index) -> dict[str, object]:
    reader = ix._search().reader()
    return {r.segment().segment_id(): r for r, _ in reader.leaf_readers()}


def test_refresh_reuses_unchanged_segments_and_sees_every_change(tmp_path: Path):
    path = tmp_path / "ix"
    with Index(path, entities=None, procs=1) as writer:
        writer.add(_articles("a", 20))
        writer.add(_articles("b", 20))
        reader = Index(path, create=False)
        assert reader.search("wheat", facets=["person"]).total == 40
        before = _leaves(reader)
        assert len(before) == 2

        writer.add(_articles("c", 5))  # a new segment; the old two are unchanged
        assert reader.search("wheat").total == 45
        after = _leaves(reader)
        assert len(after) == 3
        assert all(after[segid] is r for segid, r in before.items())  # the same open readers

        assert writer.delete("a3")  # a deletion changes one old segment: only its reader is new
        assert reader.search("wheat").total == 44 and reader.get("a3") is None
        again = _leaves(reader)
        changed = [segid for segid, r in before.items() if again[segid] is not r]
        assert len(changed) == 1

        writer.optimize()
        assert reader.search("wheat").total == 44
        assert len(_leaves(reader)) == 1
        assert reader.search("wheat", facets=["person"]).total == 44
        reader.close()
