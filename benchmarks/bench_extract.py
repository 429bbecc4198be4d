"""CPU time of entity extraction per Reuters article, and a dump to prove two versions agree.

Run from the repository root::

    python benchmarks/bench_extract.py [--articles N] [--repeat R]
    python benchmarks/bench_extract.py --articles 0 --dump entities.jsonl   # every article

Times what indexing calls (``_pipeline.analyze``): ``article_entities(text, sentences,
extractor)`` on ``Article.text`` with the sentences of ``_analysis.tokenize`` (tokenization
done beforehand, outside the timing), and on its own the tagger,
``Model.tag_document_ids``, on the same articles' words. Each pass starts with the
tagger's caches empty, as a fresh indexing worker does, and reports CPU milliseconds
per article (``time.process_time``, so another job on the machine matters less); the
best of ``--repeat`` passes is printed.

``--dump FILE`` writes one JSON line per article: every entity of
``BundledExtractor.extract`` (text, label, start, end, name) and the
``ArticleEntities`` of ``article_entities`` (names and aliases). Two versions of the code
give identical files when their output is the same (``cmp a.jsonl b.jsonl``).

Reads ``../shared/corpora/reuters21578.jsonl`` (``--corpus`` to change), never copies it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import islice
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def _texts(path: Path, n: int) -> list[tuple[str, str]]:
    from newsindex._article import Article

    out = []
    with open(path, encoding="utf-8") as fh:
        lines = fh if n <= 0 else islice(fh, n)
        for line in lines:
            a = Article.from_dict(json.loads(line))
            out.append((a.id, a.text))
    return out


def _clear(extractor: object) -> None:
    model = extractor.model  # type: ignore[attr-defined]
    model._types.clear()
    model._tables.clear()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--articles", type=int, default=2000, help="first N articles (0: all)")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes (best is reported)")
    ap.add_argument("--dump", type=Path, help="write every article's entities as JSON lines")
    args = ap.parse_args(argv)

    from newsindex._analysis import tokenize
    from newsindex._entities import article_entities, get_extractor
    from newsindex._entities.extractor import resegment
    from newsindex._entities.perceptron import normalize_token

    ex = get_extractor("bundled")
    docs = _texts(args.corpus, args.articles)
    sents = [tokenize(text) for _, text in docs]

    if args.dump:
        _clear(ex)
        with open(args.dump, "w", encoding="utf-8") as out:
            for (doc_id, text), s in zip(docs, sents, strict=True):
                ents = [[e.text, e.label, e.start, e.end, e.name] for e in ex.extract(text, s)]
                found = article_entities(text, s, extractor=ex)
                row = {"id": doc_id, "entities": ents, "article": attrs.asdict(found)}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"wrote {len(docs)} articles to {args.dump}")
        return 0

    words = []
    for text, s in ((t, s) for (_, t), s in zip(docs, sents, strict=True)):
        seg = resegment(text, s)
        words.append([[normalize_token(text[a:b]) for a, b in sent] for sent in seg])
    model = ex.model  # type: ignore[attr-defined]
    best_all = best_tag = float("inf")
    for _ in range(args.repeat):
        _clear(ex)
        t0 = time.process_time()
        for (_, text), s in zip(docs, sents, strict=True):
            article_entities(text, s, extractor=ex)
        best_all = min(best_all, time.process_time() - t0)
        _clear(ex)
        t0 = time.process_time()
        for w in words:
            model.tag_document_ids(w)
        best_tag = min(best_tag, time.process_time() - t0)
    n = len(docs)
    print(f"{n} articles, best of {args.repeat} passes, CPU ms/article:")
    print(f"  article_entities  {1000 * best_all / n:.3f}")
    print(f"  tagger only       {1000 * best_tag / n:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
