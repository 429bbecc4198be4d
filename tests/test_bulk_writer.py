"""The bulk segment writer against Whoosh's own: same documents, same index.

Each test indexes the same documents twice, once through Whoosh's
``SegmentWriter.add_document`` (the way ``_pipeline._write_segment`` does) and
once through :func:`newsindex._whoosh.bulk.write_segment`, and compares what
stock Whoosh readers see: every posting (document, weight, positions), every
block's statistics, term statistics, field lengths, stored fields, columns,
and the results and scores of searches. With ``identical=True`` the bulk
writer's files are also compared byte for byte with Whoosh's.
"""

from __future__ import annotations

import datetime as dt
import itertools
import string
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import analysis, fields, formats, query
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.qparser import QueryParser
from whoosh.writing import SegmentWriter

from newsindex import Article, Index, read
from newsindex._analysis import name_terms
from newsindex._entities import get_extractor
from newsindex._pipeline import analyze
from newsindex._schema import build_schema, names_as_tokens
from newsindex._whoosh import bulk, commit, lock_writer, merging, stored
from newsindex._whoosh.bulk import Tokens, write_segment
from newsindex._whoosh.storage import DurableStorage

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REUTERS = SHARED / "corpora" / "reuters21578.jsonl"

NAME_FIELDS = ("authors", "location", "organization", "person", "source")


# -- writing the same documents both ways ---------------------------------------


def to_bulk(doc: dict[str, Any]) -> dict[str, Any]:
    """Whoosh field values as the pipeline gives them to the bulk writer: names become
    Tokens with their gaps (``names_as_tokens``, as ``bulk_documents`` does)."""
    return names_as_tokens(dict(doc))


def _new_index(path: Path, schema: fields.Schema) -> FileIndex:
    path.mkdir(parents=True)
    return DurableStorage(str(path)).create_index(schema)


def _commit(ix: FileIndex, segments: list[Any]) -> None:
    writer = SegmentWriter(ix, _lk=False)
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


def _whoosh_segment(ix: FileIndex, docs: Sequence[dict[str, Any]], codec: W3Codec) -> Any:
    """One segment from Whoosh's SegmentWriter, as newsindex wrote them before the bulk writer."""
    writer = SegmentWriter(ix, _lk=False, codec=codec)
    try:
        for doc in docs:
            writer.add_document(**doc)
        return writer._finalize_segment()
    finally:
        writer._tempstorage.destroy()


def whoosh_index(path: Path, schema: fields.Schema, docs: Sequence[dict[str, Any]], codec: W3Codec) -> FileIndex:
    ix = _new_index(path, schema)
    _commit(ix, [_whoosh_segment(ix, docs, codec)])
    return ix


def _newsindex_folder(path: Path, write: Callable[[FileIndex], Any]) -> None:
    """A newsindex folder (format marker, checksummed commit) holding the segment ``write`` makes."""
    with Index(path, entities=None) as index:
        ix = index._ix
        commit(lock_writer(ix, 10), [write(ix)], [])


def bulk_index(path: Path, schema: fields.Schema, docs: Sequence[dict[str, Any]], codec: W3Codec) -> FileIndex:
    ix = _new_index(path, schema)
    segment = write_segment(ix.storage, ix.schema, docs, codec=codec)
    assert segment is not None
    _commit(ix, [segment])
    return ix


# -- comparing what readers see ----------------------------------------------------


def _outcome(fn: Callable[[], Any]) -> Any:
    """A value, or the type of the error: Whoosh fails alike on both (min length of a column-less field)."""
    try:
        return fn()
    except Exception as exc:
        return type(exc)


def _value(m: Any) -> Any:
    """A posting's value: its positions for the Positions format, whose bytes the bulk
    writer pickles more compactly (the same list for any unpickler); else the raw bytes."""
    value = m.value()
    fmt = m.format if hasattr(m, "format") else None
    if type(fmt) is formats.Positions:
        return fmt.decode_positions(value)
    return value


def _postings(reader: Any, name: str, term: bytes) -> list[tuple[Any, ...]]:
    """Every posting with the statistics of the block it is in."""
    m = reader.postings(name, term)
    out = []
    while m.is_active():
        out.append(
            (
                m.id(),
                m.weight(),
                _value(m),
                m.block_max_id(),
                m.block_max_weight(),
                m.block_min_length(),
                m.block_max_length(),
            )
        )
        m.next()
    return out


def _term_stats(reader: Any, name: str, term: bytes) -> tuple[Any, ...]:
    ti = reader.term_info(name, term)
    return (
        ti.weight(),
        ti.doc_frequency(),
        ti.min_length(),
        ti.max_length(),
        ti.max_weight(),
        ti.min_id(),
        ti.max_id(),
        reader.frequency(name, term),
        reader.doc_frequency(name, term),
    )


def assert_same_index(expected: FileIndex, actual: FileIndex, queries: Sequence[query.Query] = ()) -> int:
    """Assert two one-segment indexes read the same; returns how many postings were compared."""
    schema = expected.schema
    compared = 0
    with expected.reader() as r1, actual.reader() as r2:
        assert (r1.doc_count_all(), r1.doc_count()) == (r2.doc_count_all(), r2.doc_count())
        assert sorted(r1.indexed_field_names()) == sorted(r2.indexed_field_names())
        for name in sorted(r1.indexed_field_names()):
            terms = list(r1.lexicon(name))
            assert list(r2.lexicon(name)) == terms, name
            for term in terms:
                p1, p2 = _postings(r1, name, term), _postings(r2, name, term)
                assert p1 == p2, (name, term)  # positions decoded (see _value), other values byte for byte
                assert _term_stats(r1, name, term) == _term_stats(r2, name, term), (name, term)
                compared += len(p1)
        for name in schema.names():
            field = schema[name]
            assert r1.field_length(name) == r2.field_length(name), name
            assert _outcome(lambda n=name: r1.min_field_length(n)) == _outcome(lambda n=name: r2.min_field_length(n))
            assert _outcome(lambda n=name: r1.max_field_length(n)) == _outcome(lambda n=name: r2.max_field_length(n))
            assert [r1.doc_field_length(d, name) for d in r1.all_doc_ids()] == [
                r2.doc_field_length(d, name) for d in r2.all_doc_ids()
            ], name
            assert r1.has_column(name) == r2.has_column(name), name
            if field.column_type and r1.has_column(name):
                # translated values: Whoosh fails alike translating an undated document's default
                assert _outcome(lambda n=name: list(r1.column_reader(n))) == _outcome(
                    lambda n=name: list(r2.column_reader(n))
                ), name
                raw1 = list(r1.column_reader(name, translate=False))
                assert raw1 == list(r2.column_reader(name, translate=False)), name
        assert list(r1.all_stored_fields()) == list(r2.all_stored_fields())
    with expected.searcher() as s1, actual.searcher() as s2:
        for q in queries:
            h1 = [(hit.docnum, hit.score) for hit in s1.search(q, limit=None)]
            h2 = [(hit.docnum, hit.score) for hit in s2.search(q, limit=None)]
            assert h1 == h2, q
    return compared


def queries_for(ix: FileIndex, texts: Sequence[str] = ()) -> list[query.Query]:
    """Queries over the index's own words: frequent and rare terms, AND, OR, phrases."""
    out: list[query.Query] = []
    with ix.reader() as reader:
        for name in ("title", "body", "person", "organization", "location", "source", "authors"):
            if name not in reader.indexed_field_names():
                continue
            ranked = sorted(reader.iter_field(name), key=lambda item: (-item[1].doc_frequency(), item[0]))
            words = [term.decode("utf-8") for term, _ in ranked[:6]] + [term.decode("utf-8") for term, _ in ranked[-3:]]
            out += [query.Term(name, w) for w in words]
            if len(words) >= 2:
                out.append(query.And([query.Term(name, w) for w in words[:2]]))
                out.append(query.Or([query.Term(name, w) for w in words[:4]]))
                out.append(query.Phrase(name, words[:2]))
            docnum = next(iter(reader.all_doc_ids()), None)
            if docnum is not None:
                stored = reader.stored_fields(docnum).get(name)
                if isinstance(stored, str) and name in NAME_FIELDS:
                    # the first two name words as a phrase (in one name, or across the gap between
                    # two), and again with a slop wider than the gap
                    terms = name_terms(stored)
                    if len(terms) >= 2:
                        out.append(query.Phrase(name, [t.text for t in terms[:2]]))
                        out.append(query.Phrase(name, [t.text for t in terms[:2]], slop=150))
    parser = QueryParser("body", ix.schema)
    out += [parser.parse(text) for text in texts]
    out.append(query.DateRange("published", dt.datetime(1980, 1, 1), dt.datetime(2050, 6, 30)))
    out.append(query.Every())
    return out


# -- Hypothesis corpus ------------------------------------------------------------

# Odd words: unicode letters and digits, accents, CJK, symbols, the empty word,
# and no surrogates (UTF-8 cannot encode them, for either writer).
_odd = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\x00"), min_size=0, max_size=12
)
_plain = st.sampled_from(["oil", "price", "opec", "crude", "bank", "rate", "said", "é", "日本", "a" * 64, "zz"])
words = st.one_of(_plain, _plain, _plain, _odd)
name_word = st.text(alphabet=string.ascii_letters + "éøßЖ-'", min_size=1, max_size=9)
a_name = st.lists(name_word, min_size=1, max_size=4).map(" ".join)
names = st.lists(a_name, max_size=5).map("\n".join)
dates = st.none() | st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1))


@st.composite
def documents(draw: st.DrawFn, n: int) -> dict[str, Any]:
    title = draw(st.lists(words, max_size=8))
    # mostly short bodies, some long: long ones give big positions and lengths past the 1-byte range
    body = draw(st.lists(words, max_size=40) | st.lists(_plain, min_size=200, max_size=1500))
    doc: dict[str, Any] = {
        "id": f"doc-{n}",
        "title": tuple(title),
        "_stored_title": " ".join(title),
        "body": tuple(body),
        "_stored_body": " ".join(body),
        "language": draw(st.sampled_from(["en", "de", ""])),
    }
    when = draw(dates)
    if when is not None:
        doc["published"] = when
    if draw(st.booleans()):
        doc["url"] = f"https://example.com/{n}"
    for name in NAME_FIELDS:
        value = draw(st.none() | names)
        if value is not None:
            doc[name] = value
    return doc


corpora = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(*(documents(i) for i in range(n))).map(list)
)
# Small blocks make multi-block posting lists out of small corpora.
codecs = st.sampled_from([2, 3, 128]).map(lambda limit: W3Codec(blocklimit=limit))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(docs=corpora, codec=codecs)
def test_hypothesis_corpus_reads_the_same(tmp_path_factory: pytest.TempPathFactory, docs, codec) -> None:
    tmp = tmp_path_factory.mktemp("hyp")
    schema = build_schema()
    expected = whoosh_index(tmp / "whoosh", schema, docs, codec)
    actual = bulk_index(tmp / "bulk", schema, [to_bulk(d) for d in docs], codec)
    assert_same_index(expected, actual, queries_for(expected))
    identical = _new_index(tmp / "identical", schema)
    _commit(
        identical, [write_segment(identical.storage, schema, [to_bulk(d) for d in docs], codec=codec, identical=True)]
    )
    assert _subfiles(identical) == _subfiles(expected)


# -- explicit positions, with gaps ---------------------------------------------------


class _PositionedAnalyzer(analysis.Analyzer):
    """Reads ``"word@pos word@pos"``: Whoosh's side of explicit positions."""

    def __call__(self, value: str, positions: bool = False, **kwargs: Any) -> Iterator[analysis.Token]:
        token = analysis.Token(positions=positions, **kwargs)
        for item in value.split(" ") if value else ():
            text, _, pos = item.rpartition("@")
            token.text, token.boost, token.stopped = text, 1.0, False
            token.pos = int(pos)
            yield token


_gap_words = st.sampled_from(["oil", "price", "rose", "ölpreis", ""])


@st.composite
def positioned(draw: st.DrawFn) -> list[tuple[str, int]]:
    steps = draw(st.lists(st.tuples(_gap_words, st.sampled_from([0, 1, 1, 2, 5, 100])), max_size=30))
    out, pos = [], 0
    for word, step in steps:
        pos += step
        out.append((word, pos))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(positioned(), min_size=1, max_size=12), codec=codecs)
def test_explicit_positions_match_an_analyzer_with_gaps(tmp_path_factory: pytest.TempPathFactory, rows, codec) -> None:
    """Tokens positions (gaps, repeats at one position) index as an analyzer's would."""
    tmp = tmp_path_factory.mktemp("gaps")
    schema = fields.Schema(
        key=fields.ID(stored=True),
        text=fields.TEXT(analyzer=_PositionedAnalyzer(), stored=True, sortable=True, field_boost=1.5),
    )
    plain = [{"key": str(i), "text": " ".join(f"{w}@{p}" for w, p in row)} for i, row in enumerate(rows)]
    tokens = [
        {
            "key": str(i),
            "text": Tokens([w for w, _ in row], [p for _, p in row]),
            "_stored_text": plain[i]["text"],
        }
        for i, row in enumerate(rows)
    ]
    expected = whoosh_index(tmp / "whoosh", schema, plain, codec)
    actual = bulk_index(tmp / "bulk", schema, tokens, codec)
    queries = [query.Phrase("text", ["oil", "price"]), query.Phrase("text", ["oil", "price"], slop=3)]
    assert_same_index(expected, actual, queries + [query.Term("text", w) for w in ("oil", "price", "rose", "")])


_poslists = st.lists(st.integers(0, 70_000), min_size=1, max_size=300)


@settings(max_examples=200, deadline=None)
@given(poslist=st.one_of(_poslists.map(sorted), _poslists, st.lists(st.integers(0, 3), min_size=1, max_size=300)))
def test_compact_position_values_decode_as_whoosh_encodes(poslist: list[int]) -> None:
    """Deltas as bytes (all under 256) or as a headerless list: Whoosh decodes both."""
    fmt = formats.Positions()
    value = bulk._compact_positions_value(poslist)
    assert fmt.decode_positions(value) == fmt.decode_positions(fmt.encode(poslist)) == poslist
    assert fmt.decode_frequency(value) == len(poslist)


def test_boosts_and_other_field_types(tmp_path: Path) -> None:
    """Document and field boosts, KEYWORD (frequencies), NUMERIC, BOOLEAN, STORED, and strings
    analysed by the field's own analyzer (Whoosh's path inside the bulk writer) in the same
    field as lists of words (the fast path)."""
    schema = fields.Schema(
        key=fields.ID(stored=True, sortable=True),
        tags=fields.KEYWORD(scorable=True, stored=True),
        text=fields.TEXT(stored=True),
        chars=fields.TEXT(chars=True),
        n=fields.NUMERIC(int, stored=True, sortable=True),
        x=fields.NUMERIC(float),  # sortable floats fail in Whoosh 2.7.4 itself (NaN default)
        flag=fields.BOOLEAN(stored=True),
        note=fields.STORED(),
    )
    docs = []
    for i in range(60):
        doc: dict[str, Any] = {
            "key": f"k{i % 7}",
            "tags": ["red", "blue", "red"][: 1 + i % 3],
            # a string (the field's analyzer) or a list of words (the fast path), sharing terms
            "text": "The quick brown fox jumps over the lazy dog " * (1 + i % 4)
            if i % 3
            else ["lazy", "dog", "jumps", "lazy", "dogs"][: 1 + i % 5],
            "chars": "chars keep character offsets",
            "n": i * 1000 - 7,
            "flag": bool(i % 2),
            "note": {"i": i},
        }
        if i % 3:
            doc["x"] = i / 7
        if i % 5 == 0:
            doc["_boost"] = 1.5
        if i % 4 == 0:
            doc["_text_boost"] = 0.3
        docs.append(doc)
    codec = W3Codec(blocklimit=8)
    expected = whoosh_index(tmp_path / "whoosh", schema, docs, codec)
    actual = bulk_index(tmp_path / "bulk", schema, docs, codec)
    compared = assert_same_index(
        expected,
        actual,
        [
            query.Term("tags", "red"),
            query.Term("text", "fox"),
            query.Phrase("text", ["lazy", "dog"]),
            query.NumericRange("n", 0, 20000),
            query.Term("flag", True),
        ],
    )
    assert compared > 500


# -- Reuters -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reuters_docs() -> list[dict[str, Any]]:
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} is absent (research data lives in ../shared)")
    articles = [r for r in itertools.islice(read([REUTERS]), 400) if isinstance(r, Article)]
    # As indexing analyses them, names and their search-only aliases included.
    docs = [analyze(article, get_extractor("bundled")) for article in articles]
    assert sum(d.get("person") != d.get("_stored_person") for d in docs) > 10  # aliases indexed
    return docs


def test_reuters_reads_the_same(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    codec = W3Codec()
    expected = whoosh_index(tmp_path / "whoosh", build_schema(), reuters_docs, codec)
    actual = bulk_index(tmp_path / "bulk", build_schema(), [to_bulk(d) for d in reuters_docs], codec)
    texts = ['"oil prices"', "cocoa OR coffee", "bank AND rate", "title:opec", 'body:"crude oil"~3', "wheat -corn"]
    compared = assert_same_index(expected, actual, queries_for(expected, texts))
    assert compared > 20_000
    with expected.reader() as reader:  # real multi-block posting lists were compared
        assert max(ti.doc_frequency() for _, ti in reader.iter_field("body")) > 128


def _subfiles(ix: FileIndex) -> dict[str, bytes]:
    (segment,) = ix._segments()
    compound = segment.open_compound_file(ix.storage)
    prefix = segment.segment_id()
    return {name[len(prefix) :]: compound.open_file(name).read() for name in compound.list()}


def test_reuters_files_are_byte_identical_when_asked(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    """With ``identical=True`` every file of the segment is byte for byte Whoosh's. By
    default only the postings differ (and the terms file, which points into them): small
    blocks are left uncompressed, single-position values shared and blocks pickled with
    protocol 3, so they are smaller; and the stored fields are in compressed blocks of
    documents (``_zstored``, with Whoosh's ``_stored`` column left empty), also smaller,
    which the other tests here read back as Whoosh's own."""
    docs = reuters_docs[:150]
    bulk_docs = [to_bulk(d) for d in docs]
    expected = _subfiles(whoosh_index(tmp_path / "whoosh", build_schema(), docs, W3Codec()))
    ix = _new_index(tmp_path / "identical", build_schema())
    _commit(ix, [write_segment(ix.storage, ix.schema, bulk_docs, identical=True)])
    assert _subfiles(ix) == expected

    default = _subfiles(bulk_index(tmp_path / "bulk", build_schema(), bulk_docs, W3Codec()))
    blocks = f".{stored.COLUMN}.col"
    pointers = (".pst", ".trm", "._stored.col", blocks)
    assert sorted(default) == sorted([*expected, blocks])
    assert {k: v for k, v in expected.items() if k not in pointers} == {
        k: v for k, v in default.items() if k not in pointers
    }
    assert len(default[".pst"]) < len(expected[".pst"])
    assert len(default[blocks]) + len(default["._stored.col"]) < len(expected["._stored.col"])


def test_newsindex_searches_the_same(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    """The public API over a bulk-written index: same hits, scores, snippets and facets."""
    docs = reuters_docs[:200]
    _newsindex_folder(tmp_path / "whoosh", lambda ix: _whoosh_segment(ix, docs, W3Codec()))
    _newsindex_folder(tmp_path / "bulk", lambda ix: write_segment(ix.storage, ix.schema, [to_bulk(d) for d in docs]))
    with (
        Index(tmp_path / "whoosh", create=False, entities=None) as ix1,
        Index(tmp_path / "bulk", create=False, entities=None) as ix2,
    ):
        assert ix1.check() == ix2.check() == []
        for text in ["oil", '"crude oil"', "published:1987", "cocoa OR sugar", "title:bank", "tonne~"]:
            r1 = ix1.search(text, limit=20, facets=["source", "published:month"])
            r2 = ix2.search(text, limit=20, facets=["source", "published:month"])
            assert r1 == r2, text
        assert ix1.similar(docs[0]["id"]) == ix2.similar(docs[0]["id"])


def _merged(path: Path, docs: list[dict[str, Any]], second: Callable[[FileIndex], Any]) -> FileIndex:
    """Whoosh's segment of ``docs[:60]`` and ``second``'s of the rest, merged by Whoosh."""
    ix = whoosh_index(path, build_schema(), docs[:60], W3Codec())
    _commit(ix, [*ix._segments(), second(ix)])
    ix.writer().commit(optimize=True)
    assert len(ix._segments()) == 1
    return ix


def test_whoosh_merges_a_bulk_segment(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    """Whoosh's own merge reads a bulk segment as it reads one of its own (merged
    field lengths are sums of 1-byte approximations, so the reference is merged too)."""
    docs = reuters_docs[:120]

    def whoosh_segment(ix: FileIndex) -> Any:
        writer = SegmentWriter(ix, _lk=False)
        for doc in docs[60:]:
            writer.add_document(**doc)
        segment = writer._finalize_segment()
        writer._tempstorage.destroy()
        return segment

    reference = _merged(tmp_path / "whoosh", docs, whoosh_segment)
    mixed = _merged(tmp_path / "mixed", docs, lambda ix: write_segment(ix.storage, ix.schema, map(to_bulk, docs[60:])))
    assert assert_same_index(reference, mixed, queries_for(reference)) > 1000


# -- merging (optimize) ----------------------------------------------------------------


def _segmented(path: Path, parts: Sequence[Sequence[dict[str, Any]]], deleted: Sequence[str]) -> FileIndex:
    """Bulk segments of ``parts`` (Whoosh field values), with the documents of ``deleted`` ids deleted."""
    ix = _new_index(path, build_schema())
    segments = [write_segment(ix.storage, ix.schema, [to_bulk(d) for d in part]) for part in parts if part]
    _commit(ix, [s for s in segments if s is not None])
    if deleted:
        writer = SegmentWriter(ix, _lk=False)
        for doc_id in deleted:
            writer.delete_by_term("id", doc_id)
        writer.commit(merge=False)
    return ix


def _merged_by(path: Path, parts: Sequence[Sequence[dict[str, Any]]], deleted: Sequence[str], ours: bool) -> FileIndex:
    ix = _segmented(path, parts, deleted)
    if ours:
        merging.merge_all(SegmentWriter(ix, _lk=False))
    else:
        ix.writer().commit(optimize=True)
    ix = DurableStorage(str(path)).open_index()
    assert len(ix._segments()) <= 1
    return ix


def test_merge_reads_as_whoosh_merge_reads(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    """Three segments with deletions merged by newsindex read exactly as Whoosh's own merge
    of them: postings, lengths, columns, stored fields, and search scores."""
    docs = reuters_docs[:300]
    parts = [docs[:120], docs[120:130], docs[130:]]
    deleted = [d["id"] for d in docs[::7]]
    reference = _merged_by(tmp_path / "whoosh", parts, deleted, ours=False)
    merged = _merged_by(tmp_path / "ours", parts, deleted, ours=True)
    texts = ['"oil prices"', "cocoa OR coffee", "bank AND rate", "title:opec", 'person:"james baker"']
    assert assert_same_index(reference, merged, queries_for(reference, texts)) > 10_000
    with merged.reader() as reader:
        assert reader.doc_count() == len(docs) - len(deleted)
        assert not reader.has_deletions()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    docs=corpora, cuts=st.lists(st.integers(min_value=0, max_value=25), max_size=3), gone=st.sets(st.integers(0, 24))
)
def test_hypothesis_merge_reads_as_whoosh_merge_reads(
    tmp_path_factory: pytest.TempPathFactory, docs, cuts, gone
) -> None:
    tmp = tmp_path_factory.mktemp("merge")
    bounds = [0, *sorted(c for c in cuts if c < len(docs)), len(docs)]
    parts = [docs[a:b] for a, b in itertools.pairwise(bounds)]
    deleted = sorted({docs[i]["id"] for i in gone if i < len(docs)})
    merged = _merged_by(tmp / "ours", parts, deleted, ours=True)
    if len(deleted) == len({d["id"] for d in docs}):  # nothing left: no segment
        assert not merged._segments()
        return
    if len([p for p in parts if p]) == 1 and not deleted:
        # nothing to merge, nothing rewritten (Whoosh would rewrite it, lengths rounded)
        reference = _segmented(tmp / "one", parts, [])
    else:
        reference = _merged_by(tmp / "whoosh", parts, deleted, ours=False)
    assert_same_index(reference, merged, queries_for(reference))


def test_optimize_merges_with_the_bulk_layouts(tmp_path: Path, reuters_docs: list[dict[str, Any]]) -> None:
    """Index.optimize merges into blocks of compressed stored fields and compact posting
    blocks: smaller than Whoosh's merge of the same segments, with the same hits."""
    docs = reuters_docs[:400]
    parts = [docs[i : i + 100] for i in range(0, 400, 100)]

    def size(path: Path) -> int:
        return sum(p.stat().st_size for p in path.glob("*.seg"))

    reference = _merged_by(tmp_path / "whoosh", parts, [], ours=False)
    folder = tmp_path / "ours"
    with Index(folder, entities=None) as index:
        for part in parts:
            commit(
                lock_writer(index._ix, 10), [write_segment(index._ix.storage, index._ix.schema, map(to_bulk, part))], []
            )
        assert index.stats().segments == 4
        before = index.search("oil OR bank", limit=1000)
        index.optimize()
        assert index.stats().segments == 1
        assert index.check() == []
        # the same articles (scores move a little: merged lengths are one-byte approximations)
        after = index.search("oil OR bank", limit=1000)
        assert after.total == before.total > 50
        assert sorted(h.id for h in after.hits) == sorted(h.id for h in before.hits)
    assert size(folder) < 0.9 * size(tmp_path / "whoosh")
    assert_same_index(reference, DurableStorage(str(folder)).open_index(), [])


# -- the API's edges ---------------------------------------------------------------


def test_no_documents_no_segment(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path)).create()
    assert write_segment(storage, build_schema(), []) is None
    assert list(tmp_path.iterdir()) == []


def test_rejects_what_it_cannot_write(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path)).create()
    schema = build_schema()
    with pytest.raises(fields.UnknownFieldError):
        write_segment(storage, schema, [{"id": "a", "nope": "x"}])
    with pytest.raises(ValueError, match="_stored_person"):  # a Tokens value is not a storable value
        write_segment(storage, schema, [{"id": "a", "person": Tokens(["kim"], [0])}])
    with pytest.raises(ValueError, match="positions"):
        write_segment(storage, schema, [{"id": "a", "body": Tokens(["kim", "jong"], [0])}])
    with pytest.raises(TypeError, match="own value"):  # Characters postings need the text's offsets
        write_segment(storage, fields.Schema(t=fields.TEXT(chars=True)), [{"t": Tokens(["a"])}])
    with pytest.raises(NotImplementedError, match="vectors"):
        write_segment(storage, fields.Schema(t=fields.TEXT(vector=True)), [{"t": "a"}])
    with pytest.raises(NotImplementedError, match="spelling"):
        write_segment(
            storage, fields.Schema(t=fields.TEXT(analyzer=analysis.StemmingAnalyzer(), spelling=True)), [{"t": "a"}]
        )
    with pytest.raises(ValueError, match="inline"):
        write_segment(storage, schema, [{"id": "a"}], codec=W3Codec(inlinelimit=2))


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(bulk.CompoundStorage, "write_dir", fail)
    storage = FileStorage(str(tmp_path)).create()
    with pytest.raises(OSError, match="disk full"):
        write_segment(storage, build_schema(), [{"id": "a", "body": ("oil",)}])
    assert list(tmp_path.iterdir()) == []
