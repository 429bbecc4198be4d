"""Benchmark the bundled entity extractor against NLTK's own pipeline.

Run from the repository root::

    python benchmarks/bench_entities.py [--reuters N] [--repeat R]

Measures, in one run and on one core:

* model load time of the bundled extractor (JSON parse + cache set-up);
* accuracy on CoNLL-2003 eng.testa on the product path (per type P/R/F1, see
  :func:`newsindex._entities.conll.product_path_scores`);
* sentences/s and tokens/s of ``BundledExtractor.extract`` over CoNLL-2003 eng.testa,
  given token spans (tokenization excluded), document by document;
* sentences/s of NLTK's pipeline on the same sentences: ``PerceptronTagger.tag`` then
  the binary ``maxent_ne_chunker_tab`` chunker, both loaded once (NLTK's typed
  chunker is not available offline; the binary one does strictly less work);
* tokens/s of ``extract`` on Reuters-21578 article bodies, given spans and end to end
  (tokenization with ``newsindex._analysis.tokenize`` included).

Reads ``../shared`` (CoNLL-2003, nltk_data, Reuters-21578); sets ``nltk.data.path``
itself when ``../shared/nltk_data`` exists.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def _conll_documents(path: Path) -> list[tuple[str, list[list[tuple[int, int]]], list[list[str]]]]:
    from newsindex._entities.conll import read_conll

    out = []
    for doc in read_conll(path):
        parts: list[str] = []
        pos = 0
        spans: list[list[tuple[int, int]]] = []
        words: list[list[str]] = []
        for toks, _ in doc:
            sent = []
            for t in toks:
                sent.append((pos, pos + len(t)))
                parts.append(t)
                pos += len(t) + 1
            spans.append(sent)
            words.append(toks)
        out.append((" ".join(parts), spans, words))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed passes of ours (best is reported)")
    ap.add_argument("--reuters", type=int, default=3000, help="Reuters articles for the raw-text run")
    ap.add_argument("--nltk-sentences", type=int, default=0, help="limit NLTK to N sentences (0: all)")
    args = ap.parse_args(argv)

    import nltk

    nltk_data = SHARED / "nltk_data"
    if nltk_data.is_dir():
        nltk.data.path.insert(0, str(nltk_data))

    from newsindex._entities import BundledExtractor

    t0 = time.perf_counter()
    ours = BundledExtractor()
    load_s = time.perf_counter() - t0
    print(f"bundled model load: {load_s * 1000:.0f} ms ({len(ours.model.weights):,} weights)")

    testa = SHARED / "corpora" / "conll2003" / "eng.testa"
    if not testa.exists():
        print(f"{testa} is absent: nothing to benchmark")
        return 0
    from newsindex._entities.conll import format_scores, product_path_scores, read_conll

    # Accuracy as articles really arrive: each document as text, one CoNLL sentence a
    # line, given whole to the extractor (its own sentence splitting and tokenization).
    t0 = time.perf_counter()
    scores = product_path_scores(read_conll(testa), ours.extract)
    print(f"eng.testa product path (exact typed spans, conlleval) [{time.perf_counter() - t0:.1f}s]:")
    print("  " + format_scores(scores).replace("\n", "\n  "))
    docs = _conll_documents(testa)
    n_sent = sum(len(s) for _, s, _ in docs)
    n_tok = sum(len(x) for _, s, _ in docs for x in s)

    # Cold pass (fills the per-word-type cache), then best of --repeat warm passes.
    t0 = time.perf_counter()
    for text, spans, _ in docs:
        ours.extract(text, spans)
    cold = time.perf_counter() - t0
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for text, spans, _ in docs:
            ours.extract(text, spans)
        best = min(best, time.perf_counter() - t0)
    print(
        f"eng.testa ({n_sent:,} sentences, {n_tok:,} tokens), spans given:\n"
        f"  bundled  cold {n_sent / cold:9,.0f} sent/s {n_tok / cold:9,.0f} tok/s | "
        f"warm {n_sent / best:9,.0f} sent/s {n_tok / best:9,.0f} tok/s"
    )

    try:
        from nltk.chunk import ne_chunker
        from nltk.tag import PerceptronTagger

        t0 = time.perf_counter()
        tagger = PerceptronTagger(lang="eng")
        chunker = ne_chunker(fmt="binary")
        nltk_load = time.perf_counter() - t0
    except (LookupError, ImportError) as exc:  # ImportError: NLTK's chunker needs numpy
        print(f"  nltk     unavailable ({exc.__class__.__name__}: {exc}); set NLTK_DATA or install numpy")
        return 0
    sents = [w for _, _, words in docs for w in words]
    if args.nltk_sentences:
        sents = sents[: args.nltk_sentences]
    ns = len(sents)
    nt = sum(len(s) for s in sents)
    t0 = time.perf_counter()
    for s in sents:
        chunker.parse(tagger.tag(s))
    dt = time.perf_counter() - t0
    print(
        f"  nltk     pos_tag+binary chunker (load {nltk_load:.2f}s): {ns / dt:9,.0f} sent/s "
        f"{nt / dt:9,.0f} tok/s  on {ns:,} sentences"
    )
    print(f"  speed-up (warm) x{(n_sent / best) / (ns / dt):.1f}, (cold) x{(n_sent / cold) / (ns / dt):.1f}")

    reuters = SHARED / "corpora" / "reuters21578.jsonl"
    if reuters.exists() and args.reuters:
        from newsindex._analysis import tokenize

        bodies = []
        with open(reuters, encoding="utf-8") as fh:
            for line in fh:
                body = json.loads(line).get("body") or ""
                if body:
                    bodies.append(body)
                if len(bodies) >= args.reuters:
                    break
        fresh = BundledExtractor()  # empty cache: realistic for a new indexing process
        t0 = time.perf_counter()
        tokenized = [tokenize(b) for b in bodies]
        tok_s = time.perf_counter() - t0
        ntok = sum(len(s) for t in tokenized for s in t)
        t0 = time.perf_counter()
        n_ent = 0
        for body, spans in zip(bodies, tokenized):
            n_ent += len(fresh.extract(body, spans))
        ext_s = time.perf_counter() - t0
        print(
            f"Reuters-21578, first {len(bodies):,} bodies ({ntok:,} tokens, {n_ent:,} entities):\n"
            f"  extract, spans given (cold cache): {ntok / ext_s:9,.0f} tok/s\n"
            f"  tokenize + extract end to end:     {ntok / (ext_s + tok_s):9,.0f} tok/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
