"""Date ranges and facets answered from in-memory columns agree with a plain scan."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import utc
from hypothesis import given
from hypothesis import strategies as st
from whoosh import fields
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.util.times import datetime_to_long

from newsindex import Article, Index, QueryError
from newsindex._whoosh import DateRange, DocsMatcher

START = utc(2023, 1, 1)


def _when(i: int) -> dt.datetime | None:
    # Every seventh article is undated; the others spread over ~5 months, several a day.
    return None if i % 7 == 3 else START + dt.timedelta(hours=17 * i)


ARTICLES = [Article(id=f"n{i}", title=f"story {i}", body=f"word{i % 5} filler", published=_when(i)) for i in range(200)]
DELETED = {f"n{i}" for i in range(0, 200, 11)}


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("columns") / "index"
    with Index(path, entities=None, procs=1) as ix:
        ix.add(ARTICLES, batch_size=30)  # seven segments
        for article_id in DELETED:
            ix.delete(article_id)
    with Index(path, create=False) as ix:
        assert ix.stats().segments > 1
        yield ix


def _expected(lo: dt.datetime | None, hi: dt.datetime | None, word: str | None = None) -> int:
    return sum(
        1
        for i, a in enumerate(ARTICLES)
        if a.id not in DELETED
        and a.published is not None
        and (lo is None or a.published >= lo)
        and (hi is None or a.published < hi)
        and (word is None or f"word{i % 5}" == word)
    )


days = st.integers(min_value=-10, max_value=160).map(lambda n: START + dt.timedelta(days=n))


@given(lo=st.none() | days, hi=st.none() | days, word=st.none() | st.sampled_from(["word0", "word3"]))
def test_date_ranges_equal_a_scan(dated, lo, hi, word):
    first = lo.date().isoformat() if lo else ""
    last = (hi - dt.timedelta(days=1)).date().isoformat() if hi else ""  # the end day is inclusive
    text = f"published:[{first} TO {last}]".replace("[ ", "[").replace(" ]", "]") if lo or hi else "published:*"
    if word:
        text = f"{word} {text}"
    if lo and hi and hi <= lo:
        with pytest.raises(QueryError, match="before"):
            dated.search(text)
    else:
        assert dated.search(text).total == _expected(lo, hi, word)


def test_every_dated_article_and_no_undated_one(dated):
    assert dated.search("published:*").total == _expected(None, None)
    undated_live = sum(1 for a in ARTICLES if a.published is None and a.id not in DELETED)
    assert len(dated) - dated.search("published:*").total == undated_live


def test_negated_and_sorted_ranges(dated):
    march = (utc(2023, 3, 1), utc(2023, 4, 1))
    inside = dated.search("published:2023-03 filler", limit=500, sort="oldest")
    assert inside.total == _expected(*march)
    stamps = [hit.published for hit in inside]
    assert stamps == sorted(stamps) and all(march[0] <= s < march[1] for s in stamps)
    outside = dated.search("filler -published:2023-03").total
    assert outside == len(dated) - inside.total


def test_segments_without_a_date_column_fall_back_to_whoosh():
    # An index whose DATETIME field is not sortable (as before columns existed).
    schema = fields.Schema(id=fields.ID(stored=True), published=fields.DATETIME())
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for i in range(30):
            w.add_document(id=str(i), published=dt.datetime(2023, 1, 1 + i))
    q = DateRange("published", datetime_to_long(dt.datetime(2023, 1, 5)), datetime_to_long(dt.datetime(2023, 1, 10)))
    with ix.searcher() as s:
        assert not s.reader().has_column("published")
        assert sorted(int(s.stored_fields(d)["id"]) for d in s.docs_for_query(q)) == [4, 5, 6, 7, 8, 9]


def test_date_ranges_compare_by_value():
    a, b = DateRange("published", 1, 5), DateRange("published", 1, 5)
    assert a == b and hash(a) == hash(b) and a != DateRange("published", 1, 6)
    assert a != wq.NumericRange("published", 1, 5)


@given(ids=st.lists(st.integers(0, 500), unique=True).map(sorted), targets=st.lists(st.integers(0, 520)).map(sorted))
def test_docs_matcher_skips_like_a_list(ids, targets):
    m = DocsMatcher(ids)
    for target in targets:
        if not m.is_active():
            break
        m.skip_to(target)
        remaining = [i for i in ids if i >= target]
        assert m.is_active() == bool(remaining)
        if remaining:
            assert m.id() == remaining[0]


# -- word lists for fuzzy terms and "did you mean" ----------------------------

LETTERS = "abcde"


@pytest.fixture(scope="module")
def lexicon_reader():
    import random

    rng = random.Random(3)
    schema = fields.Schema(body=fields.TEXT())
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for _ in range(300):
            words = ["".join(rng.choices(LETTERS, k=rng.randint(1, 6))) for _ in range(8)]
            w.add_document(body=" ".join(words))
    reader = ix.reader()
    yield reader
    reader.close()


@given(text=st.text(LETTERS, min_size=1, max_size=7), maxdist=st.integers(0, 2), prefix=st.integers(0, 2))
def test_in_memory_word_lists_find_what_whoosh_finds(lexicon_reader, text, maxdist, prefix):
    from newsindex._whoosh.columns import terms_within

    ours = set(terms_within(lexicon_reader, "body", text, maxdist, prefix))
    whoosh = lexicon_reader.terms_within("body", text, maxdist, prefix=min(prefix, len(text)))
    theirs = {t.decode() if isinstance(t, bytes) else t for t in whoosh}
    assert ours == theirs


def test_word_lists_stay_within_their_budget(lexicon_reader, monkeypatch):
    from newsindex._whoosh import columns

    size = len(list(lexicon_reader.lexicon("body")))
    lists = columns._WordLists(budget=size * 4)
    monkeypatch.setattr(columns, "_word_lists", lists)
    assert columns.lexicon(lexicon_reader, "body") is not None and lists.words == size
    for n in range(5):  # five more lists of the same size: the oldest fall out
        lists.put((f"other{n}", "body"), ["w"] * size)
    assert lists.words <= lists.budget and ("other4", "body") in lists.lists
    small = columns._WordLists(budget=size)  # one segment may not take more than a quarter
    monkeypatch.setattr(columns, "_word_lists", small)
    assert columns.lexicon(lexicon_reader, "body") is None
    whoosh = lexicon_reader.terms_within("body", "abc", 1)
    assert set(columns.terms_within(lexicon_reader, "body", "abc", 1)) == {
        t.decode() if isinstance(t, bytes) else t for t in whoosh
    }


def test_indexes_whose_segments_share_an_id_do_not_share_caches(tmp_path):
    # Whoosh draws segment ids from the global random module; after the same
    # random.seed() two indexes get the same ids (Hypothesis seeds it, too).
    import random

    built = []
    for name, month in (("a", 1), ("b", 6)):
        random.seed(0)
        ix = Index(tmp_path / name, entities=None, procs=1)
        ix.add([Article(id=f"{name}{i}", title="t", body="b", published=utc(2023, month, 1 + i)) for i in range(month)])
        built.append(ix)
    a, b = built
    assert [s.segment_id() for s in a._ix._segments()] == [s.segment_id() for s in b._ix._segments()]
    assert a.search("published:2023-01", facets=["published:month"]).total == 1
    results = b.search("published:2023", facets=["published:month"])
    assert results.total == 6 and [(f.value, f.count) for f in results.facets["published"]] == [("2023-06", 6)]
    assert b.search("published:2023-01").total == 0
    a.close()
    b.close()


def test_cached_columns_are_dropped_with_their_reader(tmp_path):
    import gc

    from newsindex._whoosh import columns

    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        ix.add([Article(id="x", title="t", body="refinery", published=utc(2023, 1, 1))])
        ix.search("published:2023 refinry~", facets=["person"])
        ((leaf, _),) = ix._search().reader().leaf_readers()
        owner = leaf._newsindex_key
        assert any(entry[0] == owner for entry in columns._cache)
        assert any(entry[0] == owner for entry in columns._word_lists.lists)
        del leaf
    gc.collect()
    assert not any(entry[0] == owner for entry in columns._cache)
    assert not any(entry[0] == owner for entry in columns._word_lists.lists)


def test_docs_matcher_scores_weight_times_boost_even_when_zero():
    assert DocsMatcher([1, 2], boost=0.0).score() == 0.0
    m = DocsMatcher([1, 2], boost=2.0, weights=[2.0, 3.0])
    scores = []
    while m.is_active():
        scores.append(m.score())
        m.next()
    assert scores == [4.0, 6.0]
