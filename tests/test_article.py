from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex import Article, parse_datetime


def test_fields_are_trimmed_and_dates_become_utc():
    a = Article(title="  Kim meets Putin \n", body=" text ", published="2023-09-13T09:30:00+09:00")
    assert a.title == "Kim meets Putin"
    assert a.body == "text"
    assert a.published == dt.datetime(2023, 9, 13, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-13", dt.datetime(2023, 9, 13, tzinfo=dt.UTC)),
        ("2023-09-13T10:00:00Z", dt.datetime(2023, 9, 13, 10, tzinfo=dt.UTC)),
        ("2023-09-13 10:00", dt.datetime(2023, 9, 13, 10, tzinfo=dt.UTC)),  # naive is UTC
        ("Wed, 13 Sep 2023 10:00:00 +0200", dt.datetime(2023, 9, 13, 8, tzinfo=dt.UTC)),
        (dt.date(2023, 9, 13), dt.datetime(2023, 9, 13, tzinfo=dt.UTC)),
        (None, None),
        ("", None),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["yesterday-ish", "2023-02-30", "13/13/2023"])
def test_unparseable_dates_are_rejected(value):
    with pytest.raises(ValueError):
        Article(title="t", published=value)


def test_published_of_wrong_type_is_rejected():
    with pytest.raises(TypeError):
        Article(title="t", published=20230913)


def test_empty_article_is_rejected():
    with pytest.raises(ValueError, match="empty article"):
        Article(title="  ", body="\n")


def test_a_record_with_its_own_id_but_no_text_is_kept():
    a = Article(id="reuters-99", published="1987-02-26T16:34:34Z")
    assert a.title == a.body == ""


@pytest.mark.parametrize("bad", [{"title": ["a list"]}, {"title": "x", "body": {"an": "object"}}])
def test_wrong_types_are_rejected(bad):
    with pytest.raises(TypeError):
        Article.from_dict(bad)


def test_nul_bytes_are_rejected():
    with pytest.raises(ValueError, match="NUL"):
        Article(title="a\x00b")


def test_stable_id_from_url_else_content():
    by_url = Article(title="a", url="https://example.com/1")
    assert by_url.id == Article(title="different", url="https://example.com/1").id
    by_content = Article(title="a", body="b")
    assert by_content.id == Article(title="a", body="b").id
    assert by_content.id != Article(title="a", body="c").id
    assert Article(title="a", id="given").id == "given"


def test_article_is_frozen():
    a = Article(title="a")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.title = "b"  # type: ignore[misc]


def test_from_dict_accepts_aliases_and_ignores_unknown_keys():
    a = Article.from_dict({"headline": "H", "text": "B", "date": "2023-09-13", "link": "u", "x": 1, "author": "A; B"})
    assert (a.title, a.body, a.url, a.authors) == ("H", "B", "u", ("A", "B"))
    assert a.published == dt.datetime(2023, 9, 13, tzinfo=dt.UTC)


def test_entities_none_means_not_supplied_and_names_are_deduplicated():
    a = Article(title="a", persons=["Kim Jong Un", " Kim Jong Un ", ""])
    assert a.persons == ("Kim Jong Un",)
    assert a.organizations is None


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.sampled_from([dt.UTC, None])
    )
)
def test_iso_round_trip(when):
    parsed = parse_datetime(when.isoformat())
    assert parsed.tzinfo == dt.UTC
    assert parsed == (when if when.tzinfo else when.replace(tzinfo=dt.UTC))


def test_to_dict_round_trips():
    a = Article(title="a", body="b", published="2023-09-13", authors=["X"], persons=["P"])
    assert Article.from_dict(a.to_dict()) == a
