"""One vocabulary: every alias of a field works in queries, facets and records alike."""

from __future__ import annotations

import pytest

from newsindex import Article, Index
from newsindex._facets import parse_facets
from newsindex._vocabulary import ARTICLE_KEYS, ENTITY_FIELDS, FIELD_ALIASES, field_for

ALIASES = [(field, name) for field, names in FIELD_ALIASES.items() for name in (field, *names)]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    with Index(tmp_path_factory.mktemp("vocabulary") / "ix", entities=None) as ix:
        ix.add(
            [
                Article(id="a", title="One", persons=["Kim Jong Un"], organizations=["IMF"], locations=["Moscow"]),
                Article(id="b", title="Two", source="Reuters"),
            ]
        )
        yield ix


VALUES = {"person": "kim", "organization": "imf", "location": "moscow", "source": "reuters"}


@pytest.mark.parametrize(("field", "name"), ALIASES)
def test_every_alias_is_a_query_field_and_a_facet(index: Index, field: str, name: str):
    expected = index.search(f"{field}:{VALUES[field]}")
    assert expected.total == 1
    for spelling in (name, name.upper()):
        found = index.search(f"{spelling}:{VALUES[field]}", facets=[spelling])
        assert [h.id for h in found] == [h.id for h in expected]
        assert list(found.facets) == [field]
        assert found.facets[field][0].count == 1


@pytest.mark.parametrize(("field", "name"), [(f, n) for f, n in ALIASES if f in ENTITY_FIELDS])
def test_every_alias_of_an_entity_field_is_a_record_key(field: str, name: str):
    article = Article.from_dict({"title": "t", name: ["Somebody"]})
    assert getattr(article, ENTITY_FIELDS[field]) == ("Somebody",)
    assert ARTICLE_KEYS[name] == ENTITY_FIELDS[field]


def test_other_names_are_no_fields():
    assert field_for("body") is None and field_for("entity") is None
    with pytest.raises(ValueError, match="unknown facet"):
        parse_facets(["persn"])
