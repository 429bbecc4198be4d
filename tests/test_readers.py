from __future__ import annotations

import json
from pathlib import Path

from newsindex import Article, Rejection, read


def _split(records):
    articles = [r for r in records if isinstance(r, Article)]
    rejections = [r for r in records if isinstance(r, Rejection)]
    return articles, rejections


def test_jsonl_bad_records_are_reported_with_line_and_the_rest_read(tmp_path: Path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        b'{"title": "one", "body": "x"}\n'
        b"{not json}\n"
        b"\n"
        b'{"title": "", "body": ""}\n'
        b'{"title": "bad \xff utf8"}\n'
        b'{"title": "five", "published": "2023-13-45"}\n'
        b'["an", "array"]\n'
        b'{"title": "seven", "body": "y"}\n'
    )
    articles, rejections = _split(list(read([path])))
    assert [a.title for a in articles] == ["one", "seven"]
    assert [(r.line, r.file) for r in rejections] == [
        (2, str(path)),
        (4, str(path)),
        (5, str(path)),
        (6, str(path)),
        (7, str(path)),
    ]
    assert "malformed JSON" in rejections[0].reason
    assert "empty article" in rejections[1].reason
    assert "UTF-8" in rejections[2].reason
    assert str(rejections[0]).startswith(f"{path}:2: ")
    assert rejections[0].raw == "{not json}"


def test_json_array_with_line_numbers_and_resync_after_a_bad_element(tmp_path: Path):
    path = tmp_path / "a.json"
    path.write_text(
        "[\n"
        '  {"title": "one"},\n'
        '  {"title": "two", "published": "not a date"},\n'
        '  {"title": "three" oops},\n'
        '  {"title": "four"}\n'
        "]\n"
    )
    articles, rejections = _split(list(read([path])))
    assert [a.title for a in articles] == ["one", "four"]
    assert [r.line for r in rejections] == [3, 4]


def test_json_single_object(tmp_path: Path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "t", "body": "b"}))
    articles, rejections = _split(list(read([path])))
    assert [a.title for a in articles] == ["t"] and not rejections


def test_csv_with_header(tmp_path: Path):
    path = tmp_path / "a.csv"
    path.write_text(
        'title,body,published\n"Kim, Putin meet","Text, with commas",2023-09-13\n'
        "only,two\nThird,Body,bad-date\nFourth,Body,2023-01-01\n"
    )
    articles, rejections = _split(list(read([path])))
    assert [a.title for a in articles] == ["Kim, Putin meet", "Fourth"]
    assert [(r.line, r.reason.split(" ")[0]) for r in rejections] == [(3, "row"), (4, "unparseable")]


def test_txt_folder_with_sidecar_metadata(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Headline\nBody text here.")
    (tmp_path / "b.txt").write_text("Whole body.")
    (tmp_path / "b.json").write_text(json.dumps({"title": "From metadata", "published": "2023-09-13"}))
    (tmp_path / "notes.md").write_text("ignored: not an article format")
    articles, rejections = _split(list(read([tmp_path])))
    assert [(a.title, a.body) for a in articles] == [("Headline", "Body text here."), ("From metadata", "Whole body.")]
    assert articles[1].published is not None
    assert not rejections


def test_missing_and_unsupported_paths_are_rejections(tmp_path: Path):
    (tmp_path / "x.xml").write_text("<a/>")
    records = list(read([tmp_path / "nope.jsonl", tmp_path / "x.xml"]))
    assert all(isinstance(r, Rejection) for r in records)
    assert "no such file" in records[0].reason
    assert "unsupported file type" in records[1].reason


def test_seed_is_readable(seed):
    assert seed.title and "Kim Jong Un" in seed.body
    assert seed.published.date().isoformat() == "2023-09-13"
