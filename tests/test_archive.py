"""Sharded archives: layout, ids unique across shards, pruning, and results identical to one index."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from helpers import REUTERS, shared_file, utc

from newsindex import Archive, Article, Index, IndexFormatError, QueryError, read
from newsindex._archive import MANIFEST, UNDATED, shard_key, shard_span
from newsindex.cli import main


def _article(n: int, published: dt.datetime | None, body: str = "") -> Article:
    return Article(
        id=f"a{n}",
        title=f"story {n} about grain",
        body=body or f"grain exports and wheat prices, number {n}",
        published=published,
    )


def test_shard_keys_and_spans():
    when = utc(2023, 12, 31, 23, 59)
    assert [shard_key(when, by) for by in ("year", "month", "day")] == ["2023", "2023-12", "2023-12-31"]
    assert shard_key(None, "month") == UNDATED
    assert shard_span("2023-12") == (utc(2023, 12, 1), utc(2024, 1, 1))
    assert shard_span("2023") == (utc(2023, 1, 1), utc(2024, 1, 1))
    assert shard_span("2023-02-28") == (utc(2023, 2, 28), utc(2023, 3, 1))
    assert shard_span(UNDATED) is None


def test_articles_go_to_their_month_and_undated_ones_to_their_own_shard(tmp_path: Path):
    with Archive(tmp_path / "a", entities=None, procs=1) as archive:
        archive.add([_article(1, utc(2023, 1, 5)), _article(2, utc(2023, 2, 5)), _article(3, None)])
        stats = archive.stats()
        assert [(s.name, s.documents) for s in stats.shards] == [("2023-01", 1), ("2023-02", 1), (UNDATED, 1)]
        assert stats.documents == 3 and len(archive) == 3
        manifest = json.loads((tmp_path / "a" / MANIFEST).read_text())
        assert manifest["shard_by"] == "month"
        assert [s["documents"] for s in manifest["shards"]] == [1, 1, 1]
        assert manifest["shards"][0]["start"].startswith("2023-01-01")


def test_a_re_added_id_moves_between_shards_and_is_never_twice(tmp_path: Path):
    with Archive(tmp_path / "a", entities=None, procs=1) as archive:
        archive.add([_article(1, utc(2023, 1, 5)), _article(2, utc(2023, 1, 6))])
        archive.add([_article(1, utc(2023, 3, 5), body="moved to march")])
        archive.add([_article(2, None, body="now undated")])
        assert len(archive) == 2
        assert archive.search("grain").total == 2
        assert [(s.name, s.documents) for s in archive.stats().shards] == [
            ("2023-01", 0),
            ("2023-03", 1),
            (UNDATED, 1),
        ]
        moved = archive.get("a1")
        assert moved is not None and moved.body == "moved to march"
        assert archive.search('"moved to march"').total == 1


def test_a_repeated_id_within_one_batch_keeps_the_later_article(tmp_path: Path):
    with Archive(tmp_path / "a", entities=None, procs=1) as archive:
        archive.add([_article(1, utc(2023, 1, 5)), _article(1, utc(2023, 5, 5), body="later")])
        assert len(archive) == 1 and archive.get("a1").body == "later"  # type: ignore[union-attr]


def test_date_ranges_prune_shards(tmp_path: Path):
    with Archive(tmp_path / "a", entities=None, procs=1) as archive:
        archive.add([_article(n, utc(2023, n, 1)) for n in range(1, 7)] + [_article(9, None)])
        assert archive.search("grain published:2023-02").total == 1
        assert archive.last_searched == 1
        assert archive.search("grain published:[2023-02-15 TO 2023-04-01]").total == 2
        assert archive.last_searched == 3  # February to April; the end day is included
        assert archive.search("grain (published:2023-01 OR published:2023-06)").total == 2
        assert archive.last_searched == 2
        assert archive.search("grain -published:2023-01").total == 6
        assert archive.last_searched == 7  # a NOT rules nothing out
        assert archive.search("grain").total == 7 and archive.last_searched == 7


def test_delete_check_and_optimize(tmp_path: Path):
    with Archive(tmp_path / "a", entities=None, procs=1) as archive:
        archive.add([_article(n, utc(2023, n, 1)) for n in range(1, 4)])
        assert archive.delete("a2") and not archive.delete("a2")
        assert archive.get("a2") is None and len(archive) == 2
        archive.optimize()
        assert archive.check() == []
        assert [s.documents for s in archive.shards()] == [1, 0, 1]


def test_index_refuses_an_archive_and_archive_refuses_an_index(tmp_path: Path):
    Archive(tmp_path / "a", entities=None).close()
    with pytest.raises(IndexFormatError, match="Archive"):
        Index(tmp_path / "a")
    Index(tmp_path / "i", entities=None).close()
    with pytest.raises(IndexFormatError, match="plain index"):
        Archive(tmp_path / "i")


def test_an_archive_of_another_format_is_refused(tmp_path: Path):
    Archive(tmp_path / "a", entities=None).close()
    manifest = tmp_path / "a" / MANIFEST
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 99}))
    with pytest.raises(IndexFormatError, match="99"):
        Archive(tmp_path / "a")


def test_cli_builds_an_archive_and_stats_lists_its_shards(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    rows = [attrs.asdict(_article(n, utc(2023, 1 + n % 2, 3))) for n in range(4)]
    for row in rows:
        row["published"] = row["published"].isoformat()
    source.write_text("\n".join(json.dumps(r) for r in rows))
    archive = tmp_path / "arc"
    runner = CliRunner()
    done = runner.invoke(main, ["index", str(source), "--index", str(archive), "--shard-by", "year", "--no-entities"])
    assert done.exit_code == 0, done.output
    data = json.loads(runner.invoke(main, ["stats", "--index", str(archive), "--json"]).output)
    assert data["documents"] == 4 and [s["name"] for s in data["shards"]] == ["2023"]
    found = json.loads(runner.invoke(main, ["search", "grain", "--index", str(archive), "--json"]).output)
    assert found["total"] == 4
    # The archive keeps its own sharding; asking for another is an error, not a silent mix.
    clash = runner.invoke(main, ["index", str(source), "--index", str(archive), "--shard-by", "day", "--no-entities"])
    assert clash.exit_code == 2 and "sharded by year" in clash.output


# -- identical results: one index and an archive of the same articles -------------------------


# ≥30 queries: phrases, entity fields, date ranges (some prune shards), booleans,
# wildcards, fuzzy terms, a misspelling; each also sorted by date, on a later
# page, and with facets and a date histogram (see _variants).
QUERIES = [
    "oil",
    "oil prices",
    '"oil prices"',
    '"the company said"',
    '"interest rates" OR "money supply"',
    "trade -japan",
    "bank AND (interest OR rate) NOT dollar",
    "grain wheat corn",
    "title:profit",
    "title:oil^2 crude",
    "body:sanctions",
    "location:japan",
    "person:baker",
    "organization:opec",
    'org:"federal reserve"',
    "entity:brazil",
    "source:reuters cocoa",
    "published:1987-03",
    "published:1987-04 coffee",
    "published:[1987-03-15 TO 1987-04-10] tin",
    "published:>=1987-06-01 shares",
    "published:<1987-03-02",
    "published:[1987-10-19 TO 1987-10-20] stocks",
    "(published:1987-02 OR published:1987-10) dollar",
    "missil* OR weapon*",
    "trad*",
    "expor?",
    "petrolium~",
    "oli prise",
    "net profit loss",
    "acquisition merger -bank",
    "undated-marker",
    "moved-marker",
    "s* OR oil",  # refused by both: over 1,000 words (checked over all shards, not per shard)
]


def _variants(q: str) -> list[dict]:
    return [
        {"limit": 10},
        {"limit": 7, "page": 3},
        {"sort": "newest", "limit": 15, "page": 2},
        {"sort": "oldest", "limit": 5},
        {"limit": 5, "facets": ["person", "org", "location", "source", "published:day"]},
        {"limit": 3, "facets": ["published:week", "published:month"]},
    ]


def _corpus() -> list[list[Article]]:
    """Batches to add, in order: a sample of Reuters over five months, undated
    copies, then re-added ids (some moved to another month or to no date, some
    changed in place). Both the index and the archive get exactly these batches,
    so each deletes the same old copies: Whoosh counts deleted documents in
    statistics until a merge, and both then count the same ones."""
    articles = [r for r in read([shared_file(REUTERS)]) if isinstance(r, Article)][::7]
    undated = [
        attrs.evolve(a, id=f"undated-{a.id}", published=None, body=a.body + " undated-marker") for a in articles[:60]
    ]
    moved = [
        attrs.evolve(a, published=a.published + dt.timedelta(days=45), body=a.body + " moved-marker")  # type: ignore[operator]
        for a in articles[100:160]
    ]
    to_none = [attrs.evolve(a, published=None, body=a.body + " undated-marker") for a in articles[200:220]]
    in_place = [attrs.evolve(a, title=a.title + " revised") for a in articles[300:330]]
    return [articles, undated, moved + to_none + in_place]


def _assert_same(one: Index, other: Archive | Index, queries: list[str]) -> int:
    compared = 0
    for q in queries:
        for kw in _variants(q):
            try:
                expected = one.search(q, **kw)
            except QueryError as exc:
                with pytest.raises(QueryError) as refused:
                    other.search(q, **kw)
                assert str(refused.value) == str(exc), (q, kw)
                compared += 1
                continue
            got = other.search(q, **kw)
            assert got.total == expected.total, (q, kw)
            assert [(h.id, h.score) for h in got] == [(h.id, h.score) for h in expected], (q, kw)
            assert got == expected, (q, kw)  # snippets, highlights, facets, suggestion too
            compared += 1
    return compared


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    batches = _corpus()
    root = tmp_path_factory.mktemp("archive-equality")
    with Index(root / "one", procs=2) as one:
        for batch in batches:
            one.add(batch, batch_size=2000)
    with Archive(root / "arc", procs=2) as arc:
        for batch in batches:
            arc.add(batch, batch_size=2000)
    yield root, batches


@pytest.mark.slow
def test_archive_gives_exactly_the_results_of_one_index(built):
    root, batches = built
    with Index(root / "one", create=False) as one, Archive(root / "arc", create=False, threads=2) as arc:
        assert len(arc) == len(one) == len(batches[0]) + len(batches[1])
        final = {a.id: a for batch in batches for a in batch}
        months = sorted({shard_key(a.published, "month") for a in final.values()} - {UNDATED})
        assert len(months) >= 5
        assert [s.name for s in arc.stats().shards] == [*months, UNDATED]
        assert _assert_same(one, arc, QUERIES) >= 30 * 6
        arc.search("published:1987-04 coffee")
        assert arc.last_searched == 1  # pruned: one month of all the shards
        for article in batches[0][::97]:
            assert arc.similar(article.id) == one.similar(article.id)
            assert arc.get(article.id) == one.get(article.id)
        # Not vacuous: hits, ties, pages beyond the first, facets and suggestions were compared.
        assert one.search("oli prise").suggestion == arc.search("oli prise").suggestion is not None
        assert one.search("undated-marker").total == 80
        assert one.search("published:1987-03", limit=50).hits[-1].score == one.search("published:1987-03").hits[0].score


@pytest.mark.slow
def test_archive_built_and_searched_on_dask_gives_the_same_results(built, tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    root, batches = built
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        with Archive(tmp_path / "arc", procs=2) as arc:
            for batch in batches:
                arc.add(batch, batch_size=2000, dask=client)
        with (
            Index(root / "one", create=False) as one,
            Archive(tmp_path / "arc", create=False, dask=client) as on_dask,
        ):
            assert len(on_dask) == len(one)
            assert _assert_same(one, on_dask, QUERIES) >= 30 * 6
            for article in batches[0][::300]:
                assert on_dask.similar(article.id) == one.similar(article.id)


def test_dask_options_without_dask_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    Archive(tmp_path / "arc", entities=None).close()
    runner = CliRunner()
    source = str(tmp_path / "none.jsonl")
    for args in (["search", "grain"], ["similar", "a1"], ["index", source, "--shard-by", "month"]):
        result = runner.invoke(main, [*args, "--index", str(tmp_path / "arc"), "--dask", "local"])
        assert result.exit_code == 2 and "pip install 'newsindex[dask]'" in result.stderr, result.output
    # Everything else works without it.
    assert runner.invoke(main, ["search", "grain", "--index", str(tmp_path / "arc")]).exit_code == 0


def _write_batches(folder: Path, batches: list[list[Article]]) -> list[Path]:
    folder.mkdir()
    paths = []
    for n, batch in enumerate(batches):
        path = folder / f"batch{n}.jsonl"
        path.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in batch), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_archive_built_from_files_read_by_the_workers_gives_the_same_results(built, tmp_path: Path):
    root, batches = built
    paths = _write_batches(tmp_path / "in", batches)
    with Archive(tmp_path / "arc", procs=2) as arc:
        for path in paths:  # the batches the one index got, each split into byte ranges
            added = arc.add_files([path], part_bytes=300_000)
            assert added.rejected == 0
    with Index(root / "one", create=False) as one, Archive(tmp_path / "arc", create=False) as arc:
        assert len(arc) == len(one)
        assert _assert_same(one, arc, QUERIES) >= 30 * 6


@pytest.mark.slow
def test_archive_built_from_files_on_dask_gives_the_same_results(built, tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    root, batches = built
    paths = _write_batches(tmp_path / "in", batches)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        with Archive(tmp_path / "arc", procs=2) as arc:
            for path in paths:
                arc.add_files([path], dask=client, part_bytes=500_000)
        with Index(root / "one", create=False) as one, Archive(tmp_path / "arc", create=False) as arc:
            assert len(arc) == len(one)
            assert _assert_same(one, arc, QUERIES[::3]) >= 10 * 6


@pytest.mark.parametrize("procs", [1, 2])
def test_files_read_by_workers_replace_ids_across_shards_and_report_rejects_by_line(tmp_path: Path, procs: int):
    lines = []
    for i in range(300):
        lines.append(json.dumps({"id": f"f{i}", "title": f"grain story {i}", "published": f"2023-0{1 + i % 3}-05"}))
    lines[7] = "{broken"
    lines[250] = json.dumps({"id": "f250", "title": "bad", "published": "2023-13-45"})
    # Later copies of ids, in other shards: the later one wins, whatever the partitions.
    lines.append(json.dumps({"id": "f1", "title": "grain moved", "published": "2024-06-01"}))
    lines.append(json.dumps({"id": "f2", "title": "grain undated"}))
    lines.append(json.dumps({"id": "f3", "title": "grain first copy", "published": "2025-01-01"}))
    lines.append(json.dumps({"id": "f3", "title": "grain second copy", "published": "2025-02-01"}))
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    rejected: list = []
    with Archive(tmp_path / "arc", entities=None, procs=procs) as arc:
        added = arc.add_files([path, tmp_path / "missing.jsonl"], rejected=rejected.append, part_bytes=700)
        assert (added.read, added.rejected) == (305, 3)
        assert [(r.file, r.line) for r in rejected] == [
            (str(tmp_path / "missing.jsonl"), 0),
            (str(path), 8),
            (str(path), 251),
        ]
        assert len(arc) == 298 and arc.search("grain").total == 298
        assert arc.get("f1").title == "grain moved"  # type: ignore[union-attr]
        assert arc.get("f2").published is None  # type: ignore[union-attr]
        assert arc.get("f3").title == "grain second copy"  # type: ignore[union-attr]
        assert arc.search("grain published:2023").total == 298 - 3
        assert arc.check() == [] and not (tmp_path / "arc" / "staging").exists()
        # Re-running the same files changes nothing: every id replaces itself.
        arc.add_files([path], part_bytes=5000)
        assert len(arc) == 298 and arc.search("grain").total == 298


def test_wildcard_limits_are_checked_over_the_whole_archive_as_in_one_index(tmp_path: Path):
    """A wildcard matching more than 1,000 words in all but fewer in each shard is
    refused by the archive as by one index; so is a query whose terms together
    match more than the query budget only when the shards' words are added up."""
    from newsindex._query import MAX_EXPANSIONS
    from newsindex._whoosh import MAX_QUERY_WORDS

    per_month = 700  # words per prefix in each of two shards: 1,400 in all
    assert per_month < MAX_EXPANSIONS < 2 * per_month
    articles = []
    for month in (1, 2):
        for i in range(per_month):
            words = " ".join(f"{p}{month}x{i:04d}" for p in ("zqa", "zqb", "zqc"))
            articles.append(_article(month * 10_000 + i, utc(2023, month, 1 + i % 28), body=f"grain {words}"))
    with (
        Index(tmp_path / "one", entities=None, procs=1) as one,
        Archive(tmp_path / "arc", entities=None, procs=1) as arc,
    ):
        one.add(articles)
        arc.add(articles)
        assert len(arc.shards()) == 2
        for q in ("zqa*", "zqa* OR grain", "body:zqb?x*", "grain published:2023 zqc*"):
            with pytest.raises(QueryError) as expected:
                one.search(q)
            with pytest.raises(QueryError) as got:
                arc.search(q)
            assert str(got.value) == str(expected.value) and "more than 1,000 words" in str(got.value)
        # Three terms of 600 words each over the archive (300 per shard): 1,800 together, accepted by
        # both; five (3,000+) pass the query budget in both, though no shard alone passes it.
        three = " OR ".join(f"zq{p}1x0{d}*" for p in "abc" for d in "0")
        assert one.search(three) == arc.search(three)
        many = " OR ".join(f"body:zq{p}{m}x0*" for p in "abc" for m in "12")
        assert 6 * per_month > MAX_QUERY_WORDS
        with pytest.raises(QueryError) as expected:
            one.search(many)
        with pytest.raises(QueryError) as got:
            arc.search(many)
        assert str(got.value) == str(expected.value) and "together" in str(got.value)
        ok = "zqa1x00* OR zqb2x01*"  # 100 + 100 words: fine everywhere
        assert one.search(ok, limit=50) == arc.search(ok, limit=50) and arc.search(ok).total == 200
