"""Our phrase matcher finds exactly the documents Whoosh's span matcher finds."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import fields
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from newsindex._whoosh.phrases import Phrase, chain_ends

VOCAB = ["oil", "price", "rate", "bank", "cut", "rise"]


def _brute(positions: list[list[int]], slop: int) -> list[int]:
    """Ends of chains p0 < p1 < ... with each step 1..slop, by trying every chain."""
    ends = set()

    def walk(i: int, last: int) -> None:
        if i == len(positions):
            ends.add(last)
            return
        for p in positions[i]:
            if 1 <= p - last <= slop:
                walk(i + 1, p)

    for p in positions[0]:
        walk(1, p)
    return sorted(ends)


positions = st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True).map(sorted)


@given(lists=st.lists(positions, min_size=1, max_size=4), slop=st.integers(1, 5))
def test_chain_ends_equal_brute_force(lists, slop):
    assert chain_ends(lists, slop) == _brute(lists, slop)


@pytest.fixture(scope="module")
def searcher():
    rng = random.Random(7)
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(phrase=True))
    ix = RamStorage().create_index(schema)
    for batch in range(3):  # three segments
        with ix.writer() as w:
            for i in range(150):
                w.add_document(id=f"{batch}-{i}", body=" ".join(rng.choices(VOCAB, k=rng.randint(1, 25))))
    with ix.searcher() as s:
        yield s


@given(
    words=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3),
    slop=st.integers(1, 4),
    boost=st.sampled_from([1.0, 2.5]),
)
def test_same_documents_and_scores_as_whoosh(searcher, words, slop, boost):
    ours = searcher.search(Phrase("body", words, slop=slop, boost=boost), limit=None)
    theirs = searcher.search(wq.Phrase("body", words, slop=slop, boost=boost), limit=None)
    assert {h.docnum: round(h.score, 6) for h in ours} == {h.docnum: round(h.score, 6) for h in theirs}


def test_a_missing_word_matches_nothing(searcher):
    assert list(searcher.docs_for_query(Phrase("body", ["oil", "absent"]))) == []


def test_spans_are_still_available(searcher):
    m = Phrase("body", ["oil", "price"]).matcher(searcher.leaf_searchers()[0][0])
    assert m.is_active()
    spans = m.spans()
    assert spans and all(span.end - span.start == 1 for span in spans)


def test_a_phrase_matches_its_stop_words_as_written(tmp_path):
    from newsindex import Article, Index, Q

    with Index(tmp_path / "ix", entities=None) as ix:
        ix.add(
            [
                Article(id="under", title="x", body="He tendered under the offer."),
                Article(id="of", title="y", body="A tender offer for the Bank of England."),
                Article(id="without", title="z", body="The bank England said no. An offer came."),
            ]
        )

        def ids(q: str | Q) -> list[str]:
            return sorted(h.id for h in ix.search(q))

        assert ids('"tender offer"') == ["of"]  # not "tendered under the offer"
        assert ids('"bank of england"') == ["of"]
        assert ids('"bank england"') == ["without"]
        assert ids('"the offer"') == ["under"]
        assert ids('"an offer"') == ["without"]
        assert ids(Q.phrase("bank of england")) == ["of"]
        assert ids("offer") == ["of", "under", "without"]
        assert ids('"tender offer"~4') == ["of", "under"]  # slop still reaches past the stop words
        assert ix.search("the").total == 0  # outside a phrase, stop words are still dropped
        marked = ix.search('"bank of england"').hits[0]
        assert [marked.snippet[s:e] for s, e in marked.highlights] == ["Bank", "of", "England"]
