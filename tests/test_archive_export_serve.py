"""`newsindex export` / `Archive.scan` and `newsindex serve` on a sharded archive: as on one index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REUTERS, newsroom, shared_file

from newsindex import Archive, Article, Index, read
from newsindex.cli import main

QUERIES = [
    "wheat",
    "wheat OR putin",
    "trader",
    "published:2020-03",
    "published:[2020-02-10 TO 2020-05-01] wheat",
    "wheat -published:2020-06",
    "whea*",
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The server's newsroom (seed, hostile article, 1,200 stories over 2020) in
    one index and in a monthly archive."""
    root = tmp_path_factory.mktemp("archive-export")
    articles = newsroom()
    with Index(root / "one", procs=1) as one:
        one.add(articles)
    with Archive(root / "arc", procs=1) as arc:
        arc.add(articles)
        assert len(arc.shards()) > 5
    return root / "one", root / "arc"


@pytest.mark.parametrize("sort", ["oldest", "newest", "relevance"])
def test_archive_scan_yields_what_one_index_yields_in_the_same_order(pair, sort: str):
    one_path, arc_path = pair
    with Index(one_path, create=False) as one, Archive(arc_path, create=False) as arc:
        for q in QUERIES:
            with one.scan(q, sort=sort) as expected, arc.scan(q, sort=sort) as got:
                assert len(got) == len(expected) == one.search(q).total, q
                assert list(got) == list(expected), q
        with arc.scan("wheat", fields="id,title,people") as scan:
            first = next(scan)
            assert set(first) == {"id", "title", "persons"}


@pytest.mark.slow
def test_archive_scan_by_relevance_scores_with_archive_wide_statistics(tmp_path: Path):
    """Reuters over its months: relevance order needs the global statistics (a
    shard's own would reorder the matches)."""
    articles = [r for r in read([shared_file(REUTERS)]) if isinstance(r, Article)][::5]
    with Index(tmp_path / "one", entities=None, procs=2) as one, Archive(tmp_path / "arc", entities=None) as arc:
        one.add(articles)
        arc.add(articles)
        for q in ("oil prices", "grain OR wheat", "missil* OR weapon*", "bank rates published:1987-03"):
            with (
                one.scan(q, sort="relevance", fields="id") as expected,
                arc.scan(q, sort="relevance", fields="id") as got,
            ):
                assert [r["id"] for r in got] == [r["id"] for r in expected], q


def test_cli_export_of_an_archive_writes_what_one_index_writes(pair, tmp_path: Path):
    one_path, arc_path = pair
    runner = CliRunner()
    for fmt in ("jsonl", "csv"):
        outputs = []
        for path in (one_path, arc_path):
            out = tmp_path / f"{path.name}.{fmt}"
            result = runner.invoke(
                main,
                ["export", "wheat OR putin", "--index", str(path), "--format", fmt, "--sort", "newest", "-o", str(out)],
                catch_exceptions=False,
            )
            assert result.exit_code == 0, result.output
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 1000
    bad = runner.invoke(main, ["export", "(wheat", "--index", str(arc_path)])
    assert bad.exit_code == 2 and "bad query" in bad.stderr and "Traceback" not in bad.output


pytest.importorskip("starlette")
pytest.importorskip("starlette.testclient")
pytest.importorskip("jinja2")


def _app(path: Path):
    from starlette.testclient import TestClient

    from newsindex._serve import create_app

    app = create_app(path)
    return app, TestClient(app)


def test_serve_opens_an_archive_like_an_index(pair):
    one_path, arc_path = pair
    one_app, one = _app(one_path)
    arc_app, arc = _app(arc_path)
    try:
        with one, arc:
            for params in (
                {"q": "wheat"},
                {"q": "wheat", "page": "3", "limit": "7"},
                {"q": "wheat OR putin", "facets": "person,org,location,published:month", "sort": "newest"},
                {"q": "balistic"},  # "did you mean"
                {"q": "(bad"},
            ):
                expected, got = one.get("/api/search", params=params), arc.get("/api/search", params=params)
                assert got.status_code == expected.status_code, params
                assert got.json() == expected.json(), params
                page_expected, page_got = one.get("/", params=params), arc.get("/", params=params)
                assert page_got.status_code == page_expected.status_code
                assert page_got.text == page_expected.text, params  # hits, facets, pager, timeline
            seed = "seed-kim-putin-vostochny"
            assert arc.get(f"/articles/{seed}").text == one.get(f"/articles/{seed}").text  # with similar articles
            assert arc.get(f"/api/articles/{seed}").json() == one.get(f"/api/articles/{seed}").json()
            assert arc.get("/articles/no-such-id").status_code == 404
            export = {"q": "wheat", "format": "jsonl", "sort": "oldest"}
            got_export = arc.get("/api/export", params=export)
            assert got_export.status_code == 200
            assert got_export.text == one.get("/api/export", params=export).text
            assert [json.loads(line)["id"] for line in got_export.text.splitlines()][:1]
            stats = arc.get("/api/stats").json()
            assert stats["documents"] == one.get("/api/stats").json()["documents"] and stats["shards"]
            assert arc.get("/").status_code == 200
    finally:
        one_app.state.pool.close()
        arc_app.state.pool.close()


def test_cli_serve_accepts_an_archive(pair, monkeypatch: pytest.MonkeyPatch):
    _, arc_path = pair
    served: list[Path] = []
    monkeypatch.setattr("newsindex._serve.run", lambda path, **kw: served.append(path))
    result = CliRunner().invoke(main, ["serve", "--index", str(arc_path), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert served == [arc_path]
