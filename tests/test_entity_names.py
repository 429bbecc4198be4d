"""Canonical names, aliases, capitals and wire boilerplate (issue #11, items 3-5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex._entities import alias_table, article_entities, extract_entities
from newsindex._entities.aliases import canonical_name, other_label, variants
from newsindex._entities.extractor import Entity
from newsindex._entities.names import _AGENCIES, _BOILERPLATE_RE, _hinted, canonicalize, tidy

WIRE = (
    "JAPAN SAYS U.S. TRADE CURBS UNFAIR, REAGAN TO ACT\n\n"
    "TOKYO, March 3 (Reuters) - Japan said the U.S. curbs were unfair, and\n"
    "President Reagan said on Thursday he would act.\n"
    "(Reporting by John Smith; Editing by Mary Jones)\n"
    " REUTER"
)


def _ent(text: str, label: str, start: int = 0) -> Entity:
    return Entity(text, label, start, start + len(text))


# --------------------------------------------------------------------------- alias table
def test_alias_table_is_consistent_and_case_folded() -> None:
    table = alias_table()
    assert set(table) == {"PERSON", "ORGANIZATION", "LOCATION"}
    for label, index in table.items():
        for key, canonical in index.items():
            assert key == " ".join(key.casefold().split())
            assert index[" ".join(canonical.casefold().split())] == canonical, (label, canonical)
    for variant in ("U.S.", "US", "USA", "United States", "America"):
        assert canonical_name(variant, "LOCATION") == "United States"
    assert canonical_name("U.K.", "LOCATION") == canonical_name("Britain", "LOCATION") == "Britain"
    assert "IMF" in variants("International Monetary Fund", "ORGANIZATION")
    assert other_label("GATT", "LOCATION") == "ORGANIZATION"
    assert other_label("Tokyo", "LOCATION") is None


# --------------------------------------------------------------------------- capitals
def test_headline_capitals_take_the_body_spelling() -> None:
    ents = article_entities(WIRE)
    assert "Japan" in ents.locations and "JAPAN" not in ents.locations
    assert "Tokyo" in ents.locations  # the dateline place stays, recased
    assert ents.locations.count("United States") == 1
    assert "Ronald Reagan" in ents.persons and "REAGAN" not in ents.persons
    assert not set(ents.persons) & {"Japan", "JAPAN"}
    for value in (*ents.persons, *ents.organizations, *ents.locations):
        assert not value.isupper() or len(value) <= 4, value


def test_headline_fragments_and_wire_words_are_no_entities() -> None:
    text = "GENETICS INSTITUTE INC <GENI.O> 1ST QTR LOSS\n\nShr loss 12 cts vs loss 20 cts\n Reuter"
    names = {e.name for e in extract_entities(text)}
    assert not names & {"ST", "QTR", "ST QTR", "O", "O>", "Reuter", "REUTER"}
    ents = article_entities("3RD QTR NET\n\nNet profit rose 3 pct in the third quarter.")
    assert not ents.persons and not ents.organizations and not ents.locations


def test_unresolved_capitals_are_recased() -> None:
    brown = [_ent("BROWN-FORMAN", "ORGANIZATION")]
    [e] = canonicalize(brown, "BROWN-FORMAN", known=lambda w: True, namelike=lambda w: True)
    assert e.name == "Brown-Forman"
    # A one-word headline name that is not usually a name is dropped ("NEW", "QTR").
    assert canonicalize(brown, "BROWN-FORMAN", known=lambda w: True, namelike=lambda w: False) == []
    [e] = canonicalize([_ent("IMF", "ORGANIZATION")], "IMF SAYS", known=lambda w: False)
    assert e.name == "International Monetary Fund"


# --------------------------------------------------------------------------- boilerplate
def test_wire_boilerplate_is_dropped_but_dateline_place_stays() -> None:
    ents = article_entities(WIRE)
    everything = {*ents.persons, *ents.organizations, *ents.locations}
    assert not everything & {"Reuter", "REUTER", "Reuters", "John Smith", "Mary Jones"}
    text = "By Peter Blackburn\nBRUSSELS, March 3 - The EC said it would act.\nPhoto: REUTERS/Kim Kyung-Hoon"
    ents = article_entities(text)
    assert "Peter Blackburn" not in ents.persons and "Kim Kyung-Hoon" not in ents.persons
    assert "Brussels" in ents.locations
    # Reuters as a party of the story is an organization; as its reporter it is not.
    assert "Reuters" in article_entities("Reuters said its profits rose by a third.").organizations
    assert "Reuters" not in article_entities("Grassley told Reuters he would offer a bill.").organizations


# --------------------------------------------------------------------------- canonical names
def test_acronym_and_full_name_are_one_facet_value_with_aliases() -> None:
    ents = article_entities("The International Monetary Fund (IMF) met. The IMF said rates would fall.")
    assert ents.organizations == ("International Monetary Fund",)
    assert "IMF" in ents.organization_aliases
    only_acronym = article_entities("The IMF said rates would fall in Brazil.")
    assert only_acronym.organizations == ("International Monetary Fund",)
    assert "IMF" in only_acronym.organization_aliases


def test_aliases_contract() -> None:
    ents = article_entities(
        "The USA and America and the U.S. must act, BankAmerica Corp said. Moody's Investors Service agreed."
    )
    assert ents.locations == ("United States",)
    assert {"USA", "America", "U.S."} <= set(ents.location_aliases)
    assert "BankAmerica" in ents.organizations and "BankAmerica Corp" in ents.organization_aliases
    assert "Moody's" in ents.organizations  # the possessive of the name stays
    for canon, aliases in (
        (ents.persons, ents.person_aliases),
        (ents.organizations, ents.organization_aliases),
        (ents.locations, ents.location_aliases),
    ):
        folded = [a.casefold() for a in aliases]
        assert len(folded) == len(set(folded))
        assert not set(folded) & {c.casefold() for c in canon}


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Treasury Secretary James Baker said the dollar was too high.", "James Baker"),
        ("Chancellor of the Exchequer Nigel Lawson said the pound was stable.", "Nigel Lawson"),
    ],
)
def test_titles_are_stripped_from_every_type(text: str, person: str) -> None:
    ents = article_entities(text)
    assert person in ents.persons
    assert not any(person in org for org in ents.organizations)


def test_company_suffixes_and_fragments() -> None:
    ents = article_entities(
        "Samuel Montagu and Co Ltd said General Motors Corp and General Electric Co would gain. Co said so."
    )
    assert "General Motors" in ents.organizations and "General Electric" in ents.organizations
    everything = {*ents.persons, *ents.organizations, *ents.locations}
    assert not everything & {"Co", "Ltd", "Co Ltd", "Corp", "Motors", "Electric"}
    # A long listed name is one organization even when the tagger saw only part of it.
    ents = article_entities("Standard and Poor's Corp said it upgraded the debt.")
    assert ents.organizations == ("Standard and Poor's",)


def test_tidy_trims_brackets_numbers_and_weekdays() -> None:
    text = "Juventus ( 3 ) beat USDA Thursday"
    ents = tidy(text, [_ent("Juventus (", "ORGANIZATION"), _ent("USDA Thursday", "ORGANIZATION", text.index("USDA"))])
    assert [e.text for e in ents] == ["Juventus", "USDA"]
    for e in ents:
        assert text[e.start : e.end] == e.text


# --------------------------------------------------------------------------- lexicon rules of tidy
_COMMON = frozenset({"post", "staff", "sales", "industry"})


def _common(word: str) -> bool:
    return word.lower() in _COMMON


def _place(name: str) -> bool:
    return name in ("Russia", "Tanzania", "Zambia", "Guinea-Bissau", "Guinea", "Bissau")


def test_tidy_drops_a_common_word_capitalised_by_position_only() -> None:
    text = "Shoigu visited in July. Post his visit, Kim toured factories."
    post = _ent("Post", "ORGANIZATION", text.index("Post"))
    assert tidy(text, [post]) == [post]  # without the lexicon, kept
    assert tidy(text, [post], common=_common) == []
    # Capitalised mid-sentence elsewhere in the article: a name ("the Post reported").
    later = text + " The Post reported it."
    assert tidy(later, [post], common=_common) == [post]


def test_tidy_joins_a_common_word_to_the_name_before_of() -> None:
    text = "South Korea's Joint Chiefs of Staff said so."
    [e] = tidy(text, [_ent("Staff", "LOCATION", text.index("Staff"))], common=_common)
    assert (e.text, e.label) == ("Joint Chiefs of Staff", "ORGANIZATION")
    # One capitalised word before "of" is a title-case phrase; a role's is its portfolio.
    for text in ("Net profit after Cost of Sales rose.", "He met the Turkish Minister of Industry today."):
        word = text.split(" of ")[1].split()[0]
        assert tidy(text, [_ent(word, "LOCATION", text.index(word))], common=_common) == []


def test_tidy_splits_a_hyphenated_pair_of_places() -> None:
    text = "on the Russia-North Korea border"
    e = _ent("Russia-North Korea", "LOCATION", text.index("Russia"))
    assert [x.text for x in tidy(text, [e], place=_place)] == ["Russia", "North Korea"]  # "North Korea": the table
    assert [x.text for x in tidy(text, [e])] == ["Russia-North Korea"]  # "Russia" unknown without a gazetteer
    whole = "to Guinea-Bissau"
    g = _ent("Guinea-Bissau", "LOCATION", 3)
    assert tidy(whole, [g], place=_place) == [g]


def test_tidy_splits_a_title_list_and_keeps_the_body() -> None:
    text = "Korean People's Army Marshals Ri Pyong Chol and Pak Jong Chon"
    got = tidy(text, [_ent(text, "ORGANIZATION")])
    assert [(e.text, e.label) for e in got] == [
        ("Korean People's Army", "ORGANIZATION"),
        ("Ri Pyong Chol", "PERSON"),
        ("Pak Jong Chon", "PERSON"),
    ]
    for e in got:
        assert text[e.start : e.end] == e.text
    # A singular title heads one name, and a body's name is no person's.
    slorc = "State Law and Order Restoration Council"
    assert [e.text for e in tidy(slorc, [_ent(slorc, "ORGANIZATION")])] == [slorc]


def test_tidy_continues_a_title_list_past_the_tagged_span() -> None:
    """The tagger may cut the list: the name joined by "and" to it is one more person."""
    text = "Korean People's Army Marshals Ri Pyong Chol and Pak Jong Chon met Moscow officials"
    first = "Korean People's Army Marshals Ri Pyong Chol"
    got = tidy(text, [_ent(first, "ORGANIZATION"), _ent("Pak Jong Chon", "LOCATION", text.index("Pak"))])
    assert [(e.text, e.label) for e in got] == [
        ("Korean People's Army", "ORGANIZATION"),
        ("Ri Pyong Chol", "PERSON"),
        ("Pak Jong Chon", "PERSON"),
    ]
    # Not after a singular title, nor a known place, nor past anything but "and".
    one = "Foreign Minister Choe Sun Hui and Pyongyang"
    got = tidy(one, [_ent("Foreign Minister Choe Sun Hui", "ORGANIZATION"), _ent("Pyongyang", "LOCATION", 34)])
    assert ("Pyongyang", "LOCATION") in [(e.text, e.label) for e in got]
    two = "Army Marshals Ri Pyong Chol and North Korea"
    got = tidy(two, [_ent("Army Marshals Ri Pyong Chol", "ORGANIZATION"), _ent("North Korea", "LOCATION", 32)])
    assert ("North Korea", "LOCATION") in [(e.text, e.label) for e in got]
    three = "Army Marshals Ri Pyong Chol met Pak Jong Chon"
    got = tidy(three, [_ent("Army Marshals Ri Pyong Chol", "ORGANIZATION"), _ent("Pak Jong Chon", "LOCATION", 32)])
    assert ("Pak Jong Chon", "LOCATION") in [(e.text, e.label) for e in got]


def test_tidy_retypes_names_by_their_last_word() -> None:
    text = "Coast Guard and Walt Disney Co"
    got = tidy(text, [_ent("Coast Guard", "PERSON"), _ent("Walt Disney Co", "LOCATION", text.index("Walt"))])
    assert [e.label for e in got] == ["ORGANIZATION", "ORGANIZATION"]


def test_a_capital_acting_is_its_country_and_a_capital_as_place_is_the_city() -> None:
    text = "Washington said it would retaliate. The talks in Washington ended. Tokyo wants a deal."
    names = [(e.text, e.name) for e in extract_entities(text) if e.label == "LOCATION"]
    assert names == [("Washington", "United States"), ("Washington", "Washington"), ("Tokyo", "Japan")]
    # A dateline, a visit or a name the capital belongs to stays the city.
    ents = article_entities("WASHINGTON, March 3 - Nakasone will visit Washington said officials.")
    assert "Washington" in ents.locations and "United States" not in ents.locations


_HINTS = [hints for hints, _ in _BOILERPLATE_RE] + [hints for hints, _, _ in _AGENCIES]
_HINT_PIECES = sorted({p for _, strings in _HINTS for h in strings for p in (h, h[:-1], *h)})


@given(st.lists(st.sampled_from(_HINT_PIECES), max_size=8).map("".join))
def test_hints_are_found_as_by_a_plain_search(text: str) -> None:
    # _hinted looks for the characters all hints hold first: the same answers.
    for hints in _HINTS:
        assert _hinted(text, hints) == any(h in text for h in hints[1])
