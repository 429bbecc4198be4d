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
    assert raised.value.term is terms[-1] and raised.value.what == "words matched"


def test_examined_words_count_even_when_few_match(small_index):
    """A leading wildcard whose literal is common but whose pattern matches little
    still spends a step per candidate checked."""
    reader = small_index._search().reader()
    term = wq.Wildcard("body", "*a?z")  # "a" is common, "z" absent
    budget = Budget(10**9, 10**9)
    assert expand_term(term, reader, 10**9, budget) == set()
    assert budget.steps > 0
    with pytest.raises(BudgetExceeded, match="words examined"):
        expand_term(term, reader, 10**9, Budget(10**9, budget.steps - 1))
