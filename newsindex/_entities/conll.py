"""CoNLL-2003 reading and scoring, shared by training, tests and benchmarks.

Two ways to score a tagger on CoNLL-2003:

* the *token path* (:func:`tag_docs`): the model tags CoNLL's own sentences and tokens,
  the number most papers report;
* the *product path* (:func:`product_path_scores`): each document is rebuilt as the
  text an article would really arrive as — one CoNLL sentence per line, tokens joined
  by single spaces — and given whole to an extractor, which does its own sentence
  splitting and tokenization; entity character spans are mapped back to CoNLL tokens.
  A span whose edges do not fall on CoNLL token edges can never match.

Both score exact typed spans over PER/ORG/LOC (conlleval convention).

Development split: ``eng.testa`` is the final, honest check and is never used to
choose anything; ``eng.testb`` is never read.  Features and epochs are chosen on
:func:`split_train`'s development part: every tenth document of ``eng.train``
(indices 0, 10, 20, ...: 95 of its 946 documents, ~10%, spread over the file's dates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .perceptron import iob_spans, normalize_token

__all__ = [
    "DEV_EVERY",
    "Doc",
    "document_text",
    "evaluate_spans",
    "format_scores",
    "product_path_scores",
    "read_conll",
    "score_span_sets",
    "split_train",
    "tag_docs",
]

Doc = list[tuple[list[str], list[str]]]  # sentences of (tokens, IOB2 tags)
Scores = dict[str, tuple[float, float, float, int]]
Span = tuple[str, int, int]  # (type, first token, end token) over a document's tokens

#: Every ``DEV_EVERY``-th document of eng.train is the development split.
DEV_EVERY = 10
TYPES = ("PER", "ORG", "LOC")
_LABEL_TYPE = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC", "MISC": "MISC"}


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


def split_train(docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    """(training part, development part) of eng.train: every tenth document is development."""
    train = [d for i, d in enumerate(docs) if i % DEV_EVERY]
    dev = [d for i, d in enumerate(docs) if not i % DEV_EVERY]
    return train, dev


def score_span_sets(gold: Iterable[set[tuple]], pred: Iterable[set[tuple]], types: Sequence[str] = TYPES) -> Scores:
    """Exact-span P/R/F1 per type and ``"micro"``; spans are tuples whose first item is the type.

    Returns ``{type: (precision, recall, f1, gold_count)}``.
    """
    counts = {t: [0, 0, 0] for t in types}  # correct, predicted, gold
    for gs, ps in zip(gold, pred, strict=True):
        gs = {s for s in gs if s[0] in counts}
        ps = {s for s in ps if s[0] in counts}
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


def evaluate_spans(
    gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]], types: Sequence[str] = TYPES
) -> Scores:
    """Exact-span scores from parallel per-sentence tag lists (IOB1 or IOB2), conlleval style."""
    return score_span_sets(
        (set(iob_spans(g)) for g in gold),
        (set(iob_spans(p)) for p in pred),
        types,
    )


def tag_docs(model, docs: list[Doc]) -> tuple[list[list[str]], list[list[str]]]:
    """Token path: tag CoNLL's own sentences with ``model``; parallel (gold, predicted) tags."""
    gold: list[list[str]] = []
    pred: list[list[str]] = []
    for doc in docs:
        sents = [[normalize_token(t) for t in toks] for toks, _ in doc]
        pred.extend(model.tag_document(sents))
        gold.extend(tags for _, tags in doc)
    return gold, pred


def document_text(doc: Doc) -> tuple[str, list[tuple[int, int]]]:
    """The document as an article would arrive: one sentence a line, tokens space-joined.

    Returns the text and the character span of every token, in document order.
    """
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for toks, _ in doc:
        for t in toks:
            spans.append((pos, pos + len(t)))
            pos += len(t) + 1
        lines.append(" ".join(toks))
    return "\n".join(lines), spans


def _gold_spans(doc: Doc) -> set[Span]:
    out: set[Span] = set()
    offset = 0
    for toks, tags in doc:
        out.update((t, offset + a, offset + b) for t, a, b in iob_spans(tags))
        offset += len(toks)
    return out


def product_spans(doc: Doc, extract: Callable[[str], Sequence]) -> set[tuple]:
    """Entity spans ``extract(text)`` finds in :func:`document_text`, as document token spans.

    An entity whose edges are not CoNLL token edges becomes ``(type, "char", start, end)``,
    which matches no gold span.
    """
    text, spans = document_text(doc)
    first = {a: i for i, (a, _) in enumerate(spans)}
    last = {b: i for i, (_, b) in enumerate(spans)}
    out: set[tuple] = set()
    for e in extract(text):
        typ = _LABEL_TYPE[e.label]
        i, j = first.get(e.start), last.get(e.end)
        out.add((typ, i, j + 1) if i is not None and j is not None else (typ, "char", e.start, e.end))
    return out


def product_path_scores(docs: list[Doc], extract: Callable[[str], Sequence], types: Sequence[str] = TYPES) -> Scores:
    """Score ``extract`` (text -> entities with ``label/start/end``) on the product path."""
    return score_span_sets((_gold_spans(d) for d in docs), (product_spans(d, extract) for d in docs), types)


def format_scores(scores: Scores) -> str:
    """A small P/R/F1 table, one row per type."""
    lines = [f"{'type':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}"]
    for t, (p, r, f, n) in scores.items():
        lines.append(f"{t:6} {p:6.4f} {r:6.4f} {f:6.4f} {n:6d}")
    return "\n".join(lines)
