"""`newsindex serve`: pages and JSON API through Starlette's in-process TestClient."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from helpers import newsroom, utc

from newsindex import Article, FacetCount, Index
from newsindex.cli import main

pytest.importorskip("starlette")
pytest.importorskip("starlette.testclient")  # needs httpx2 (Starlette 1.10)
pytest.importorskip("jinja2")

from starlette.testclient import TestClient

from newsindex._serve import create_app, is_loopback
from newsindex._serve.app import CSP
from newsindex._serve.timeline import build_timeline

SEED_ID = "seed-kim-putin-vostochny"


def _filler(n: int) -> list[Article]:
    return [a for a in newsroom(n) if a.id.startswith("w")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("served") / "index"
    with Index(path, procs=1) as ix:
        ix.add(newsroom())
    return path


@pytest.fixture(scope="module")
def client(served: Path):
    app = create_app(served)
    with TestClient(app) as c:
        yield c
    app.state.pool.close()


def _hrefs(page: str, css_class: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'class="{css_class}[^"]*" href="([^"]+)"', page)]


def _count(page: str) -> int:
    match = re.search(r'data-total="(\d+)"', page)
    assert match, "no result count on the page"
    return int(match.group(1))


# -- pages -----------------------------------------------------------------------------


def test_search_page_finds_the_seed_with_snippet_marks_and_entities(client: TestClient):
    r = client.get("/", params={"q": '"ballistic missiles"'})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert _count(r.text) == 1
    assert "Kim Jong Un arrives at Russia" in r.text
    marked = re.findall(r'<mark class="match">([^<]+)</mark>', r.text)
    assert [m.lower() for m in marked[:2]] == ["ballistic", "missiles"]
    assert 'class="chip chip-person"' in r.text  # the hit's people
    (link,) = re.findall(rf'href="(/articles/{SEED_ID}[^"]*)"', r.text)
    article = client.get(html.unescape(link))
    back = re.search(r'<p class="back"><a href="([^"]+)">([^<]+)<', article.text)
    assert back and back.group(2) == "← Back to the results"
    assert _count(client.get(html.unescape(back.group(1))).text) == 1


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/articles/x"])
def test_article_back_link_stays_on_the_search_page(client: TestClient, back: str):
    page = client.get(f"/articles/{SEED_ID}", params={"back": back}).text
    assert '<p class="back"><a href="/">← Search</a>' in page


def test_person_facet_narrows_and_shows_a_removable_filter(client: TestClient):
    r = client.get("/", params={"q": "wheat OR putin"})
    before = _count(r.text)
    links = dict(
        (html.unescape(m[1]), html.unescape(m[0]))
        for m in re.findall(r'class="facet-link facet-person" href="([^"]+)"><span class="facet-name">([^<]+)<', r.text)
    )
    assert "Kim Jong Un" in links and "Trader 1" in links
    narrowed = client.get(links["Trader 1"])
    assert narrowed.status_code == 200
    after = _count(narrowed.text)
    assert 0 < after < before
    assert after == Index(client.app.state.pool.path, create=False).search('(wheat OR putin) person:"Trader 1"').total
    assert "person:&#34;Trader 1&#34;" in narrowed.text or "person:&quot;Trader 1&quot;" in narrowed.text
    (remove,) = _hrefs(narrowed.text, "filter-remove")
    assert _count(client.get(remove).text) == before


def test_timeline_bars_narrow_to_their_period_with_their_count(client: TestClient):
    r = client.get("/", params={"q": "wheat"})
    bars = re.findall(r'<a href="([^"]+)" class="bar-link" aria-label="([^:]+): ([\d,]+) article', r.text)
    assert len(bars) == 12  # 2020, month by month
    total = 0
    for href, _label, count in bars:
        params = parse_qs(urlsplit(html.unescape(href)).query)
        assert params["f"][-1].startswith("published:2020-")
        page = client.get(html.unescape(href))
        assert _count(page.text) == int(count.replace(",", ""))
        total += int(count)
    assert total == _count(r.text)


def test_every_state_is_a_get_url_sort_and_pages(client: TestClient):
    first = client.get("/", params={"q": "wheat", "sort": "newest"})
    dates = re.findall(r'<time datetime="([^"]+)"', first.text)
    assert dates == sorted(dates, reverse=True) and len(dates) == 10
    nxt = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert nxt and "page=2" in nxt.group(1) and "sort=newest" in nxt.group(1)
    second = client.get(html.unescape(nxt.group(1)))
    later = re.findall(r'<time datetime="([^"]+)"', second.text)
    assert later and max(later) <= min(dates)


def test_malformed_query_shows_message_and_marker_not_a_server_error(client: TestClient):
    r = client.get("/", params={"q": 'kim "ballistic'})
    assert r.status_code == 400
    assert "phrase needs a closing quote" in r.text
    assert re.search(r'<mark class="error-at"[^>]*>&#34;</mark>', r.text)
    assert 'data-error-position="4"' in r.text
    bad_sort = client.get("/", params={"q": "kim", "sort": "sideways"})
    assert bad_sort.status_code == 400 and "sort must be one of" in bad_sort.text


def test_did_you_mean_is_a_link(client: TestClient):
    r = client.get("/", params={"q": "balistic"})
    link = re.search(r'<a href="([^"]+)" class="suggestion-link">([^<]+)</a>', r.text)
    assert link and link.group(2) == "ballistic"
    assert _count(client.get(html.unescape(link.group(1))).text) == 1


def test_article_page_marks_entities_and_links_them(client: TestClient):
    r = client.get(f"/articles/{SEED_ID}")
    assert r.status_code == 200
    marks = re.findall(r'<a class="ent ent-(\w+)" href="([^"]+)"[^>]*>([^<]+)<', r.text)
    people = {text for kind, _, text in marks if kind == "person"}
    assert {"Kim Jong Un", "Putin", "Vladimir Putin"} <= people
    assert any(kind == "location" for kind, _, _ in marks)
    href = next(h for kind, h, text in marks if text == "Kim Jong Un")
    assert parse_qs(urlsplit(html.unescape(href)).query)["q"] == ['person:"Kim Jong Un"']
    assert f'href="/api/articles/{SEED_ID}"' in r.text
    similar = r.text.split('id="similar-title"')[1]
    assert 'href="/articles/kim-leaves"' in similar


def test_unknown_article_is_404(client: TestClient):
    assert client.get("/articles/no-such-id").status_code == 404
    assert client.get("/nowhere").status_code == 404


def test_hostile_text_is_escaped_everywhere(client: TestClient):
    pages = [
        client.get("/", params={"q": "tanks"}).text,
        client.get("/articles/hostile").text,
        client.get("/", params={"q": 'person:"Eve"'}).text,
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b>bold" not in page and "<i>src" not in page
        assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert" in pages[1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]
    assert "javascript:alert(2)" in html.unescape(pages[1])  # shown as text, not a link


def test_security_headers_and_read_only(client: TestClient):
    for url in ("/", "/?q=kim", "/api/stats", f"/articles/{SEED_ID}", "/static/newsindex.css"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert client.post("/", data={"q": "kim"}).status_code == 405
    assert client.delete(f"/api/articles/{SEED_ID}").status_code == 405


def test_pages_load_nothing_from_the_network(client: TestClient):
    page = client.get("/", params={"q": "kim"}).text + client.get(f"/articles/{SEED_ID}").text
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not ref.startswith(("http:", "https:", "//")), ref


# -- JSON API --------------------------------------------------------------------------


def test_api_search_shape_and_facets(client: TestClient):
    r = client.get("/api/search", params={"q": "wheat", "limit": 5, "page": 2, "facets": "person,published:year"})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 1200 and data["page"] == 2 and data["limit"] == 5 and data["pages"] == 240
    assert len(data["hits"]) == 5
    assert set(data["hits"][0]) == {"id", "title", "published", "source", "url", "score", "snippet", "highlights"}
    assert data["facets"]["published"] == [{"value": "2020", "count": 1200}]
    assert sum(c["count"] for c in data["facets"]["person"]) == 1200


@pytest.mark.parametrize(
    ("params", "position"),
    [({"q": "(wheat"}, 0), ({"q": "title:"}, 0), ({"q": "persn:putin"}, 0), ({"q": ""}, None)],
)
def test_api_bad_query_is_400_with_position(client: TestClient, params: dict[str, str], position: int | None):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"error", "position"} and body["error"]
    assert (body["position"] is None) == (position is None)


def test_api_bad_parameters_are_400(client: TestClient):
    assert client.get("/api/search", params={"q": "kim", "limit": "x"}).status_code == 400
    assert client.get("/api/search", params={"q": "kim", "limit": 1001}).status_code == 400
    assert client.get("/api/search", params={"q": "kim", "page": 5000, "limit": 100}).status_code == 400
    assert client.get("/api/search", params={"q": "kim", "facets": "colour"}).status_code == 400


def test_api_article_similar_and_404(client: TestClient):
    r = client.get(f"/api/articles/{SEED_ID}")
    assert r.status_code == 200
    with Index(client.app.state.pool.path, create=False) as ix:
        assert r.json() == json.loads(json.dumps(ix.get(SEED_ID).to_dict()))
    sim = client.get(f"/api/articles/{SEED_ID}/similar", params={"limit": 3})
    assert sim.status_code == 200 and SEED_ID not in {h["id"] for h in sim.json()["hits"]}
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    assert client.get("/api/articles/nope/similar").status_code == 404


def test_api_stats(client: TestClient):
    data = client.get("/api/stats").json()
    assert data["documents"] == 1203
    assert "path" not in data
    assert data["oldest"].startswith("2020-01") and data["newest"].startswith("2023-09-17")


def test_api_export_streams_every_match(client: TestClient):
    with client.stream("GET", "/api/export", params={"q": "wheat", "fields": "id,published"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert r.headers["x-total-count"] == "1200"
        rows = [json.loads(line) for line in r.iter_lines() if line]
    assert len(rows) == 1200 and len({row["id"] for row in rows}) == 1200
    assert [row["published"] for row in rows] == sorted(row["published"] for row in rows)  # oldest first
    csv_text = client.get("/api/export", params={"q": "grain", "format": "csv", "fields": "id,title"}).text
    lines = csv_text.strip().splitlines()
    assert lines[0] == "id,title" and len(lines) - 1 == 600
    bad = client.get("/api/export", params={"q": "(wheat"})
    assert bad.status_code == 400 and bad.json()["position"] == 0
    assert client.get("/api/export", params={"q": "wheat", "format": "xml"}).status_code == 400


def test_api_export_frees_its_slot_after_each_export(client: TestClient):
    # At most two exports run at once; each finished export gives its slot back.
    for _ in range(5):
        r = client.get("/api/export", params={"q": "location:kansas", "fields": "id"})
        assert r.status_code == 200 and len(r.text.splitlines()) == int(r.headers["x-total-count"]) == 300


# -- concurrency and freshness ---------------------------------------------------------


def test_concurrent_requests_while_another_writer_commits(tmp_path: Path):
    path = tmp_path / "live"
    with Index(path, entities=None, procs=1) as ix:
        ix.add(_filler(50))
    app = create_app(path)
    errors: list[str] = []
    with TestClient(app) as c:

        def reader() -> None:
            for _ in range(15):
                r = c.get("/api/search", params={"q": "wheat", "facets": "person"})
                if r.status_code != 200 or r.json()["total"] not in (50, 100):
                    errors.append(f"{r.status_code} {r.text[:80]}")

        threads = [threading.Thread(target=reader) for _ in range(6)]
        for t in threads:
            t.start()
        with Index(path, entities=None, procs=1) as writer:
            writer.add([Article(id=f"new{i}", title="Wheat news", body="wheat", persons=[]) for i in range(50)])
        for t in threads:
            t.join()
        assert errors == []
        # After the commit, every pooled Index sees it (refreshed, not reopened per request).
        assert {c.get("/api/search", params={"q": "wheat"}).json()["total"] for _ in range(8)} == {100}
    app.state.pool.close()


# -- the command and the timeline --------------------------------------------------------


def test_serve_command_warns_off_loopback(monkeypatch: pytest.MonkeyPatch, served: Path):
    import newsindex._serve as serve_module

    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(serve_module, "run", lambda *a, **k: calls.append((a, k)))
    runner = CliRunner()
    quiet = runner.invoke(main, ["serve", "--index", str(served)])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr and "http://127.0.0.1:8080/" in quiet.stderr
    loud = runner.invoke(main, ["serve", "--index", str(served), "--host", "0.0.0.0", "--port", "9000"])
    assert loud.exit_code == 0 and "warning: listening on 0.0.0.0, not loopback" in loud.stderr
    assert calls[-1][1] == {"host": "0.0.0.0", "port": 9000, "readers": 2}


def test_serve_without_an_index_fails_before_listening(tmp_path: Path):
    r = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert r.exit_code == 2 and "no index at" in r.stderr and "serving" not in r.stderr


def test_serve_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, served: Path):
    monkeypatch.setitem(sys.modules, "newsindex._serve", None)  # as if starlette were missing
    r = CliRunner().invoke(main, ["serve", "--index", str(served)])
    assert r.exit_code == 2 and "pip install 'newsindex[serve]'" in r.stderr


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.com")


def _days(*pairs: tuple[str, int]) -> list[FacetCount]:
    return [FacetCount(d, c) for d, c in pairs]


@pytest.mark.parametrize(
    ("first", "last", "granularity", "bars"),
    [
        ("2023-09-01", "2023-09-30", "day", 30),
        ("2023-09-01", "2023-12-31", "week", 18),
        ("2020-01-15", "2021-06-02", "month", 18),
        ("1987-02-26", "2023-09-13", "year", 37),
    ],
)
def test_timeline_granularity_follows_the_span(first: str, last: str, granularity: str, bars: int):
    t = build_timeline(_days((first, 3), (last, 2)))
    assert t is not None and t.granularity == granularity and len(t.bars) == bars
    assert sum(b.count for b in t.bars) == 5 and t.peak.count == 3
    assert t.bars[0].start <= dt.date.fromisoformat(first) and t.bars[-1].start <= dt.date.fromisoformat(last)


def test_timeline_week_bars_are_ranges_the_parser_takes(index: Index):
    days = range(0, 29, 3)
    index.add([Article(id=f"d{i}", title="x", body="week story", published=utc(2023, 9, 1 + i)) for i in days])
    index.add([Article(id="late", title="x", body="week story", published=utc(2023, 12, 1))])
    t = build_timeline(index.search("story", facets=["published:day"]).facets["published"])
    assert t is not None and t.granularity == "week"
    for bar in t.bars:
        assert bar.filter.startswith("published:[") and index.search(f"story {bar.filter}").total == bar.count
    assert build_timeline([]) is None


def test_bench_serve_runs_and_reports(served: Path):
    """A smoke test of benchmarks/bench_serve.py (a second per phase); its figures are not asserted."""
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_serve.py"
    args = ["--index", str(served), "--clients", "2", "--duration", "1", "--writer-docs", "20", "--json"]
    out = subprocess.run([sys.executable, str(bench), *args], capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(out.stdout)
    for phase in ("alone", "with_writer"):
        assert report[phase]["requests"] > 0 and report[phase]["errors"] == 0
        assert report[phase]["VmRSS"] > 0
    assert report["with_writer"]["documents_after"] == report["with_writer"]["documents_before"] + 20
    assert Index(served, create=False).stats().documents == 1203  # the bench wrote to a copy
