"""Entities as users see them, over all of Reuters-21578 indexed with entities
(issue #11): the facets read like an editor's list, and acronyms, full names and
variant names find the same articles.

Indexes the whole corpus with the bundled tagger (a minute or two on two cores);
skips without ``../shared``.
"""

from __future__ import annotations

import pytest
from helpers import REUTERS, shared_file

from newsindex import Article, Index, read
from newsindex._entities.aliases import COMPANY_SUFFIXES, canonical_name

TOP = 40
_DATES = set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
_SIGNOFFS = {"reuter", "reuters staff"}
FIELDS = {"person": "PERSON", "organization": "ORGANIZATION", "location": "LOCATION"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reuters_entities(tmp_path_factory: pytest.TempPathFactory):
    """All of Reuters indexed with the bundled entity tagger."""
    corpus = shared_file(REUTERS)
    path = tmp_path_factory.mktemp("reuters-entities") / "index"
    with Index(path) as ix:
        assert ix.add(r for r in read([corpus]) if isinstance(r, Article)) > 20_000
    ix = Index(path, create=False)
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def top_values(reuters_entities: Index) -> dict[str, list[str]]:
    results = reuters_entities.search("published:1987", facets=list(FIELDS), facet_limit=TOP)
    return {field: [f.value for f in results.facets[field]] for field in FIELDS}


@pytest.mark.parametrize("field", list(FIELDS))
def test_the_top_40_of_each_entity_facet_read_like_an_editors_list(top_values: dict[str, list[str]], field: str):
    values = top_values[field]
    assert len(values) == TOP
    folded = [v.casefold() for v in values]
    assert len(set(folded)) == TOP, "case variants of one entity"
    for v in values:
        assert canonical_name(v, FIELDS[field]) in (None, v), f"{v} is a variant of another name"
        bare = v.casefold().rstrip(".")
        assert bare not in COMPANY_SUFFIXES, v
        assert bare not in _DATES, v
        assert bare not in _SIGNOFFS, v
        assert not (v.isupper() and len(v) > 6), f"{v}: a headline in capitals, not a name"
        assert any(ch.isalpha() for ch in v) and v[0].isalnum(), f"{v}: a fragment"
    # The top values of a type are not the top values of another (a country as a person).
    others = {v.casefold() for other, vs in top_values.items() if other != field for v in vs[:15]}
    assert not {v.casefold() for v in values[:15]} & others


# Values an editor struck from the top 40 before (issue #11): the agency reporting its own
# story, firms named after people, a country as an organization, a generic name, a seat of
# government filed as a place, a nationality word as a place, a bare "House".
_STRUCK = {
    "person": {"Brown", "Wagner", "Phillips", "Smith Barney"},
    "organization": {"Reuters", "Reuter", "Philippines", "Central Bank", "House"},
    "location": {"White House", "West German"},
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_the_struck_values_are_gone_from_the_top_40(top_values: dict[str, list[str]], field: str):
    assert not set(top_values[field]) & _STRUCK[field]


@pytest.fixture(scope="module")
def stored_names(reuters_entities: Index) -> dict[str, dict[str, set[str]]]:
    """For each entity field, each canonical name and the ids of the articles that hold it."""
    out: dict[str, dict[str, set[str]]] = {field: {} for field in FIELDS}
    for row in reuters_entities.scan("published:1987", fields="id,persons,organizations,locations"):
        for field, key in (("person", "persons"), ("organization", "organizations"), ("location", "locations")):
            for name in row[key]:
                out[field].setdefault(name, set()).add(row["id"])
    return out


@pytest.mark.parametrize(
    ("field", "canonical", "queries"),
    [
        ("organization", "International Monetary Fund", ["org:IMF", 'org:"International Monetary Fund"']),
        ("location", "United States", ['location:"United States"', "location:U.S.", "location:USA", "location:US"]),
        ("location", "Britain", ["location:Britain", "location:U.K."]),
    ],
)
def test_an_entity_is_found_by_every_name_it_goes_by(
    reuters_entities: Index,
    stored_names: dict[str, dict[str, set[str]]],
    field: str,
    canonical: str,
    queries: list[str],
):
    holders = stored_names[field][canonical]
    assert len(holders) > 100
    for text in queries:
        found = {row["id"] for row in reuters_entities.scan(text, fields="id")}
        assert holders <= found, f"{text} misses {len(holders - found)} articles that name {canonical}"


def test_an_article_that_only_says_imf_counts_under_the_full_name(
    reuters_entities: Index, stored_names: dict[str, dict[str, set[str]]]
):
    holders = stored_names["organization"]["International Monetary Fund"]
    assert "IMF" not in stored_names["organization"]  # the acronym is never a facet value of its own
    texts = {
        row["id"]: f"{row['title']} {row['body']}" for row in reuters_entities.scan("org:IMF", fields="id,title,body")
    }
    only_acronym = {i for i in holders if i in texts and "International Monetary Fund" not in texts[i]}
    assert len(only_acronym) > 10
