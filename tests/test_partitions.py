"""Input split into partitions that workers read themselves, and Parquet input."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import utc

from newsindex import Article, Index, Rejection, read
from newsindex._readers import Partition, partitions, read_piece
from newsindex.cli import main


def _records(parts: list) -> list:
    """Every record of the partitions, with line numbers made file-wide as the archive does."""
    out: list = []
    lines: dict[str, int] = {}
    for part in parts:
        assert isinstance(part, Partition)
        for piece in part.pieces:
            counted = [0]
            before = lines.get(piece.path, 0)
            for record in read_piece(piece, counted):
                if isinstance(record, Rejection) and piece.stop != -1 and not piece.path.endswith(".parquet"):
                    record = Rejection(record.file, record.line + before, record.reason, record.raw)
                out.append(record)
            if piece.stop != -1:
                lines[piece.path] = before + counted[0]
    return out


def _jsonl(path: Path, n: int) -> None:
    lines = []
    for i in range(n):
        if i % 37 == 5:
            lines.append("{broken json")
        elif i % 53 == 7:
            lines.append("")  # blank lines count as lines
        elif i % 41 == 3:
            lines.append(json.dumps({"id": f"x{i}", "title": "bad date", "published": "2023-13-45"}))
        else:
            body = "wheat " * (i % 17) + "é" * (i % 5)  # multi-byte characters near the cuts
            lines.append(json.dumps({"id": f"x{i}", "title": f"story {i}", "body": body}, ensure_ascii=False))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("part_bytes", [1, 97, 1000, 10_000, 1 << 30])
def test_jsonl_split_at_any_byte_reads_exactly_what_one_reader_reads(tmp_path: Path, part_bytes: int):
    path = tmp_path / "in.jsonl"
    _jsonl(path, 400)
    expected = list(read([path]))
    parts = list(partitions([path], part_bytes))
    assert all(isinstance(p, Partition) for p in parts)
    if part_bytes < 10_000:
        assert len(parts) > 3  # really split
    got = _records(parts)
    assert [(type(r), getattr(r, "id", None), getattr(r, "line", None)) for r in got] == [
        (type(r), getattr(r, "id", None), getattr(r, "line", None)) for r in expected
    ]
    assert [str(r) for r in got if isinstance(r, Rejection)] == [str(r) for r in expected if isinstance(r, Rejection)]


def test_small_files_share_a_partition_and_missing_paths_are_rejections(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.jsonl").write_text(json.dumps({"id": f"s{i}", "title": "t"}) + "\n")
    (folder / "a.csv").write_text("id,title\nc1,one\n")
    found = list(partitions([folder, tmp_path / "nope.jsonl"], 1000))
    rejections = [r for r in found if isinstance(r, Rejection)]
    (part,) = [p for p in found if isinstance(p, Partition)]
    assert [r.reason for r in rejections] == ["no such file or folder"]
    assert len(part.pieces) == 6
    assert [r.id for r in _records([part])] == ["s0", "s1", "s2", "s3", "s4", "c1"]


def test_standard_input_cannot_be_partitioned(tmp_path: Path):
    from newsindex import NewsIndexError

    with pytest.raises(NewsIndexError, match="standard input"):
        list(partitions(["-"]))


# -- Parquet ---------------------------------------------------------------------------


def _parquet(path: Path, rows: list[dict], row_group_size: int) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)


def _rows(n: int) -> list[dict]:
    rows: list[dict] = []
    for i in range(n):
        row = {
            "id": f"p{i}",
            "headline": f"parquet story {i}",  # an alias, as in JSON
            "text": "grain wheat " * (1 + i % 3),
            "date": utc(2023, 1 + i % 12, 1 + i % 28) if i % 9 else None,
            "author": ["Ann Lee", "Bo Chan"] if i % 2 else None,
            "source": "wire",
        }
        if i % 25 == 4:
            row["text"], row["headline"], row["id"] = "", "", ""  # an empty article: rejected
        rows.append(row)
    return rows


def test_parquet_rows_read_like_json_with_bad_rows_numbered(tmp_path: Path):
    path = tmp_path / "news.parquet"
    rows = _rows(120)
    _parquet(path, rows, row_group_size=17)
    records = list(read([path]))
    assert len(records) == 120
    rejected = [r for r in records if isinstance(r, Rejection)]
    assert [r.line for r in rejected] == [i + 1 for i in range(120) if i % 25 == 4]
    assert all(r.file == str(path) and "empty article" in r.reason for r in rejected)
    first = records[1]
    assert isinstance(first, Article)
    as_json = Article.from_dict({**rows[1], "date": rows[1]["date"].isoformat()})
    assert first == as_json
    assert first.published == utc(2023, 2, 2) and first.authors == ("Ann Lee", "Bo Chan")
    assert records[0].published is None  # type: ignore[union-attr]


def test_parquet_dates_as_strings_and_naive_timestamps_parse_as_in_json(tmp_path: Path):
    path = tmp_path / "d.parquet"
    _parquet(
        path,
        [
            {"id": "a", "title": "x", "published": "Wed, 13 Sep 2023 10:00:00 +0900"},
            {"id": "b", "title": "y", "published": "not a date"},
        ],
        10,
    )
    a, b = list(read([path]))
    assert isinstance(a, Article) and a.published == dt.datetime(2023, 9, 13, 1, tzinfo=dt.UTC)
    assert isinstance(b, Rejection) and b.line == 2 and "unparseable date" in b.reason
    naive = tmp_path / "n.parquet"
    _parquet(naive, [{"id": "c", "title": "z", "published": dt.datetime(2023, 9, 13, 10)}], 10)
    (c,) = list(read([naive]))
    assert c.published == utc(2023, 9, 13, 10)  # type: ignore[union-attr]


def test_parquet_split_by_row_group_reads_what_one_reader_reads(tmp_path: Path):
    path = tmp_path / "news.parquet"
    _parquet(path, _rows(300), row_group_size=20)
    parts = list(partitions([path], 1))  # every row group its own partition
    assert len(parts) == 15
    got = _records(parts)
    expected = list(read([path]))
    assert [(type(r), getattr(r, "id", None), getattr(r, "line", None)) for r in got] == [
        (type(r), getattr(r, "id", None), getattr(r, "line", None)) for r in expected
    ]


def test_a_damaged_parquet_file_is_a_rejection_not_a_traceback(tmp_path: Path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    (rejection,) = list(read([path]))
    assert isinstance(rejection, Rejection) and "Parquet" in rejection.reason


def test_cli_indexes_parquet(tmp_path: Path):
    path = tmp_path / "news.parquet"
    _parquet(path, _rows(50), row_group_size=8)
    result = CliRunner().invoke(main, ["index", str(path), "--index", str(tmp_path / "ix"), "--no-entities"])
    assert result.exit_code == 1, result.output  # two empty rows rejected
    assert f"{path}:5: " in result.stderr and "read 50, indexed 48, rejected 2" in result.stderr
    with Index(tmp_path / "ix", create=False) as index:
        assert index.search("parquet").total == 48


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "news.parquet"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    for extra in ([], ["--shard-by", "month"]):
        result = CliRunner().invoke(main, ["index", str(tmp_path / "in"), "--index", str(tmp_path / "ix"), *extra])
        assert result.exit_code == 2, result.output
        assert "pip install 'newsindex[parquet]'" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("procs", [1, 2])
def test_an_archive_built_from_parquet_row_groups_holds_what_one_index_holds(tmp_path: Path, procs: int):
    from newsindex import Archive

    path = tmp_path / "news.parquet"
    rows = _rows(400)
    rows.append({**rows[10], "headline": "parquet story moved", "date": utc(2024, 5, 5)})  # a later copy of an id
    _parquet(path, rows, row_group_size=30)
    rejected: list[Rejection] = []
    with (
        Index(tmp_path / "one", entities=None, procs=1) as one,
        Archive(tmp_path / "arc", entities=None, procs=procs) as arc,
    ):
        one.add(r for r in read([path]) if isinstance(r, Article))
        added = arc.add_files([path], rejected=rejected.append, part_bytes=1)  # a row group per task
        assert (added.read, added.rejected) == (401, 16)
        assert [r.line for r in rejected] == [i + 1 for i in range(400) if i % 25 == 4]
        assert len(arc) == len(one) == 400 - 16
        assert arc.get("p10").title == "parquet story moved"  # type: ignore[union-attr]
        for q in ("parquet", "grain published:2023-03", "moved"):
            assert [h.id for h in arc.search(q, limit=500)] == [h.id for h in one.search(q, limit=500)]


def test_dask_workers_read_parquet_row_groups(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    from newsindex import Archive

    path = tmp_path / "news.parquet"
    _parquet(path, _rows(200), row_group_size=25)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
        Archive(tmp_path / "arc", entities=None) as arc,
    ):
        added = arc.add_files([path], dask=client, part_bytes=1)
        assert (added.read, added.indexed, added.rejected) == (200, 192, 8)
        assert arc.search("parquet").total == 192
