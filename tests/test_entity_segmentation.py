"""Line breaks, initials and sentence re-segmentation in the entity extractor."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from newsindex._analysis import tokenize
from newsindex._entities import article_entities, extract_entities
from newsindex._entities.extractor import (
    _SPLIT_INITIAL,
    _SPLIT_INITIAL_TAIL,
    _WORD_WITH_LETTER,
    _is_table_row,
    resegment,
    soft_wrap,
)

# A Reuters body: hard-wrapped at ~65 characters, paragraphs open with an indent.
REUTERS = (
    "BankAmerica Corp is not under\n"
    "pressure to act quickly on its proposed equity offering and\n"
    "would do well to delay it because of the stock's recent poor\n"
    "performance, banking analysts said.\n"
    "    Banking analysts said that with the immediate threat of the\n"
    "First Interstate Bancorp takeover bid gone, BankAmerica is\n"
    "under no pressure to sell the securities.\n"
    "    A BankAmerica spokesman said SEC approval is taking longer\n"
    "than expected, said Arthur Miller, BankAmerica's Vice President for\n"
    "Financial Communications.\n"
)

# CoNLL-style: headline, dateline, byline, then a results table.
TABLE = (
    "CRICKET - ENGLISH COUNTY CHAMPIONSHIP SCORES .\n"
    "LONDON 1996-08-30\n"
    "Peter Blackburn\n"
    "Yorkshire 529-8 declared ( D. Byas 138 , M. Moxon 90 )\n"
    "Lancashire 120 ( N. Fairbrother 48 )\n"
)


def _lines(text: str) -> list[str]:
    return [text[s[0][0] : s[-1][1]] for s in resegment(text, tokenize(text))]


def _breaks(text: str) -> list[bool]:
    return [soft_wrap(text, i) for i, ch in enumerate(text) if ch == "\n" and i + 1 < len(text)]


def test_wrapped_prose_is_not_split() -> None:
    # Breaks inside a paragraph are wraps; the break before an indented line is not.
    assert _breaks(REUTERS) == [True, True, True, False, True, True, False, True, True]
    for sent in _lines(REUTERS):
        assert not sent.endswith(("not under", "Vice President for"))


def test_headline_dateline_table_rows_are_split() -> None:
    assert not any(_breaks(TABLE))
    lines = _lines(TABLE)
    assert "LONDON 1996-08-30" in lines and "Peter Blackburn" in lines
    assert "Lancashire 120 ( N. Fairbrother 48 )" in lines


def test_initials_join_their_name() -> None:
    text = "Yorkshire ( D. Byas 138 , M. Moxon 90 ) and H. D. Deve Gowda met."
    tokens = [text[a:b] for s in resegment(text, tokenize(text)) for a, b in s]
    assert "D." in tokens and "M." in tokens and "H." in tokens
    persons = {e.text for e in extract_entities(text) if e.label == "PERSON"}
    assert {"D. Byas", "M. Moxon"} <= persons


def test_names_do_not_run_across_lines() -> None:
    ents = extract_entities(TABLE)
    assert not any("\n" in e.text for e in ents)
    assert "Peter Blackburn" in {e.text for e in ents}
    assert "Arthur Miller" in article_entities(REUTERS).persons


def test_resegment_keeps_every_token_in_order() -> None:
    for text in (REUTERS, TABLE):
        before = [t for s in tokenize(text) for t in s]
        after = [t for s in resegment(text, tokenize(text)) for t in s]
        # Only joins of a one-letter initial and its full stop change the tokens.
        assert [text[a:b] for a, b in after if text[a:b] not in ("D.", "M.", "N.")] == [
            text[a:b] for a, b in before if text[a:b] not in ("D", "M", "N", ".") or (a, b) in after
        ]


_ASCII_WORD = st.text(st.sampled_from("aZ1.-,_\t\n\x0b\x0c\x1c\x1f\x7f"), max_size=4)
_OTHER_WORD = st.text(st.sampled_from("aZ1.-,\xa0\u00e9\u00b2\u2028"), max_size=4)


@given(st.lists(_ASCII_WORD, max_size=7).map(" ".join) | st.lists(_OTHER_WORD, max_size=7).map(" ".join))
@example(" a b ")  # empty words at both edges
@example("1 2 a")
def test_table_row_agrees_with_its_definition(line: str) -> None:
    # _is_table_row counts the words with a letter of an ASCII line without the regex: same answers.
    words = line.count(" ") + 1 if line else 0
    mostly_numbers = words >= 3 and len(_WORD_WITH_LETTER.findall(line)) * 2 <= words
    assert _is_table_row.__wrapped__(line) == ("  " in line or "\t" in line or mostly_numbers)


@given(st.text(st.sampled_from("aB1._ \n\t(\u00e9\xa0"), max_size=16), st.integers(0, 16), st.integers(0, 16))
@example("x D. Byas", 2, 9)
def test_split_initial_tail_is_found_wherever_the_initial_is(text: str, start: int, end: int) -> None:
    # resegment looks for the cheap tail first: it must not miss a split initial.
    if _SPLIT_INITIAL.search(text, start, end):
        assert _SPLIT_INITIAL_TAIL.search(text, start, end)
