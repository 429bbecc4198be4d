"""Entity fields: canonical names are what facets count and what is stored;
aliases are searchable too, and never shown."""

from __future__ import annotations

import pytest

from newsindex import Article, Index
from newsindex import _pipeline as pipeline
from newsindex._entities import ArticleEntities


@pytest.fixture
def index(tmp_path, monkeypatch: pytest.MonkeyPatch):
    found = {
        "imf": ArticleEntities(
            organizations=("International Monetary Fund",),
            organization_aliases=("IMF",),
            locations=("United States",),
            location_aliases=("U.S.", "USA"),
        ),
        "spelled": ArticleEntities(organizations=("International Monetary Fund",)),
    }
    monkeypatch.setattr(
        pipeline, "article_entities", lambda text, sentences, extractor: found.get(text.split()[0], ArticleEntities())
    )
    with Index(tmp_path / "ix", procs=1) as ix:
        ix.add([Article(id="a", title="imf story"), Article(id="b", title="spelled story")])
        ix.add([Article(id="c", title="supplied", organizations=["IMF"])])  # supplied names: as given
        yield ix


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("org:IMF", ["a", "c"]),
        ('org:"International Monetary Fund"', ["a", "b"]),
        ('location:"United States"', ["a"]),
        ("location:U.S.", ["a"]),
        ("location:usa", ["a"]),
        ("entity:IMF", ["a", "c"]),
    ],
)
def test_aliases_are_searchable(index: Index, query: str, ids: list[str]):
    assert sorted(h.id for h in index.search(query)) == ids


def test_facets_and_stored_names_show_canonical_names_only(index: Index):
    facets = index.search("story", facets=["org", "location"]).facets
    assert [(f.value, f.count) for f in facets["organization"]] == [("International Monetary Fund", 2)]
    assert [(f.value, f.count) for f in facets["location"]] == [("United States", 1)]
    article = index.get("a")
    assert article is not None
    assert article.organizations == ("International Monetary Fund",)
    assert article.locations == ("United States",)
