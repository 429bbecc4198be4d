"""Export of every match: Index.scan, `newsindex export`, and the round trip through `newsindex index`."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, utc

from newsindex import Article, Index, QueryError, read
from newsindex._export import EXPORT_FIELDS, parse_fields
from newsindex.cli import main


def _many(n: int) -> list[Article]:
    """``n`` small dated articles, every third about oil."""
    return [
        Article(
            id=f"a{i:05d}",
            title=f"Story {i}" + (" about oil" if i % 3 == 0 else ""),
            body=f"Body of story {i}. " + ("Crude oil prices rose." if i % 3 == 0 else "Wheat was steady."),
            published=utc(2020, 1 + i % 12, 1 + i % 28),
            source="wire",
            persons=[f"Person {i % 7}"],
            organizations=[],
            locations=["Ruritania"] if i % 2 else [],
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """3,300 articles: more than search's 1,000-hit page limit, so a scan must not cap."""
    ix = Index(tmp_path_factory.mktemp("big") / "index", entities=None, procs=1)
    ix.add(_many(3300))
    yield ix
    ix.close()


def test_scan_yields_every_match_with_no_cap(big: Index):
    total = big.search("oil").total
    assert total == 1100
    scan = big.scan("oil")
    assert len(scan) == total
    articles = list(scan)
    assert len(articles) == total and len({a.id for a in articles}) == total
    assert all(isinstance(a, Article) and "oil" in a.title for a in articles)


def test_scan_orders_and_selects_fields(big: Index):
    rows = list(big.scan("location:ruritania", sort="newest", fields="id,published,places"))
    assert len(rows) == big.search("location:ruritania").total == 1650
    assert set(rows[0]) == {"id", "published", "locations"}
    dates = [r["published"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    oldest = [a.published for a in big.scan("location:ruritania", sort="oldest")]
    assert oldest == sorted(oldest)


def test_scan_rejects_bad_queries_and_fields(big: Index):
    with pytest.raises(QueryError) as err:
        big.scan('"oil')
    assert err.value.position is not None
    with pytest.raises(QueryError):
        big.scan("oil", fields="id,colour")
    with pytest.raises(ValueError):
        big.scan("oil", sort="random")  # type: ignore[arg-type]


def test_scan_is_a_snapshot(tmp_path: Path):
    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        ix.add(_many(30))
        scan = ix.scan("story")
        ix.add([Article(id="late", title="A late story", body="Added during the scan.")])
        assert len(scan) == 30 and "late" not in {a.id for a in scan}
        assert ix.search("story").total == 31


def test_parse_fields_aliases_and_default():
    assert parse_fields(None) == EXPORT_FIELDS
    assert parse_fields("") == EXPORT_FIELDS
    assert parse_fields("ID, people ,orgs,date") == ("id", "persons", "organizations", "published")


HOSTILE = [
    Article(
        id="h1",
        title='Quotes "and", commas; semicolons',
        body='Line one.\nLine two, with "quotes".\r\n\nThird paragraph — unicode: Zürich, 東京.',
        published="2023-09-13T08:30:00+09:00",
        url="https://example.com/a?b=1,2",
        source="Wire, Inc.",
        authors=["Smith, John"],
        language="de",
        persons=["Kim Jong Un", "Vladimir Putin"],
        organizations=["United Nations"],
        locations=[],
    ),
    Article(id="h2", title="<script>alert(1)</script>", body="", persons=[], organizations=[], locations=[]),
]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_index_round_trips_every_field(tmp_path: Path, fmt: str):
    runner = CliRunner()
    src, dst, out = tmp_path / "src", tmp_path / "dst", tmp_path / f"all.{fmt}"
    with Index(src, entities=None, procs=1) as ix:
        ix.add(HOSTILE)
    result = runner.invoke(
        main, ["export", "id:h1 OR id:h2", "--index", str(src), "--format", fmt, "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "exported 2 articles" in result.stderr
    assert not out.with_name(out.name + ".part").exists()
    result = runner.invoke(main, ["index", str(out), "--index", str(dst), "--no-entities", "--procs", "1"])
    assert result.exit_code == 0, result.output
    with Index(src, create=False) as a, Index(dst, create=False) as b:
        for article in HOSTILE:
            assert b.get(article.id) == a.get(article.id)
        assert len(b) == len(a) == 2


def test_export_to_stdout_csv_has_a_header_and_chosen_fields(big: Index):
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["export", "oil", "--index", str(big.path), "--format", "csv", "--fields", "id,title"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "title"]
    assert len(rows) - 1 == big.search("oil").total


def test_export_errors_are_one_line_with_status_2(big: Index):
    runner = CliRunner()
    bad = runner.invoke(main, ["export", "(oil", "--index", str(big.path)])
    assert bad.exit_code == 2 and "bad query" in bad.stderr and "Traceback" not in bad.output
    field = runner.invoke(main, ["export", "oil", "--index", str(big.path), "--fields", "colour"])
    assert field.exit_code == 2 and "colour" in field.stderr


@pytest.mark.slow
def test_reuters_export_reindexes_to_the_same_totals(reuters_full, tmp_path: Path):
    """`newsindex export 'published:1987'` writes every Reuters story, and indexing the
    export answers the benchmark queries with the same totals."""
    ix, articles = reuters_full
    out = tmp_path / "reuters.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", "published:1987", "--index", str(ix.path), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(articles) == 21578
    assert {json.loads(line)["id"] for line in lines} == {a.id for a in articles}
    records = [r for r in read([out]) if isinstance(r, Article)]
    assert len(records) == len(lines)
    spec = importlib.util.spec_from_file_location("bench_query", ROOT / "benchmarks" / "bench_query.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    queries = bench.QUERIES
    with Index(tmp_path / "again", entities=None) as again:
        again.add(records)
        for q in queries:
            if "now" in q:
                continue  # relative dates: the clock differs, not the index
            assert again.search(q).total == ix.search(q).total, q


def test_export_shows_progress_on_request_and_writes_nothing_partial_on_error(big: Index, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "oil.jsonl"
    args = ["export", "oil", "--index", str(big.path), "-o", str(out), "--progress"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert "exporting" in result.stderr and "1100/1100" in result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1100
    bad = runner.invoke(main, ["export", "(oil", "--index", str(big.path), "-o", str(tmp_path / "bad.jsonl")])
    assert bad.exit_code == 2 and not (tmp_path / "bad.jsonl").exists()
    assert not (tmp_path / "bad.jsonl.part").exists()
