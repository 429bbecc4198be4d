from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsindex._analysis import (
    NewsAnalyzer,
    _sentence_tokenizer,
    index_terms,
    index_words,
    name_terms,
    name_words,
    sentence_spans,
    tokenize,
    word_spans,
    word_tokenizer,
)


def _words(text: str) -> list[str]:
    return [text[s:e] for s, e in word_spans(text)]


def test_tokens_follow_treebank_conventions():
    assert _words("Kim’s U.S. visit, Lim Soo-suk didn't") == [
        "Kim",
        "’s",
        "U.S.",
        "visit",
        ",",
        "Lim",
        "Soo-suk",
        "didn",
        "'t",
    ]


def test_curly_possessive_normalizes_to_the_name():
    assert [t.text for t in index_terms("Kim’s")] == ["kim"]
    assert [t.text for t in index_terms("Kim's")] == ["kim"]


def test_stop_words_removed_and_words_stemmed_with_consecutive_positions():
    terms = index_terms("The ballistic missiles of the North")
    assert [(t.text, t.pos) for t in terms] == [("ballist", 0), ("missil", 1), ("north", 2)]


def test_news_words_that_look_like_stop_words_are_kept():
    assert [t.text for t in index_terms("US may sanction WHO")] == ["us", "may", "sanction", "who"]


def test_hyphenated_words_are_indexed_by_part():
    assert [t.text for t in index_terms("Russia-North Korea")] == ["russia", "north", "korea"]


def test_character_spans_point_into_the_original_text():
    text = "Putin’s “warm” welcome"
    for term in index_terms(text):
        assert text[term.start : term.end].lower().startswith(term.text[:3])


def test_sentences_split_with_news_abbreviations():
    text = "Gov. Oleg Kozhemyako met him. Then Mr. Kim left."
    sentences = [[text[s:e] for s, e in sent] for sent in tokenize(text)]
    assert len(sentences) == 2
    assert sentences[0][:3] == ["Gov.", "Oleg", "Kozhemyako"]


_PROSE = st.lists(
    st.sampled_from(["Corp.", "said.", "The", "Mr.", "Kim", "U.S.", "left", "1.5", "pct.", "(Reuters)", "\n", "Inc"]),
    max_size=40,
).map(" ".join)


@given(texts=st.lists(_PROSE, min_size=1, max_size=5))
def test_cached_sentence_breaks_split_as_punkt_does(texts):
    """Punkt's break decisions are cached by context string; the split stays Punkt's own."""
    punkt = _sentence_tokenizer()
    decide = punkt.text_contains_sentbreak.__wrapped__
    for text in texts:
        got = sentence_spans(text)
        punkt.text_contains_sentbreak.cache_clear()
        assert got == sentence_spans(text)  # cold cache
        assert got == _uncached_spans(punkt, decide, text)


def _uncached_spans(punkt, decide, text):
    cached = punkt.text_contains_sentbreak
    punkt.text_contains_sentbreak = decide
    try:
        return sentence_spans(text)
    finally:
        punkt.text_contains_sentbreak = cached


# Candidate breaks of every kind Punkt tells apart: abbreviations, initials,
# numbers, ellipses, ?/!, closing quotes and brackets, dashes, line and paragraph breaks.
_PUNCTUATED = st.lists(
    st.sampled_from(
        [*"Corp. said. The the Mr. J. U.S. 1.5 1987. pct. ... ? ! \" ' ( ) -- , Inc St.".split(), " ", "\n", "\n\n"]
    ),
    max_size=40,
).map("".join)


@given(_PUNCTUATED)
def test_punkt_with_untimed_patterns_splits_as_stock_punkt(text):
    """Our Punkt runs NLTK's own patterns without their timeout; stock Punkt with the same parameters agrees."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    punkt = _sentence_tokenizer()
    stock = PunktSentenceTokenizer(punkt._params)
    assert list(punkt.span_tokenize(text)) == list(stock.span_tokenize(text))
    for token in text.split():
        ours, theirs = punkt._Token(token), stock._Token(token)
        assert (ours.type, ours.period_final) == (theirs.type, theirs.period_final)
        for test in ("is_ellipsis", "is_initial", "is_alpha"):
            assert bool(getattr(ours, test)) == bool(getattr(theirs, test))


def test_repeated_sentence_break_contexts_are_decided_once():
    punkt = _sentence_tokenizer()
    punkt.text_contains_sentbreak.cache_clear()
    sentence_spans("Acme Corp. said. It rose. Acme Corp. said. It fell.")
    assert punkt.text_contains_sentbreak.cache_info().hits >= 1


def test_names_get_a_gap_so_phrases_do_not_span_two_names():
    terms = name_terms("Kim Jong Un\nVladimir Putin")
    assert [t.text for t in terms] == ["kim", "jong", "un", "vladimir", "putin"]
    assert terms[3].pos - terms[2].pos > 1


def test_whoosh_analyzer_adapter_yields_positions_and_chars():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in NewsAnalyzer()("Ballistic missiles", positions=True, chars=True)
    ]
    assert tokens == [("ballist", 0, 0, 9), ("missil", 1, 10, 18)]


@given(st.text(max_size=300))
def test_word_spans_agree_with_nltk_regexp_tokenizer(text):
    assert word_spans(text) == list(word_tokenizer.span_tokenize(text))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=300), st.integers(0, 300), st.integers(0, 300))
def test_ascii_word_spans_agree_with_nltk_regexp_tokenizer(text, start, end):
    # ASCII text takes the standard library's `re`; NLTK's tokenizer uses `regex`.
    start, end = sorted((min(start, len(text)), min(end, len(text))))
    expected = [(start + a, start + b) for a, b in word_tokenizer.span_tokenize(text[start:end])]
    assert word_spans(text, start, end) == expected


# Pieces where the compiled pattern's shortcuts (skipping blanks, plain ASCII words
# first) could part from the pattern itself: titles, abbreviations, clitics, joiners,
# digits, blanks `re` and `regex` class differently, and a non-ASCII letter.
_TOKEN_PIECES = st.lists(
    st.sampled_from(
        ["Mr", "Co", "U", "s", "ab", "t", "ll", "9", "_", "é", "’", "'", ".", "-", "&", ",", " ", "\n", "\x1c"]
    ),
    max_size=30,
).map("".join)


@given(_TOKEN_PIECES, st.integers(0, 60), st.integers(0, 60))
def test_word_spans_agree_with_nltk_regexp_tokenizer_where_words_end(text, start, end):
    start, end = sorted((min(start, len(text)), min(end, len(text))))
    expected = [(start + a, start + b) for a, b in word_tokenizer.span_tokenize(text[start:end])]
    assert word_spans(text, start, end) == expected


def test_re_and_regex_agree_on_the_ascii_classes_of_the_token_pattern():
    import re

    import regex

    for cls in (r"\w", r"\d", r"[^\W\d_]", r"[^\w\s\x1c-\x1f]"):
        for c in map(chr, range(128)):
            assert bool(re.match(cls, c)) == bool(regex.match(cls, c, regex.UNICODE)), (cls, c)


@given(st.text(max_size=300))
def test_any_text_tokenizes_with_valid_spans(text):
    for sentence in tokenize(text):
        for start, end in sentence:
            assert 0 <= start < end <= len(text)
            assert text[start:end].strip()
    for term in index_terms(text):
        assert term.text and 0 <= term.start < term.end <= len(text)


def test_index_words_are_the_texts_of_index_terms_with_stop_words():
    # The index keeps stop words ("and"), so that phrases can match them.
    text = "Kim’s ballistic missiles: U.S. and Russia-North Korea talks, 18-month war"
    assert index_words(text, word_spans(text)) == [t.text for t in index_terms(text, stops=False)]
    assert "and" in index_words(text, word_spans(text))


def test_name_words_are_name_terms_without_spans():
    for text in ["Kim Jong Un\nVladimir Putin", "", "\n\nU.S.\n\n-\nAT&T Corp\n's", "O'Brien's\nSoo-suk\n\n"]:
        terms = name_terms(text)
        assert name_words(text) == ([t.text for t in terms], [t.pos for t in terms])


@given(st.text(alphabet=st.sampled_from("ab A.U-'’&\n 1é"), max_size=40))
def test_name_words_agree_with_name_terms(text: str) -> None:
    terms = name_terms(text)
    assert name_words(text) == ([t.text for t in terms], [t.pos for t in terms])


def test_index_words_cache_empties_when_full(monkeypatch):
    import newsindex._analysis as analysis

    text = "The banks' ballistic missiles, Kim's U.S. visit and 18-month bonds"
    expected = [t.text for t in index_terms(text, stops=False)]
    monkeypatch.setattr(analysis, "_STEMMED_MAX", 3)
    monkeypatch.setattr(analysis, "_STEMMED", {})
    assert index_words(text, word_spans(text)) == expected
    assert index_words(text, word_spans(text)) == expected
    assert len(analysis._STEMMED) <= 3
