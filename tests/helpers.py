"""Helpers shared by the tests: paths, the fixed clock, and ../shared data.

Imported as ``from helpers import …`` (pytest puts this folder on ``sys.path``);
fixtures live in ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

__all__ = ["NOW", "REUTERS", "ROOT", "SEEDS", "SHARED", "shared_file", "utc"]

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
