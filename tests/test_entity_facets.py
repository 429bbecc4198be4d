"""The entity facets of all of Reuters-21578, read as a news editor would (issue #11, item 6).

Runs ``article_entities`` over every article (title, blank line, body: ``Article.text``)
and checks the top 40 values per type: no two are spellings of one entity (letter case
or the alias table), and none is a bare company suffix, a month or weekday, a wire
sign-off or a headline fragment in capitals.  Takes about a minute; skips without
``../shared``.  (No ``slow`` marker: pyproject registers none and runs --strict-markers.)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from newsindex import Article, read
from newsindex._entities import article_entities
from newsindex._entities.aliases import COMPANY_SUFFIXES, canonical_name

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578.jsonl"
TOP = 40
_DATES = set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
_SIGNOFFS = {"reuter", "reuters staff"}


@pytest.fixture(scope="module")
def top_values() -> dict[str, list[tuple[str, int]]]:
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} is absent (research data lives in ../shared)")
    counts = {"PERSON": Counter(), "ORGANIZATION": Counter(), "LOCATION": Counter()}
    n = 0
    for rec in read([REUTERS]):
        if isinstance(rec, Article):
            ents = article_entities(rec.text)
            counts["PERSON"].update(ents.persons)
            counts["ORGANIZATION"].update(ents.organizations)
            counts["LOCATION"].update(ents.locations)
            n += 1
    assert n > 20_000
    return {label: c.most_common(TOP) for label, c in counts.items()}


@pytest.mark.parametrize("label", ["PERSON", "ORGANIZATION", "LOCATION"])
def test_top_facets_are_clean(top_values: dict[str, list[tuple[str, int]]], label: str) -> None:
    values = [v for v, _ in top_values[label]]
    assert len(values) == TOP
    folded = [v.casefold() for v in values]
    assert len(set(folded)) == len(folded), "case variants of one value"
    # One canonical spelling per listed entity: no value is a variant of another.
    for v in values:
        canonical = canonical_name(v, label)
        assert canonical in (None, v), (v, canonical)
    for v in values:
        bare = v.casefold().rstrip(".")
        assert bare not in COMPANY_SUFFIXES, v
        assert bare not in _DATES, v
        assert bare not in _SIGNOFFS, v
        assert not (v.isupper() and len(v) > 6), v  # a headline in capitals, not a name
        assert any(ch.isalpha() for ch in v) and v[0].isalnum(), v  # no fragments such as "O>"
    # The top values of a type are not the top values of another (e.g. a country as a person).
    others = {v.casefold() for other, vs in top_values.items() if other != label for v, _ in vs[:15]}
    assert not {v.casefold() for v in values[:15]} & others
