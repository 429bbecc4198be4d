from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest

from newsindex import Article, Rejection, _readers, read
from newsindex._article import MAX_TEXT_CHARS


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


# Issue #12, item 8: the same inputs are accepted in every format.

BIG_BODY = "word " * 200_000  # 1,000,000 characters: over csv's default 131,072 field limit


def _write_each_format(folder: Path, record: dict[str, str]) -> list[Path]:
    """The same record as .jsonl, .json (array and object) and .csv."""
    jsonl, array, single, table = (folder / n for n in ("a.jsonl", "b.json", "c.json", "d.csv"))
    jsonl.write_text(json.dumps(record) + "\n")
    array.write_text(json.dumps([record]))
    single.write_text(json.dumps(record))
    with table.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(record))
        writer.writeheader()
        writer.writerow(record)
    return [jsonl, array, single, table]


def test_a_long_body_is_accepted_in_every_format(tmp_path: Path):
    """Probe: a CSV body over 131,072 characters was refused (Python's csv field limit)."""
    paths = _write_each_format(tmp_path, {"title": "Long", "body": BIG_BODY.strip()})
    for path in paths:
        articles, rejections = _split(list(read([path])))
        assert not rejections, (path.name, rejections)
        assert [len(a.body) for a in articles] == [len(BIG_BODY.strip())], path.name


def test_csv_field_limit_is_left_as_it_was(tmp_path: Path):
    """Reading a CSV must not change the process-wide csv limit other code relies on."""
    before = csv.field_size_limit()
    _, _, _, table = _write_each_format(tmp_path, {"title": "Long", "body": BIG_BODY.strip()})
    list(read([table]))
    assert csv.field_size_limit() == before


def test_a_text_over_the_article_limit_is_rejected_alike_in_every_format(tmp_path: Path):
    body = "x" * (MAX_TEXT_CHARS + 1)
    for path in _write_each_format(tmp_path, {"title": "Huge", "body": body}):
        articles, rejections = _split(list(read([path])))
        assert not articles, path.name
        assert len(rejections) == 1 and "over the" in rejections[0].reason, (path.name, rejections)


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv"])
def test_a_record_over_the_record_limit_is_rejected_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
):
    """Probe: a 200 MB .json object was read whole (858 MB peak); .jsonl lines had a limit.

    With the limit lowered to 1 MB, a 30 MB record is rejected, the records
    around it are read, and memory stays far below the record's size.
    """
    monkeypatch.setattr(_readers, "MAX_RECORD_BYTES", 1_000_000)
    huge = {"title": "huge", "body": "y" * 30_000_000}
    small = [{"title": "before", "body": "a"}, {"title": "after", "body": "b"}]
    path = tmp_path / f"big{suffix}"
    if suffix == ".json":
        path.write_text("[\n" + ",\n".join(json.dumps(r) for r in [small[0], huge, small[1]]) + "\n]\n")
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in [small[0], huge, small[1]]))
    else:
        rows = [small[0], huge, small[1]]
        path.write_text("title,body\n" + "".join(f"{r['title']},{r['body']}\n" for r in rows))
    tracemalloc.start()
    try:
        articles, rejections = _split(list(read([path])))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [a.title for a in articles] == ["before", "after"]
    assert [r.line for r in rejections] == [2 if suffix == ".jsonl" else 3]
    assert "limit" in rejections[0].reason
    assert peak < 10_000_000, f"peak {peak:,} bytes for a 30 MB record"


def test_a_single_json_object_over_the_limit_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_readers, "MAX_RECORD_BYTES", 1_000_000)
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "huge", "body": "z" * 30_000_000}))
    tracemalloc.start()
    try:
        records = list(read([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(records) == 1 and isinstance(records[0], Rejection) and "limit" in records[0].reason
    assert peak < 10_000_000, f"peak {peak:,} bytes for a 30 MB object"


def test_json_in_small_chunks_reads_like_json_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Streaming must not change what is read: elements that straddle chunk
    boundaries, a bad element and resynchronisation, line numbers."""
    monkeypatch.setattr(_readers, "_CHUNK", 7)
    test_json_array_with_line_numbers_and_resync_after_a_bad_element(tmp_path)
    path = tmp_path / "many.json"
    records = [{"title": f"t{i}", "body": "é" * i, "published": "2023-09-13"} for i in range(200)]
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]")
    articles, rejections = _split(list(read([path])))
    assert not rejections and [a.title for a in articles] == [r["title"] for r in records]
    trailing = tmp_path / "trailing.json"
    trailing.write_text('{"title": "t"} {"title": "u"}')
    (rejection,) = list(read([trailing]))
    assert isinstance(rejection, Rejection) and "malformed JSON" in rejection.reason


BOM = "\ufeff"


def test_a_byte_order_mark_is_accepted_and_stripped_everywhere(tmp_path: Path):
    """Probe: a UTF-8 BOM rejected a whole .json file and the first .jsonl line, and stayed in a .txt title."""
    record = {"title": "Marked", "body": "text"}
    paths = _write_each_format(tmp_path, record)
    for path in paths:
        path.write_bytes(BOM.encode() + path.read_bytes())
    txt = tmp_path / "e.txt"
    txt.write_text(BOM + "Marked\ntext")
    sidecar_txt, sidecar = tmp_path / "f.txt", tmp_path / "f.json"
    sidecar_txt.write_text(BOM + "text")
    sidecar.write_text(BOM + json.dumps({"title": "Marked"}))
    for path in [*paths, txt, sidecar_txt]:
        articles, rejections = _split(list(read([path])))
        assert not rejections, (path.name, rejections)
        assert [(a.title, a.body) for a in articles] == [("Marked", "text")], path.name
