"""Results of the query layer: totals, pages, facets, did-you-mean, more-like-this, limits.

The small index here is synthetic so every expected number is counted from
the articles themselves; the Reuters tests compare totals with a plain scan.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter

import pytest
from click.testing import CliRunner
from helpers import utc

from newsindex import Article, Index, Q, QueryError
from newsindex._analysis import index_terms
from newsindex.cli import main

NOW = dt.datetime(1987, 3, 20, 12, tzinfo=dt.UTC)  # a Friday
PEOPLE = ["Vladimir Putin", "Kim Jong Un", "Sergei Shoigu", "Joe Biden"]
PLACES = ["Moscow", "Pyongyang", "Vostochny", "Washington"]
ORGS = ["United Nations", "Kremlin", "NATO"]


def _articles() -> list[Article]:
    out = []
    for i in range(60):
        persons = [PEOPLE[i % 4]] + ([PEOPLE[(i + 1) % 4]] if i % 3 == 0 else [])
        out.append(
            Article(
                id=f"a{i:02d}",
                title=f"Summit report {i}",
                body=f"{persons[0]} met officials about ballistic missiles and grain. Story {i}.",
                published=dt.datetime(2023, 8, 20, tzinfo=dt.UTC) + dt.timedelta(days=i, hours=i % 24),
                source=["Reuters", "AP"][i % 2],
                persons=persons,
                organizations=[ORGS[i % 3]],
                locations=[PLACES[i % 4]],
            )
        )
    words = " ".join(f"qq{n:04d}x" for n in range(1200))  # a wide lexicon for the expansion cap
    out.append(Article(id="lexicon", title="Word list", body=words, published="2023-10-30", source="Lab", persons=[]))
    return out


ARTICLES = _articles()


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("news") / "index"
    with Index(path, entities=None, procs=1) as ix:
        ix.add(ARTICLES)
    with Index(path, create=False, entities=None, procs=1) as ix:
        yield ix


def _matching(pred) -> list[Article]:
    return [a for a in ARTICLES[:60] if pred(a)]


def test_total_is_exact_and_pages_cover_every_match(news):
    expected = {a.id for a in _matching(lambda a: "Vladimir Putin" in a.persons)}
    seen: list[str] = []
    for page in itertools.count(1):
        results = news.search('person:"Vladimir Putin"', limit=7, page=page)
        assert results.total == len(expected)
        if not results.hits:
            break
        seen += [hit.id for hit in results]
    assert sorted(seen) == sorted(expected) and results.pages == -(-len(expected) // 7)


def test_sort_newest_and_oldest(news):
    newest = [h.published for h in news.search("grain", sort="newest", limit=20)]
    oldest = [h.published for h in news.search("grain", sort="oldest", limit=20)]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert newest[0] == max(a.published for a in _matching(lambda a: "grain" in a.body))


def test_snippets_mark_the_matched_words(news):
    hit = news.search('"ballistic missiles"', limit=1).hits[0]
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert marked == {"ballistic", "missiles"}


@pytest.mark.parametrize(("facet", "attr"), [("person", "persons"), ("org", "organizations"), ("place", "locations")])
def test_entity_facets_count_the_whole_result_set(news, facet, attr):
    results = news.search("grain published:2023-09", limit=1, facets=[facet], facet_limit=50)
    matching = _matching(lambda a: "grain" in a.body and a.published.strftime("%Y-%m") == "2023-09")
    expected = Counter(name for a in matching for name in getattr(a, attr))
    (counts,) = results.facets.values()
    assert {c.value: c.count for c in counts} == expected
    assert [c.count for c in counts] == sorted((c.count for c in counts), reverse=True)


def test_facet_limit_and_source_facet(news):
    results = news.search("grain", facets=["person", "source"], facet_limit=2)
    assert len(results.facets["person"]) == 2
    assert {c.value: c.count for c in results.facets["source"]} == Counter(a.source for a in ARTICLES[:60])


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        ("day", lambda d: d.date().isoformat()),
        ("week", lambda d: "{}-W{:02d}".format(*d.isocalendar()[:2])),
        ("month", lambda d: d.strftime("%Y-%m")),
        ("year", lambda d: d.strftime("%Y")),
    ],
)
def test_date_histogram(news, interval, label):
    results = news.search("grain", facets=[f"published:{interval}"])
    expected = Counter(label(a.published) for a in _matching(lambda a: "grain" in a.body))
    counts = results.facets["published"]
    assert {c.value: c.count for c in counts} == expected
    assert [c.value for c in counts] == sorted(expected)


def test_unknown_facet_is_a_query_error(news):
    with pytest.raises(QueryError, match="unknown facet"):
        news.search("grain", facets=["colour"])


def test_did_you_mean(news):
    assert news.search("person:putn").suggestion == "person:putin"
    assert news.search("Misiles grain").suggestion == "Missiles grain"  # stems in the index, words out
    assert news.search("missiles grain").suggestion is None


def test_similar_finds_related_articles_but_not_itself(news):
    results = news.similar("a00", limit=5)
    assert results is not None and results.total > 0
    ids = [hit.id for hit in results]
    assert "a00" not in ids and "lexicon" not in ids
    assert news.similar("no-such-id") is None


def test_wildcard_and_fuzzy_expansion_is_capped(news):
    assert news.search("qq000*").total == 1  # ten words: fine
    for text in ["qq*", "*", "body:*"]:
        with pytest.raises(QueryError, match="matches"):
            news.search(text)


def test_hostile_queries_return(news):
    with pytest.raises(QueryError):
        news.search("x" * 1_000_000)
    with pytest.raises(QueryError):
        news.search("(" * 10_000)
    assert news.search(" OR ".join(f"w{n}" for n in range(400))).total == 0


def test_builder_and_text_give_the_same_results(news):
    built = Q.phrase("ballistic missiles") & Q.person("Kim Jong Un") & Q.published(since=dt.date(2023, 9, 1))
    text = '"ballistic missiles" person:"Kim Jong Un" published:>=2023-09-01'
    by_q, by_text = news.search(built, limit=100), news.search(text, limit=100)
    assert by_q.total == by_text.total > 0
    assert [h.id for h in by_q] == [h.id for h in by_text]


# -- command line --------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(news):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [*args, "--index", str(news.path)], catch_exceptions=False)

    return invoke


def test_cli_facets_json_and_text(cli):
    data = json.loads(cli("search", "grain", "--facets", "person,published:month", "--json").stdout)
    assert sum(c["count"] for c in data["facets"]["published"]) == data["total"]
    text = cli("search", "grain", "--facets", "source", "--facet-limit", "1").stdout
    assert "source" in text and "Reuters" in text


def test_cli_did_you_mean_and_bad_facet(cli):
    assert "did you mean: person:putin" in cli("search", "person:putn").stdout
    bad = cli("search", "grain", "--facets", "colour")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1


def test_cli_similar(cli):
    out = cli("similar", "a00", "--json", "--limit", "3")
    assert out.exit_code == 0 and len(json.loads(out.stdout)["hits"]) == 3
    assert cli("similar", "nope").exit_code == 1


# -- exact totals against a scan of all of Reuters ----------------------------

RNOW = dt.datetime(1987, 3, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def scanned(reuters_full):
    """The full Reuters index, and each article's words as indexed, stop words
    included (title, a gap, body)."""
    ix, articles = reuters_full
    terms = [
        [t.text for t in index_terms(a.title, stops=False)] + [""] + [t.text for t in index_terms(a.body, stops=False)]
        for a in articles
    ]
    return ix, articles, terms


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("published:[1987-03-02 TO 1987-03-06]", utc(1987, 3, 2), utc(1987, 3, 7)),
        ("published:[1987-03-02 to 1987-03-06]", utc(1987, 3, 2), utc(1987, 3, 7)),
        ("published:{1987-03-02 TO 1987-03-06}", utc(1987, 3, 3), utc(1987, 3, 6)),
        ("published:[1987-03-10 TO]", utc(1987, 3, 10), None),
        ("published:[TO 1987-03-01]", None, utc(1987, 3, 2)),
        ("published:>=1987-03-05", utc(1987, 3, 5), None),
        ("published:>1987-03-05", utc(1987, 3, 6), None),
        ("published:<1987-03-01", None, utc(1987, 3, 1)),
        ("published:<=1987-03-01", None, utc(1987, 3, 2)),
        ("published:1987", utc(1987, 1, 1), utc(1988, 1, 1)),
        ("published:1987-02", utc(1987, 2, 1), utc(1987, 3, 1)),
        ("published:1987-03-03", utc(1987, 3, 3), utc(1987, 3, 4)),
        ("published:yesterday", utc(1987, 3, 19), utc(1987, 3, 20)),
        ("published:[-7d TO now]", utc(1987, 3, 13), RNOW + dt.timedelta(microseconds=1)),
        ('published:"last week"', utc(1987, 3, 9), utc(1987, 3, 16)),
        ("published:['last month' to now]", utc(1987, 2, 1), RNOW + dt.timedelta(microseconds=1)),
    ],
)
def test_date_totals_equal_a_scan(reuters_full, text, lo, hi):
    ix, articles = reuters_full
    expected = sum(
        1
        for a in articles
        if a.published is not None and (lo is None or a.published >= lo) and (hi is None or a.published < hi)
    )
    assert ix.search(text, now=RNOW).total == expected


def _has_phrase(terms: list[str], words: list[str]) -> bool:
    n = len(words)
    return any(terms[i : i + n] == words for i in range(len(terms) - n + 1))


@pytest.mark.parametrize(
    "phrase",
    [
        "oil prices",
        "interest rates",
        "west german",
        "crude oil prices",
        # Stop words are words of the phrase: adjacent and in order, as written.
        "bank of england",
        "tender offer",
        "the offer",
        "rose to",
        "the company said it",
        "in the first quarter",
    ],
)
def test_phrase_totals_equal_a_scan_of_adjacent_words(scanned, phrase):
    ix, _, terms = scanned
    words = [t.text for t in index_terms(phrase, stops=False)]
    expected = sum(1 for doc in terms if _has_phrase(doc, words))
    assert expected > 20
    assert ix.search(f'"{phrase}"').total == expected


@pytest.mark.parametrize(
    ("text", "must", "must_not"),
    [
        ("oil", [["oil"]], []),
        ("trade -japan", [["trade"]], ["japan"]),
        ("oil crude -price", [["oil"], ["crude"]], ["price"]),
        ("wheat ANDNOT corn", [["wheat"]], ["corn"]),
        ("oil REQUIRE price", [["oil"], ["price"]], []),
        ("wheat OR corn", [["wheat", "corn"]], []),
        ("bank interest", [["bank"], ["interest"]], []),
        ("title:dollar OR tokyo", [["tokyo"]], []),  # the title clause is checked below
    ],
)
def test_word_totals_equal_a_scan_whatever_the_page_size(scanned, text, must, must_not):
    # Whoosh's top-N shortcuts skip documents that cannot make the page, so a
    # total counted from what was collected comes out short for some limits.
    ix, articles, terms = scanned
    expected = 0
    for article, doc in zip(articles, terms, strict=True):
        words = set(doc)
        title_dollar = text.startswith("title:") and "dollar" in {t.text for t in index_terms(article.title)}
        hit = all(words & set(alternatives) for alternatives in must) and not words & set(must_not)
        expected += hit or title_dollar
    assert expected > 100
    for limit in (1, 10, 100):
        assert ix.search(text, limit=limit).total == expected, limit
    assert ix.search(text, sort="newest").total == expected


def test_facets_over_segments_without_names_read_no_stored_fields(tmp_path, monkeypatch):
    """A segment where no article has names (an index built without entity
    extraction) has no name columns: its facets are empty, counted without
    reading one stored field per match; a segment with names still counts them."""
    from whoosh.reading import SegmentReader

    plain = [
        Article(id=f"p{i}", title="Grain", body="grain and more grain", published=utc(2023, 9, 1 + i), source="AP")
        for i in range(6)
    ]
    named = [
        Article(
            id=f"n{i}", title="Grain", body="grain again", published=utc(2023, 10, 1), source="AP", persons=[PEOPLE[i]]
        )
        for i in range(2)
    ]
    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        ix.add(plain)
    specs = ["person", "org", "location", "source", "published:month"]
    calls = 0
    real = SegmentReader.stored_fields

    def counting(self, docnum):
        nonlocal calls
        calls += 1
        return real(self, docnum)

    monkeypatch.setattr(SegmentReader, "stored_fields", counting)
    with Index(tmp_path / "ix", create=False, entities=None, procs=1) as ix:
        ix.search("grain", facets=specs)  # warm the columns
        calls = 0
        ix.search("grain", limit=1)
        without = calls
        calls = 0
        results = ix.search("grain", limit=1, facets=specs)
        assert calls == without  # the page's one hit, nothing per match
        assert results.facets["person"] == results.facets["organization"] == results.facets["location"] == ()
        assert {c.value: c.count for c in results.facets["published"]} == {"2023-09": 6}
        ix.add(named)  # a second segment, with a person column
    with Index(tmp_path / "ix", create=False, entities=None, procs=1) as ix:
        results = ix.search("grain", facets=specs)
        assert results.total == 8
        assert {c.value: c.count for c in results.facets["person"]} == {PEOPLE[0]: 1, PEOPLE[1]: 1}
        assert {c.value: c.count for c in results.facets["published"]} == {"2023-09": 6, "2023-10": 2}
        assert results.facets["organization"] == ()


def test_equal_scores_rank_by_article_id_across_segments(tmp_path):
    """A date range scores every match alike: hits come by article id, page by
    page, whatever segment or insertion order holds them."""
    ids = [f"z{(i * 7) % 23:02d}" for i in range(23)]  # inserted out of id order
    with Index(tmp_path / "ix", entities=None, procs=1) as ix:
        for part in (ids[:9], ids[9:]):  # two segments
            ix.add(Article(id=i, title="t", body="grain", published=utc(2023, 9, 1)) for i in part)
    with Index(tmp_path / "ix", create=False, entities=None, procs=1) as ix:
        seen = [h.id for p in (1, 2, 3) for h in ix.search("published:2023-09", limit=10, page=p).hits]
        assert seen == sorted(ids)
        newest = [h.id for h in ix.search("published:2023", limit=5, sort="newest").hits]
        assert newest == sorted(ids)[:5]


def test_a_required_word_no_segment_holds_matches_nothing(news):
    """cannot_match judges a query empty only when a required word is missing
    everywhere; searches it skips still give totals, facets and suggestions."""
    from whoosh import query

    from newsindex._query import parse
    from newsindex._searching import cannot_match
    from newsindex._whoosh import Phrase

    reader = news._search().reader()
    grain, nothing = query.Term("body", "grain"), query.Term("body", "zzyzx")
    assert cannot_match(nothing, reader) and not cannot_match(grain, reader)
    assert cannot_match(query.And([grain, nothing]), reader)
    assert not cannot_match(query.Or([grain, nothing]), reader)
    assert cannot_match(query.Or([nothing, query.Term("title", "zzyzx")]), reader)
    assert not cannot_match(query.And([grain, query.Not(nothing)]), reader)
    assert cannot_match(Phrase("body", ["grain", "zzyzx"]), reader)
    assert not cannot_match(parse('"ballistic missiles"', reader.schema), reader)
    results = news.search("(grain OR missiles) location:atlantis", facets=["person", "published:month"])
    assert results.total == 0 and results.hits == () and results.facets == {"person": (), "published": ()}
    assert news.search("grain person:putn").suggestion == "grain person:putin"
