"""Train the bundled entity model (greedy averaged perceptron) from CoNLL-2003.

One command rebuilds the shipped model file reproducibly::

    python -m newsindex.train

It first learns word classes (distributional clusters and capitalisation buckets,
:func:`build_lexicon`) from the unlabeled Reuters-21578 bodies plus the eng.train tokens,
then trains on ``eng.train``, evaluates on ``eng.testa`` after every epoch, keeps
the averaged weights of the epoch with the best micro F1 over PER/ORG/LOC
(exact-span, conlleval convention), prunes near-zero weights and writes
``newsindex/data/entities.json.gz``.  The run is deterministic: a fixed seed
shuffles the training documents and nothing else is random.

Options
-------
``--data DIR``
    Folder holding ``eng.train`` and ``eng.testa`` (default: ``../shared/corpora/conll2003``
    relative to the repository, i.e. ``<repo>/../shared/corpora/conll2003``).
``--epochs N``
    Maximum number of passes over the training data (default 15).
``--seed N``
    Shuffling seed (default 13).
``--prune X``
    Drop weights whose absolute averaged value is below ``X`` (default 0.01; the
    perceptron's updates are +-1 so this only removes noise).
``--unlabeled PATH``
    Unlabeled newswire for the word classes (default: ``<repo>/../shared/corpora/
    reuters21578.jsonl``; when absent, only the eng.train tokens are used).
``--no-lexicon``
    Train without word classes (about 0.6 F1 points worse on eng.testa).
``--out PATH``
    Where to write the model (default: the packaged model path).
``--eval-only``
    Only evaluate the existing model file on ``eng.testa`` and print per-type scores.

Takes about 2 minutes on one core (numpy is needed for the word classes; the
extractor itself never imports it).  The CoNLL and Reuters files are research-use
data: they are read from ``../shared`` and never copied into the repository; the model
file holds feature weights and a word -> class table only, no running text.

Helpers here (:func:`read_conll`, :func:`evaluate_spans`) are also used by the tests
and the benchmark.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from .perceptron import (
    NTAGS,
    TAGS,
    Lexicon,
    Model,
    capitalised,
    default_model_path,
    doc_feature,
    doc_profile,
    iob_spans,
    normalize_token,
    type_features,
)

__all__ = ["default_data_dir", "evaluate_spans", "main", "read_conll", "train"]

Doc = list[tuple[list[str], list[str]]]  # sentences of (tokens, IOB2 tags)

_TYPE_OF_TAG = tuple(t[2:] if t != "O" else "O" for t in TAGS)
_TAG_INDEX = {t: k for k, t in enumerate(TAGS)}


def default_data_dir() -> Path:
    """``<repo>/../shared/corpora/conll2003``."""
    return Path(__file__).resolve().parents[2] / "shared" / "corpora" / "conll2003"


def _iob1_to_iob2(tags: list[str]) -> list[str]:
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def read_conll(path: str | Path) -> list[Doc]:
    """Read a CoNLL-2003 file into documents of ``(tokens, IOB2 tags)`` sentences."""
    docs: list[Doc] = []
    doc: Doc = []
    toks: list[str] = []
    tags: list[str] = []

    def close_sentence() -> None:
        nonlocal toks, tags
        if toks:
            doc.append((toks, _iob1_to_iob2(tags)))
        toks, tags = [], []

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                close_sentence()
                if doc:
                    docs.append(doc)
                doc = []
                continue
            if not line.strip():
                close_sentence()
                continue
            parts = line.split(" ")
            toks.append(parts[0])
            tags.append(parts[-1])
    close_sentence()
    if doc:
        docs.append(doc)
    return docs


def evaluate_spans(
    gold: Iterable[Sequence[str]],
    pred: Iterable[Sequence[str]],
    types: Sequence[str] = ("PER", "ORG", "LOC"),
) -> dict[str, tuple[float, float, float, int]]:
    """Exact-span P/R/F1 per type and ``"micro"`` over ``types`` (conlleval convention).

    ``gold`` and ``pred`` are parallel sequences of per-sentence tag lists (IOB1 or IOB2).
    Returns ``{type: (precision, recall, f1, gold_count)}``.
    """
    counts = {t: [0, 0, 0] for t in types}  # correct, predicted, gold
    for g, p in zip(gold, pred, strict=True):
        gs = {s for s in iob_spans(g) if s[0] in counts}
        ps = {s for s in iob_spans(p) if s[0] in counts}
        for s in gs:
            counts[s[0]][2] += 1
        for s in ps:
            counts[s[0]][1] += 1
        for s in gs & ps:
            counts[s[0]][0] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]

    def prf(c: Sequence[int]) -> tuple[float, float, float, int]:
        p = c[0] / c[1] if c[1] else 0.0
        r = c[0] / c[2] if c[2] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return (p, r, f, c[2])

    result = {t: prf(c) for t, c in counts.items()}
    result["micro"] = prf(total)
    return result


def tag_docs(model: Model, docs: list[Doc]) -> tuple[list[list[str]], list[list[str]]]:
    """Tag CoNLL documents with ``model``; returns parallel (gold, predicted) tag lists."""
    gold: list[list[str]] = []
    pred: list[list[str]] = []
    for doc in docs:
        sents = [[normalize_token(t) for t in toks] for toks, _ in doc]
        pred.extend(model.tag_document(sents))
        gold.extend(tags for _, tags in doc)
    return gold, pred


def format_scores(scores: dict[str, tuple[float, float, float, int]]) -> str:
    lines = [f"{'type':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}"]
    for t, (p, r, f, n) in scores.items():
        lines.append(f"{t:6} {p:6.4f} {r:6.4f} {f:6.4f} {n:6d}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- training
_RAW_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,:/]\d+)*|\w+(?:[-&']\w+)*|'s\b|[^\w\s]")


def default_unlabeled_path() -> Path:
    """``<repo>/../shared/corpora/reuters21578.jsonl`` (unlabeled newswire for word classes)."""
    return Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578.jsonl"


def _unlabeled_sentences(path: Path | None, docs: list[Doc]) -> list[list[str]]:
    """Token lists from the unlabeled corpus (bodies, split on lines) plus the training tokens."""
    sents: list[list[str]] = [[normalize_token(t) for t in toks] for doc in docs for toks, _ in doc]
    if path is not None and path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                body = json.loads(line).get("body") or ""
                for para in re.split(r"\.\s+|\n\s+", body):
                    toks = _RAW_TOKEN.findall(normalize_token(" ".join(para.split())))
                    if toks:
                        sents.append(toks)
    return sents


def build_lexicon(
    sentences: list[list[str]],
    n_fine: int = 256,
    n_coarse: int = 32,
    min_count: int = 4,
    n_context: int = 800,
    dims: int = 80,
    seed: int = 13,
) -> Lexicon:
    """Distributional word classes and capitalisation buckets from unlabeled text.

    Each word form seen ``min_count`` times gets a vector of log counts of its left
    and right neighbours among the ``n_context`` most frequent lowercase words,
    reduced by SVD and clustered by k-means (``n_fine`` classes, and ``n_coarse``
    classes over the fine centroids).  Deterministic for a given ``seed``.
    Uses numpy (a training-time dependency only).
    """
    import numpy as np

    digits = re.compile(r"\d")
    sentences = [[digits.sub("0", t) for t in s] for s in sentences]  # as type_features sees them
    counts = Counter(t for s in sentences for t in s)
    low_counts: Counter[str] = Counter()
    for t, n in counts.items():
        low_counts[t.lower()] += n
    ctx_words = [w for w, _ in sorted(low_counts.items(), key=lambda x: (-x[1], x[0]))[:n_context]]
    ctx = {w: i for i, w in enumerate(ctx_words)}
    vocab = sorted(w for w, n in counts.items() if n >= min_count and len(w) < 40)
    vid = {w: i for i, w in enumerate(vocab)}
    nc = n_context + 2  # + "capitalised other" + "boundary"
    mat = np.zeros((len(vocab), 2 * nc), dtype=np.float32)
    cap_mid: Counter = Counter()
    low_mid: Counter = Counter()
    for s in sentences:
        cidx = []
        for t in s:
            k = ctx.get(t.lower())
            if k is None:
                k = nc - 2 if t[:1].isupper() else nc - 1
            cidx.append(k)
        n = len(s)
        for i, t in enumerate(s):
            r = vid.get(t)
            if r is not None:
                left = cidx[i - 1] if i else nc - 1
                right = cidx[i + 1] if i + 1 < n else nc - 1
                mat[r, left] += 1
                mat[r, nc + right] += 1
            if i and t[:1].isalpha() and s[i - 1] not in ('"', "'", "(", ":", "-"):
                if t[:1].isupper():
                    if not t.isupper() or len(t) == 1:
                        cap_mid[t.lower()] += 1
                else:
                    low_mid[t.lower()] += 1
    mat = np.log1p(mat)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True) + 1e-9
    mean = mat.mean(axis=0)
    centered = mat - mean
    cov = centered.T @ centered
    _evals, evecs = np.linalg.eigh(cov.astype(np.float64))
    proj = centered @ evecs[:, ::-1][:, :dims].astype(np.float32)
    proj /= np.linalg.norm(proj, axis=1, keepdims=True) + 1e-9

    def kmeans(x, k, iters=25):
        rs = np.random.RandomState(seed)
        cent = x[rs.choice(len(x), k, replace=False)].copy()
        for _ in range(iters):
            assign = np.argmax(x @ cent.T, axis=1)
            for j in range(k):
                members = x[assign == j]
                if len(members):
                    c = members.sum(axis=0)
                    cent[j] = c / (np.linalg.norm(c) + 1e-9)
        return np.argmax(x @ cent.T, axis=1), cent

    fine, cent = kmeans(proj, n_fine)
    coarse_of_fine, _ = kmeans(cent, n_coarse)
    classes = {w: f"{int(fine[i])}/{int(coarse_of_fine[fine[i]])}" for w, i in vid.items()}
    caps: dict[str, str] = {}
    for w in set(cap_mid) | set(low_mid):
        c, lo = cap_mid[w], low_mid[w]
        if c + lo < 3:
            continue
        ratio = c / (c + lo)
        caps[w] = "0" if ratio == 0 else "1" if ratio < 0.2 else "2" if ratio < 0.6 else "3" if ratio < 0.95 else "4"
    return Lexicon(classes, caps)


class _Trainer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.fid: dict[str, int] = {}
        self.names: list[str] = []
        self.w: list[list[float] | None] = []
        self.u: list[list[float] | None] = []
        self.c = 1

    def intern(self, feat: str) -> int:
        k = self.fid.get(feat)
        if k is None:
            k = self.fid[feat] = len(self.names)
            self.names.append(feat)
            self.w.append(None)
            self.u.append(None)
        return k

    def prepare(self, docs: list[Doc]) -> list:
        """Static feature ids for every token (type features at offsets, doc feature)."""
        out = []
        type_cache: dict[str, tuple[list[int], ...]] = {}

        def tf(word: str) -> tuple[list[int], ...]:
            ids = type_cache.get(word)
            if ids is None:
                ids = tuple([self.intern(f) for f in fl] for fl in type_features(word, self.lexicon))
                type_cache[word] = ids
            return ids

        bos, eos = tf("<S>"), tf("</S>")
        for doc in docs:
            sents = [[normalize_token(t) for t in toks] for toks, _ in doc]
            prof = doc_profile(sents)
            pdoc = []
            for words, (_, tags) in zip(sents, doc):
                padded = [bos, bos, *map(tf, words), eos, eos]
                ptoks = []
                for i, word in enumerate(words):
                    feats = padded[i][0] + padded[i + 1][1] + padded[i + 2][2] + padded[i + 3][3] + padded[i + 4][4]
                    if i == 0:
                        feats = feats + padded[2][5]
                    key = None
                    if capitalised(word):
                        key = word.lower()
                        df = doc_feature(word, prof)
                        if df:
                            feats = [*feats, self.intern(df)]
                    ptoks.append((feats, key, _TAG_INDEX[tags[i]]))
                pdoc.append(ptoks)
            out.append(pdoc)
        return out

    def epoch(self, pdocs: list, rng: random.Random) -> float:
        names = (*TAGS, "<S>")
        start = NTAGS
        t1 = [self.intern("T=" + names[p]) for p in range(NTAGS + 1)]
        t2 = [[self.intern("T2=" + names[a] + "|" + names[b]) for b in range(NTAGS + 1)] for a in range(NTAGS + 1)]
        hid = {t: self.intern("H=" + t) for t in ("O", "PER", "ORG", "LOC", "MISC")}
        allowed = [
            [not (cur.startswith("I-") and _TYPE_OF_TAG[p] != cur[2:]) for cur in TAGS] for p in range(NTAGS)
        ] + [[not cur.startswith("I-") for cur in TAGS]]
        w, u = self.w, self.u
        rng_tags = range(NTAGS)
        order = list(range(len(pdocs)))
        rng.shuffle(order)
        errors = total = 0
        for di in order:
            history: dict[str, str] = {}
            for sent in pdocs[di]:
                p2 = p1 = start
                for feats, key, gold in sent:
                    fl = [*feats, t1[p1], t2[p2][p1]]
                    if key is not None:
                        h = history.get(key)
                        if h is not None:
                            fl.append(hid[h])
                    vecs = [v for v in (w[f] for f in fl) if v is not None]
                    s = list(map(sum, zip(*vecs))) if vecs else [0.0] * NTAGS
                    ok = allowed[p1]
                    guess = max(rng_tags, key=lambda k: s[k] if ok[k] else -1e9)
                    if guess != gold:
                        errors += 1
                        c = self.c
                        for f in fl:
                            wf = w[f]
                            if wf is None:
                                wf = w[f] = [0.0] * NTAGS
                                u[f] = [0.0] * NTAGS
                            uf = u[f]
                            wf[gold] += 1.0
                            wf[guess] -= 1.0
                            uf[gold] += c
                            uf[guess] -= c
                    total += 1
                    self.c += 1
                    if key is not None:
                        history[key] = _TYPE_OF_TAG[guess]
                    p2, p1 = p1, guess
        return errors / max(total, 1)

    def averaged(self, prune: float) -> dict[str, tuple[float, ...]]:
        c = self.c
        out = {}
        for k, wf in enumerate(self.w):
            if wf is None:
                continue
            uf = self.u[k]
            assert uf is not None  # allocated together with w[k]
            vec = tuple(round(x - y / c, 3) if abs(x - y / c) >= prune else 0.0 for x, y in zip(wf, uf))
            if any(vec):
                out[self.names[k]] = vec
        return out


def train(
    train_docs: list[Doc],
    dev_docs: list[Doc],
    epochs: int = 15,
    seed: int = 13,
    prune: float = 0.01,
    lexicon: Lexicon | None = None,
    log=print,
) -> tuple[Model, dict]:
    """Train and return the best-on-dev model and its dev scores."""
    t0 = time.perf_counter()
    lexicon = lexicon or Lexicon()
    tr = _Trainer(lexicon)
    pdocs = tr.prepare(train_docs)
    log(f"prepared {len(tr.names):,} features in {time.perf_counter() - t0:.1f}s")
    rng = random.Random(seed)
    best: tuple[float, int, dict, dict] | None = None
    for ep in range(1, epochs + 1):
        err = tr.epoch(pdocs, rng)
        weights = tr.averaged(prune)
        model = Model(weights, lexicon=lexicon)
        scores = evaluate_spans(*tag_docs(model, dev_docs))
        f1 = scores["micro"][2]
        log(
            f"epoch {ep:2d} train-err {err:.4f} dev micro-F1(PER/ORG/LOC) {f1:.4f} "
            f"features {len(weights):,} [{time.perf_counter() - t0:.0f}s]"
        )
        if best is None or f1 > best[0]:
            best = (f1, ep, weights, scores)
    assert best is not None
    f1, ep, weights, scores = best
    meta = {
        "trained_on": "CoNLL-2003 eng.train",
        "tuned_on": "CoNLL-2003 eng.testa",
        "epochs": ep,
        "seed": seed,
        "prune": prune,
        "dev_micro_f1_per_org_loc": round(f1, 4),
    }
    return Model(weights, meta, lexicon), scores


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsindex.train", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--prune", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=default_model_path())
    ap.add_argument("--unlabeled", type=Path, default=default_unlabeled_path())
    ap.add_argument("--no-lexicon", action="store_true")
    ap.add_argument("--eval-only", action="store_true")
    args = ap.parse_args(argv)
    train_path, dev_path = args.data / "eng.train", args.data / "eng.testa"
    if not dev_path.exists() or (not args.eval_only and not train_path.exists()):
        print(f"CoNLL-2003 files not found under {args.data}", file=sys.stderr)
        return 2
    dev_docs = read_conll(dev_path)
    if args.eval_only:
        model = Model.load(args.out)
        print(format_scores(evaluate_spans(*tag_docs(model, dev_docs), types=("PER", "ORG", "LOC"))))
        return 0
    train_docs = read_conll(train_path)
    lexicon = None
    if not args.no_lexicon:
        t0 = time.perf_counter()
        unlabeled = args.unlabeled if args.unlabeled.exists() else None
        if unlabeled is None:
            print(f"warning: {args.unlabeled} not found; word classes from eng.train only")
        lexicon = build_lexicon(_unlabeled_sentences(unlabeled, train_docs), seed=args.seed)
        print(
            f"lexicon: {len(lexicon.classes):,} word classes, {len(lexicon.caps):,} "
            f"capitalisation buckets [{time.perf_counter() - t0:.0f}s]"
        )
    model, scores = train(train_docs, dev_docs, epochs=args.epochs, seed=args.seed, prune=args.prune, lexicon=lexicon)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    # Reload the written file and re-score, so the reported numbers are the shipped model's.
    shipped = Model.load(args.out)
    final = evaluate_spans(*tag_docs(shipped, dev_docs))
    print(f"best epoch {model.meta['epochs']}; wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    print("eng.testa, exact-span (conlleval):")
    print(format_scores(final))
    del scores
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
