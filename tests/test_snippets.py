"""Snippets: passages chosen from the body, with exactly the matching words marked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsindex._analysis import index_terms
from newsindex._query import parse
from newsindex._schema import build_schema
from newsindex._snippets import BETWEEN, SNIPPET_CHARS, QueryWords, lead, query_words, snippet

SCHEMA = build_schema()


def _marked(text: str, query: str) -> list[str]:
    out, spans = snippet(text, query_words(parse(query, SCHEMA)))
    return [out[s:e] for s, e in spans]


def test_phrase_words_are_marked_only_where_they_form_the_phrase():
    text = "Missiles were shown. Officials spoke of ballistic tests. Ballistic missiles flew."
    assert _marked(text, '"ballistic missiles"') == ["Ballistic", "missiles"]


def test_single_words_are_marked_wherever_they_occur():
    assert _marked("Oil rose. Crude oil fell. Oils!", "oil") == ["Oil", "oil", "Oils"]


def test_slop_allows_words_between_and_order_matters():
    text = "The federal open market reserve met. Reserve federal."
    assert _marked(text, '"federal reserve"~3') == ["federal", "reserve"]
    assert _marked(text, '"federal reserve"') == []


def test_negated_and_other_field_words_are_not_marked():
    assert _marked("Trade with Japan grew.", "trade -japan") == ["Trade"]
    assert _marked("Trade with Japan grew.", "title:japan trade") == ["Trade"]


def test_no_match_gives_the_lead():
    body = "word " * 100
    out, spans = snippet(body, query_words(parse("absent", SCHEMA)))
    assert spans == () and out == lead(body) and out.endswith(" …") and len(out) <= SNIPPET_CHARS + 2


def test_two_distant_passages_joined_and_cut_at_spaces():
    body = "alpha " + "filler " * 80 + "omega beta " + "filler " * 80 + "gamma"
    out, spans = snippet(body, query_words(parse("alpha OR omega", SCHEMA)))
    assert out.count(BETWEEN) == 1
    assert [out[s:e] for s, e in spans] == ["alpha", "omega"]
    assert all(len(piece) <= SNIPPET_CHARS for piece in out.split(BETWEEN))
    assert not out.endswith("fill") and "gamma" not in out


words = st.sampled_from(["oil", "prices", "rose", "the", "Oil", "crude", "and", "fell", "\n", "", "-", "oil's"])


@given(body=st.lists(words, max_size=120).map(" ".join), query=st.sampled_from(["oil", '"crude oil"', "rose OR fell"]))
def test_every_mark_is_a_query_word_inside_the_snippet(body, query):
    qwords = query_words(parse(query, SCHEMA))
    wanted = qwords.words | {w for phrase, _ in qwords.phrases for w in phrase}
    out, spans = snippet(body, qwords)
    assert "\n" not in out
    previous = -1
    for start, end in spans:
        assert previous <= start < end <= len(out)
        assert index_terms(out[start:end])[0].text in wanted
        previous = end


def test_wildcard_and_fuzzy_terms_mark_the_words_they_matched(tmp_path):
    from newsindex import Article, Index

    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        ix.add([Article(id="a", title="Fuel", body="Petroleum and petrol prices rose; pets did not.")])
        for text in ("petro*", "petrl~"):
            hit = ix.search(text).hits[0]
            marked = {hit.snippet[s:e] for s, e in hit.highlights}
            assert marked == ({"Petroleum", "petrol"} if text == "petro*" else {"petrol"}), text


def test_whitespace_runs_collapse_and_cuts_show_an_ellipsis():
    body = "filler " * 60 + "The\n\n    oil   price\trose " + "filler " * 60
    out, spans = snippet(body, query_words(parse('oil "price rose"', SCHEMA)))
    assert out.startswith("… ") and out.endswith(" …")
    assert "  " not in out and "\n" not in out and "\t" not in out
    assert [out[s:e] for s, e in spans] == ["oil", "price", "rose"]


def test_a_phrase_with_slop_is_found_past_a_nearer_false_start():
    # From the first "prices" "sharply" is 3 positions away, from the second 2.
    body = "Oil prices prices fell sharply."
    assert _marked(body, '"oil prices sharply"~2') == ["Oil", "prices", "sharply"]


phrase_words = st.lists(st.sampled_from(["oil", "price", "fell", "sharp"]), min_size=1, max_size=3)


@given(
    body=st.lists(st.sampled_from(["oil", "prices", "fell", "sharply", "the", "x"]), max_size=30).map(" ".join),
    words=phrase_words,
    slop=st.integers(1, 3),
)
def test_phrase_marks_appear_exactly_when_the_phrase_matches(body, words, slop):
    from newsindex._whoosh.phrases import chain_ends

    stems = [index_terms(w)[0].text for w in words]
    terms = index_terms(body, stops=False)  # positions as indexed: stop words hold theirs
    positions = [[t.pos for t in terms if t.text == stem] for stem in stems]
    matches = all(positions) and bool(chain_ends(positions, slop))
    _, spans = snippet(body, QueryWords(phrases=((tuple(stems), slop),)))
    assert bool(spans) == matches
