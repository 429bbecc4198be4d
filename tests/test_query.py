from __future__ import annotations

import pytest
from conftest import NOW
from whoosh import query as wq

from newsindex import QueryError
from newsindex.query import parse
from newsindex.schema import build_schema

SCHEMA = build_schema()


def _leaves(q: wq.Query) -> list[wq.Query]:
    return [q] if q.is_leaf() or isinstance(q, wq.Phrase) else [x for c in q.children() for x in _leaves(c)]


def test_plain_terms_search_title_and_body():
    q = parse("missiles", SCHEMA)
    assert {leaf.fieldname for leaf in _leaves(q)} == {"title", "body"}


def test_phrase_with_slop():
    q = parse('person:"kim putin"~10', SCHEMA)
    assert isinstance(q, wq.Phrase) and q.slop == 10 and q.words == ["kim", "putin"]


@pytest.mark.parametrize(("alias", "field"), [("org", "organization"), ("place", "location"), ("people", "person")])
def test_entity_field_aliases(alias, field):
    q = parse(f"{alias}:moscow", SCHEMA)
    assert q.fieldname == field


def test_date_forms_become_numeric_ranges_with_explicit_bounds():
    for text in ["published:[2023-09-01 TO 2023-09-30]", "published:[2023-09-01 TO]", "published:[TO 2023-09-30]",
                 "published:>=2023-09-01", "published:2023", "published:yesterday"]:
        q = parse(text, SCHEMA, now=NOW)
        assert isinstance(q, wq.NumericRange), text
        assert q.start is not None and q.end is not None, text  # Whoosh's open unsigned range matches everything


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("published:[bogus TO 2023]", "bogus"),
        ("published:2023-02-30", "impossible date"),
        ("", "empty query"),
        ("x" * 20_000, "limit"),
    ],
)
def test_malformed_queries_raise_query_error(text, fragment):
    with pytest.raises(QueryError) as info:
        parse(text, SCHEMA, now=NOW)
    assert fragment in str(info.value)
