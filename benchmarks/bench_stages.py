"""Where indexing time goes, stage by stage, in one process.

Run from the repository root::

    python benchmarks/bench_stages.py                       # 3,000 Reuters articles
    python benchmarks/bench_stages.py --articles 21578 --json

Each stage runs over the same articles in turn, in one process, timed on its
own: what one worker does for its share of a batch, without the pool. Shares
of the total say which stage is the next bottleneck; the milliseconds depend on
the machine (2 shared cores here), so compare shares and ratios, not times.

| stage | what is timed |
| --- | --- |
| read | ``newsindex.read`` of the JSON Lines file into ``Article`` objects |
| tokenize | ``_analysis.tokenize(article.text)``: Punkt sentences and word spans |
| entities | the bundled tagger over those spans, canonical names included |
| terms | index words of title and body (stop words, Snowball stems), given the spans |
| write segment | ``_whoosh.write_segment``: the bulk writer, the whole segment |
| commit | one commit of that segment under the write lock (table of contents, checksums, fsync) |

For comparison, and outside the total, Whoosh's own ``SegmentWriter`` on the same documents
(the writer newsindex used before): ``add_document`` into a copy of the schema that stores
nothing (postings), the same into the real schema minus that (stored fields and columns),
and the flush that writes the segment's files.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run(corpus: Path, articles: int) -> dict[str, Any]:
    from itertools import islice

    from whoosh.index import create_in
    from whoosh.writing import SegmentWriter

    from newsindex import Article, Index, read
    from newsindex._analysis import index_words, tokenize
    from newsindex._entities import article_entities, get_extractor
    from newsindex._pipeline import analyze
    from newsindex._schema import build_schema, names_as_tokens
    from newsindex._whoosh import commit, lock_writer, write_segment

    stages: dict[str, float] = {}
    stages["read"], docs = _timed(lambda: [r for r in islice(read([corpus]), articles) if isinstance(r, Article)])
    extractor = get_extractor("bundled")  # loaded before timing: a worker loads it once
    stages["tokenize"], sentences = _timed(lambda: [tokenize(a.text) for a in docs])
    stages["entities"], _ = _timed(
        lambda: [article_entities(a.text, s, extractor=extractor) for a, s in zip(docs, sentences, strict=True)]
    )

    def terms() -> None:
        for article, sents in zip(docs, sentences, strict=True):
            text = article.text
            spans = [span for sentence in sents for span in sentence]
            index_words(text, spans)

    stages["terms"], _ = _timed(terms)
    analysed = [analyze(a, extractor) for a in docs]

    with tempfile.TemporaryDirectory() as tmp:
        # The same schema with nothing stored and no columns: its writer does
        # only the postings, so the difference is what storing costs.
        bare_schema = build_schema()
        for _, field in bare_schema.items():
            field.stored, field.column_type = False, None
        (Path(tmp) / "bare").mkdir()
        bare = create_in(str(Path(tmp) / "bare"), bare_schema)

        def whoosh_writer(ix: Any) -> tuple[float, float]:
            """Seconds in Whoosh's add_document, then in its flush and segment files."""
            writer = SegmentWriter(ix, _lk=False)
            try:
                start = time.perf_counter()
                for doc in analysed:
                    writer.add_document(**doc)
                added = time.perf_counter()
                writer._finalize_segment()
                return added - start, time.perf_counter() - added
            finally:
                writer._tempstorage.destroy()

        with Index(Path(tmp) / "ix", entities=None) as index:
            ix = index._ix
            bulk_docs = lambda: [names_as_tokens(dict(d)) for d in analysed]  # noqa: E731 - as indexing gives them
            stages["write segment"], segment = _timed(lambda: write_segment(ix, bulk_docs()))
            writer = lock_writer(ix, timeout=10)
            stages["commit"], _ = _timed(lambda: commit(writer, [segment], [a.id for a in docs]))
            # The writer newsindex used before the bulk writer, for comparison (not in the total).
            postings, _ = whoosh_writer(bare)
            added, flushed = whoosh_writer(ix)
            before = {
                "write postings": postings,
                "write stored": max(0.0, added - postings),
                "finish segment": flushed,
            }
    total = sum(stages.values())
    return {
        "articles": len(docs),
        "total_s": round(total, 3),
        "docs_per_s": round(len(docs) / total, 1),
        "stages": {name: {"s": round(t, 3), "share": round(t / total, 3)} for name, t in stages.items()},
        "whoosh_writer": {name: round(t, 3) for name, t in before.items()},
        "bulk_vs_whoosh": round(sum(before.values()) / stages["write segment"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REUTERS)
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} not found (research data lives in ../shared)", file=sys.stderr)
        return 2
    report = run(args.corpus, args.articles)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['articles']:,} articles, {report['total_s']:.1f} s in all ({report['docs_per_s']:,.0f} docs/s)")
    for name, row in report["stages"].items():
        print(f"  {name:15} {row['s']:8.2f} s  {row['share']:6.1%}")
    print("Whoosh's SegmentWriter on the same documents (the writer before the bulk writer):")
    for name, seconds in report["whoosh_writer"].items():
        print(f"  {name:15} {seconds:8.2f} s")
    print(f"  bulk writer: {report['bulk_vs_whoosh']}x faster than Whoosh's")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
