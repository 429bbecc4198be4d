"""Issue #12, item 7: wildcard and fuzzy terms cost a bounded amount of work per query."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq

from newsindex import Article, Index
from newsindex._whoosh.lexicon_search import Budget, BudgetExceeded, expand_term

LETTERS = "abcdeors"


def _whoosh_expansion(term: wq.MultiTerm, reader) -> set[str]:
    """What Whoosh's own expansion finds, segment by segment (the reference)."""
    found: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        for word in term._btexts(leaf):
            found.add(word.decode() if isinstance(word, bytes) else word)
    return found


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory):
    rng = random.Random(12)
    vocab = sorted({"".join(rng.choices(LETTERS, k=rng.randint(1, 7))) for _ in range(400)})
    articles = [Article(id=str(i), title="t", body=" ".join(rng.choices(vocab, k=30))) for i in range(90)]
    with Index(tmp_path_factory.mktemp("limits") / "ix", entities=None, procs=1) as ix:
        ix.add(articles, batch_size=30)  # three segments
        ix.delete("4")
        yield ix


patterns = st.text(alphabet=LETTERS + "*?", min_size=1, max_size=6).filter(lambda p: p.strip("*") != "")


@given(pattern=patterns)
def test_wildcards_expand_to_what_whoosh_finds(small_index, pattern):
    term = wq.Wildcard("body", pattern).normalize()
    if not isinstance(term, wq.MultiTerm):
        return  # a plain word
    reader = small_index._search().reader()
    assert expand_term(term, reader, 10**9, Budget(10**9, 10**9)) == _whoosh_expansion(term, reader)


@given(text=st.text(alphabet=LETTERS, min_size=1, max_size=6), maxdist=st.integers(1, 2), prefix=st.integers(0, 2))
def test_fuzzy_terms_expand_to_what_whoosh_finds(small_index, text, maxdist, prefix):
    term = wq.FuzzyTerm("body", text, maxdist=maxdist, prefixlength=min(prefix, len(text)))
    reader = small_index._search().reader()
    assert expand_term(term, reader, 10**9, Budget(10**9, 10**9)) == _whoosh_expansion(term, reader)


def test_the_budget_is_shared_by_all_terms_of_a_query(small_index):
    reader = small_index._search().reader()
    terms = [wq.Wildcard("body", f"*{c}*") for c in "abcde"]
    each = [len(expand_term(t, reader, 10**9, Budget(10**9, 10**9))) for t in terms]
    budget = Budget(words=sum(each) - 1, steps=10**9)
    for term in terms[:-1]:
        expand_term(term, reader, 10**9, budget)
    assert budget.words == sum(each[:-1])
    with pytest.raises(BudgetExceeded) as raised:
        expand_term(terms[-1], reader, 10**9, budget)
    assert raised.value.term is terms[-1] and raised.value.what == "match"


def test_examined_words_count_even_when_few_match(small_index):
    """A leading wildcard whose literal is common but whose pattern matches little
    still spends a step per candidate checked."""
    reader = small_index._search().reader()
    term = wq.Wildcard("body", "*a?z")  # "a" is common, "z" absent
    budget = Budget(10**9, 10**9)
    assert expand_term(term, reader, 10**9, budget) == set()
    assert budget.steps > 0
    with pytest.raises(BudgetExceeded, match="examine"):
        expand_term(term, reader, 10**9, Budget(10**9, budget.steps - 1))


# -- end to end --------------------------------------------------------------


@pytest.fixture(scope="module")
def wide_index(tmp_path_factory: pytest.TempPathFactory):
    """Twenty prefixes of 600 distinct words each, over three segments."""
    prefixes = [f"{a}{b}" for a in "bcdfg" for b in "aeio"]
    words = [f"{p}x{i:03d}" for p in prefixes for i in range(600)]
    random.Random(5).shuffle(words)
    articles = [Article(id=str(n), title="wide", body=" ".join(words[n::40])) for n in range(40)]
    with Index(tmp_path_factory.mktemp("wide") / "ix", entities=None, procs=1) as ix:
        ix.add(articles, batch_size=14)
        yield ix, prefixes


def test_the_words_of_all_terms_together_are_bounded(wide_index):
    """Probe: the limit applied per term only, so 500 OR'd wildcards ran for minutes.

    Each term here stays under the per-term limit; together they pass the
    query's budget, and the query is refused naming the term that passed it.
    """
    from newsindex import QueryError
    from newsindex._query import MAX_EXPANSIONS, MAX_QUERY_WORDS

    ix, prefixes = wide_index
    assert MAX_EXPANSIONS >= 600
    needed = MAX_QUERY_WORDS // 600 + 1
    assert needed <= len(prefixes)
    under = " OR ".join(f"body:{p}*" for p in prefixes[: needed - 1])
    assert ix.search(under).total == 40
    with pytest.raises(QueryError, match="together") as raised:
        ix.search(" OR ".join(f"body:{p}*" for p in prefixes[:needed]))
    assert f"{prefixes[needed - 1]}*" in str(raised.value)


def test_leading_wildcards_scan_the_merged_word_list(wide_index, monkeypatch: pytest.MonkeyPatch):
    """Probe: Whoosh matched a leading wildcard's regex against every word of every
    segment, read from disk (50 OR'd `*abq*` took 14 s). Now no segment is walked."""
    ix, prefixes = wide_index
    walks = []
    original = wq.PatternQuery._btexts

    def counted(self, reader):
        walks.append(self)
        return original(self, reader)

    monkeypatch.setattr(wq.PatternQuery, "_btexts", counted)
    total = ix.search(" OR ".join(f"body:*{p[1]}x00{d}" for p in prefixes[:5] for d in "12")).total
    assert total > 0 and walks == []


def test_parsing_is_linear_in_the_number_of_words(monkeypatch: pytest.MonkeyPatch):
    """Probe: every (title:w OR body:w) had the same hash in Whoosh, so removing
    duplicate clauses compared each with all others: 1,400 words took 3.8 s."""
    from whoosh.query import compound

    from newsindex._query import parse
    from newsindex._schema import build_schema

    comparisons = [0]
    original = compound.CompoundQuery.__eq__

    def counted(self, other):
        comparisons[0] += 1
        return original(self, other)

    monkeypatch.setattr(compound.CompoundQuery, "__eq__", counted)
    words = [f"w{i}x" for i in range(400)]
    q = parse(" ".join(words), build_schema())
    assert len(q.subqueries) == 400
    assert comparisons[0] < 4 * len(words), comparisons[0]


def test_did_you_mean_stops_at_its_budget(wide_index, monkeypatch: pytest.MonkeyPatch):
    """Suggestions for a query of many unknown words are skipped, not computed for seconds."""
    from newsindex import _searching

    ix, _ = wide_index
    assert ix.search("wyde").suggestion == "wide"
    monkeypatch.setattr(_searching, "MAX_SUGGEST_STEPS", 50)
    assert ix.search(" ".join(f"zq{i}zq" for i in range(40))).suggestion is None


def test_word_ranges_expand_as_whoosh_expands_them(small_index):
    """A range of words ("0:<0" searched id:<0) is a multi-term query too."""
    reader = small_index._search().reader()
    term = wq.TermRange("body", "b", "c", startexcl=False, endexcl=True)
    assert expand_term(term, reader, 10**9, Budget(10**9, 10**9)) == _whoosh_expansion(term, reader)
