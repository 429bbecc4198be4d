"""Shared fixtures: the seed article, temporary indexes, and ../shared data."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REUTERS, SEEDS, shared_file
from hypothesis import settings

from newsindex import Article, Index, read

settings.register_profile("ci", max_examples=500, deadline=None)
settings.register_profile("thorough", max_examples=20_000, deadline=None)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def seed() -> Article:
    (article,) = [r for r in read([SEEDS]) if isinstance(r, Article)]
    return article


@pytest.fixture
def index(tmp_path: Path):
    with Index(tmp_path / "index") as ix:
        yield ix


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, seed: Article) -> Index:
    """The seed article indexed with entity extraction, shared read-only by tests."""
    ix = Index(tmp_path_factory.mktemp("seed") / "index")
    ix.add([seed])
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def reuters_full(tmp_path_factory: pytest.TempPathFactory):
    """All of Reuters-21578 indexed without entities (about a minute on two cores),
    with the articles read, for tests that compare the index with a scan."""
    corpus = shared_file(REUTERS)
    articles = [r for r in read([corpus]) if isinstance(r, Article)]
    path = tmp_path_factory.mktemp("reuters-full") / "index"
    with Index(path, entities=None) as ix:
        assert ix.add(articles) == len(articles)
    ix = Index(path, create=False)
    yield ix, articles
    ix.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whatever needs the full Reuters index is slow (the index alone takes about a minute)."""
    for item in items:
        if "reuters_full" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
