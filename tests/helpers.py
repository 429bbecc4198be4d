"""Helpers shared by the tests: paths, the fixed clock, and ../shared data.

Imported as ``from helpers import …`` (pytest puts this folder on ``sys.path``);
fixtures live in ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

__all__ = ["NOW", "REUTERS", "ROOT", "SEEDS", "SHARED", "newsroom", "shared_file", "utc"]

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
REUTERS = SHARED / "corpora" / "reuters21578.jsonl"
NOW = dt.datetime(2023, 9, 14, 12, 0, tzinfo=dt.UTC)  # the day after the seed story


def utc(*args: int) -> dt.datetime:
    """A UTC datetime: utc(2023, 9, 13)."""
    return dt.datetime(*args, tzinfo=dt.UTC)


def shared_file(path: Path) -> Path:
    """A file under ../shared, or skip: a user's fresh clone has no ../shared."""
    if not path.exists():
        pytest.skip(f"{path} is absent (research data lives in ../shared)")
    return path


def newsroom(filler: int = 1200) -> list:
    """Articles for the server's tests: the seed, a follow-up story about the same
    summit, a hostile article (markup in every field) and ``filler`` dated stories
    about wheat over 2020 whose names are supplied (no extraction needed)."""
    from newsindex import Article, read

    seed = [r for r in read([SEEDS]) if isinstance(r, Article)]
    hostile = Article(
        id="hostile",
        title='<script>alert("t")</script> Tanks & "guns"',
        body="Before <img src=x onerror=alert(1)> after </p><b>bold</b> barley harvest.",
        url="javascript:alert(2)",
        source="<i>src</i>",
        published="2021-05-05",
        persons=['Eve "<x>" Evil'],
        organizations=[],
        locations=[],
    )
    followup = Article(
        id="kim-leaves",
        title="Kim Jong Un leaves the Russian Far East after talks with Putin",
        body="North Korean leader Kim Jong Un left Russia's Far East by armoured train after a summit "
        "with President Vladimir Putin at the Vostochny cosmodrome, where they discussed rockets and military ties.",
        published="2023-09-17",
        source="Seed Wire",
        persons=["Kim Jong Un", "Vladimir Putin"],
        organizations=[],
        locations=["Russia", "Vostochny"],
    )
    wheat = [
        Article(
            id=f"w{i:04d}",
            title=f"Wheat report {i}",
            body=f"Wheat prices moved in report {i}." + (" Grain exports rose." if i % 2 else ""),
            published=utc(2020, 1 + i % 12, 1 + i % 28, 9),
            source="Agri Wire",
            persons=[f"Trader {i % 5}"],
            organizations=["Grain Board"] if i % 3 == 0 else [],
            locations=["Kansas"] if i % 4 == 0 else ["Manitoba"],
        )
        for i in range(filler)
    ]
    return [*seed, hostile, followup, *wheat]
