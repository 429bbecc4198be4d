from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex import Article, Index, IndexNotFoundError, QueryError


@pytest.mark.parametrize(
    "query",
    [
        '"ballistic missiles"',
        'person:"Kim Jong Un"',
        "person:Putin",
        'person:"Vladimir Putin"',
        "location:Russia",
        'org:"United Nations"',
        "published:[2023-09-01 TO 2023-09-30]",
        '"ballistic missiles" person:"Kim Jong Un" location:Russia published:[2023-09-01 TO 2023-09-30]',
    ],
)
def test_seed_is_found(seed_index, seed, query):
    results = seed_index.search(query)
    assert results.total == 1
    assert results.hits[0].id == seed.id


@pytest.mark.parametrize(
    "query",
    ["published:[2024-01-01 TO 2024-12-31]", '"missiles ballistic"', 'person:"Un Vladimir"', "location:Kim"],
)
def test_seed_is_not_found(seed_index, query):
    assert seed_index.search(query).total == 0


def test_hit_carries_fields_and_a_highlighted_snippet(seed_index, seed):
    hit = seed_index.search('"ballistic missiles"').hits[0]
    assert hit.title == seed.title
    assert hit.published == dt.datetime(2023, 9, 13, tzinfo=dt.UTC)
    assert hit.score > 0
    marked = [hit.snippet[s:e].lower() for s, e in hit.highlights]
    assert "ballistic" in marked and "missiles" in marked


def test_re_adding_an_id_replaces_it(index):
    index.add([Article(id="a", title="first version")])
    index.add([Article(id="a", title="second version"), Article(id="b", title="other")])
    assert len(index) == 2
    assert index.get("a").title == "second version"
    assert index.search("first").total == 0


def test_re_adding_replaces_ids_in_small_and_large_segments(tmp_path: Path):
    # Older copies are found per segment: a small segment's ids are read whole, a
    # large one's looked up one by one. Both ways, every id must be left once, newest.
    with Index(tmp_path / "ix", entities=None, procs=1) as index:
        index.add([Article(id=f"{k}", title=f"v0 {k}") for k in range(60)], batch_size=20)
        index.add([Article(id="7", title="v1 7"), Article(id="45", title="v1 45")])  # 2 ids, 20-doc segments
        index.add([Article(id="7", title="v2 7")])  # its copy in the 2-doc segment
        index.add([Article(id=f"{k}", title=f"v3 {k}") for k in range(0, 90, 3)], batch_size=50)  # 30 ids
        newest = {f"{k}": f"v0 {k}" for k in range(60)}
        newest |= {"7": "v2 7", "45": "v3 45"} | {f"{k}": f"v3 {k}" for k in range(0, 90, 3)}
        assert len(index) == len(newest) == 70
        assert {doc_id: index.get(doc_id).title for doc_id in newest} == newest
        for version, count in (("v0", 39), ("v1", 0), ("v2", 1), ("v3", 30)):
            assert index.search(version, limit=100).total == count


def test_a_repeated_id_within_one_batch_keeps_the_last(index):
    index.add([Article(id="a", title="first"), Article(id="a", title="second")], batch_size=10)
    assert len(index) == 1 and index.get("a").title == "second"


def test_get_round_trips_every_field(index):
    article = Article(
        id="x",
        title="T",
        body="B",
        published="2023-09-13T10:00:00Z",
        url="https://e.com",
        source="Wire",
        authors=["A One", "B Two"],
        language="en",
        persons=["Kim Jong Un"],
        organizations=[],
        locations=["Russia"],
    )
    index.add([article])
    assert index.get("x") == article
    assert index.get("missing") is None


def test_supplied_entities_win_over_extraction(index, seed):
    index.add([attrs.evolve(seed, persons=["Someone Else"])])
    assert index.search("person:Putin").total == 0
    assert index.search('person:"Someone Else"').total == 1
    assert index.search("location:Russia").total == 1  # not supplied: extracted


def test_delete(index):
    index.add([Article(id="a", title="alpha"), Article(id="b", title="beta")])
    assert index.delete("a") is True
    assert index.delete("a") is False
    assert [h.id for h in index.search("alpha OR beta").hits] == ["b"]


def test_sort_and_pagination(index):
    index.add(
        Article(id=str(i), title=f"story {i}", published=dt.datetime(2023, 1, 1 + i, tzinfo=dt.UTC)) for i in range(7)
    )
    newest = index.search("story", sort="newest", limit=3)
    assert newest.total == 7 and newest.pages == 3
    assert [h.id for h in newest] == ["6", "5", "4"]
    assert [h.id for h in index.search("story", sort="oldest", limit=3, page=3)] == ["6"]


def test_stats(index):
    index.add([Article(id="a", title="a", published="2023-09-13"), Article(id="b", title="b", published="2021-01-02")])
    stats = index.stats()
    assert stats.documents == 2 and stats.size_bytes > 0
    assert stats.oldest.date() == dt.date(2021, 1, 2) and stats.newest.date() == dt.date(2023, 9, 13)
    json.dumps(stats.to_dict())


def test_opening_a_missing_index_without_create_fails(tmp_path: Path):
    with pytest.raises(IndexNotFoundError):
        Index(tmp_path / "nothing", create=False)


def test_bad_query_raises_query_error(index):
    with pytest.raises(QueryError):
        index.search("published:[bogus TO 2023]")


def test_index_persists_across_opens(tmp_path: Path):
    with Index(tmp_path / "ix", entities=None) as ix:
        ix.add([Article(id="a", title="persistent")])
    with Index(tmp_path / "ix", create=False) as ix:
        assert ix.search("persistent").total == 1


def test_full_reuters_is_indexed(reuters_full):
    # The whole corpus, in CI: every article, and the year covers them all.
    ix, articles = reuters_full
    assert len(articles) == len(ix) == 21578
    assert ix.search("published:[1987-01-01 TO 1987-12-31]").total == 21578


def test_search_is_the_same_across_many_segments_and_after_optimize(tmp_path: Path):
    articles = [
        Article(
            id=str(i),
            title=f"report {i}",
            body=f"ballistic missiles test number {i} near city{i % 7}",
            published=dt.datetime(2023, 1 + i % 12, 1 + i % 28, tzinfo=dt.UTC),
        )
        for i in range(150)
    ]
    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        ix.add(articles, batch_size=10)
        assert ix.stats().segments == 15
        queries = ['"ballistic missiles"', "city3", "published:2023-05", "report -city1"]
        before = [sorted((h.id, round(h.score, 6)) for h in ix.search(q, limit=200).hits) for q in queries]
        ix.optimize()
        assert ix.stats().segments == 1
        after = [sorted((h.id, round(h.score, 6)) for h in ix.search(q, limit=200).hits) for q in queries]
    assert before == after
    assert [len(b) for b in before] == [
        150,
        sum(1 for i in range(150) if i % 7 == 3),
        sum(1 for i in range(150) if 1 + i % 12 == 5),
        sum(1 for i in range(150) if i % 7 != 1),
    ]


def test_check_passes_an_index_with_undated_articles(tmp_path: Path):
    # An undated article's column value is no date: reading it translated overflowed.
    with Index(tmp_path / "ix", entities=None) as ix:
        ix.add([Article(id="undated", title="no date"), Article(id="dated", title="a date", published="2023-01-01")])
        assert ix.check() == []


def test_parallel_indexing_starts_with_a_small_batch(tmp_path: Path) -> None:
    """Workers wait while a batch is read: the first one gives each only FIRST_SHARE
    articles, later ones are full; every article is indexed once."""
    from newsindex._pipeline import FIRST_SHARE, batches

    articles = [Article(id=str(i), title=f"report {i}", body=f"oil {i}") for i in range(2 * FIRST_SHARE + 700)]
    assert [len(b) for b in batches(articles, 1000, first=300)] == [300, 1000, 1000, 400]
    assert [len(b) for b in batches(articles, 1000)] == [1000, 1000, 700]
    sizes: list[int] = []
    with Index(tmp_path / "ix", entities=None, procs=2) as ix:
        assert ix.add(articles, batch_size=20_000, progress=sizes.append) == len(articles)
        assert sizes == [2 * FIRST_SHARE, 700]
        assert ix.stats().documents == len(articles)
        assert ix.search("oil", limit=1).total == len(articles)


@given(
    lengths=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=60),
    n=st.integers(min_value=1, max_value=5),
)
def test_workers_get_runs_of_equal_work_in_order(lengths: list[int], n: int) -> None:
    """A batch waits for its slowest worker: each run's estimated cost is within one
    article of an equal share, and the runs are the batch, in order, none empty."""
    from newsindex._pipeline import ARTICLE_COST, _chunks

    batch = [Article(id=str(i), body="x" * k) for i, k in enumerate(lengths)]
    runs = _chunks(batch, n)
    assert [a for run in runs for a in run] == batch
    assert all(runs) and len(runs) == min(n, len(batch))
    cost = [sum(len(a.body) + ARTICLE_COST for a in run) for run in runs]
    largest = max(k + ARTICLE_COST for k in lengths)
    assert all(abs(c - sum(cost) / n) <= largest for c in cost)
