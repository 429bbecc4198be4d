"""Parallel indexing: analysis, entity extraction and segment writing in worker processes.

The main process streams articles from the input in batches. For each batch it
takes the index's write lock, hands one chunk of the batch to each worker, and
each worker tokenizes its articles once, extracts their entities from the same
tokens, and writes a complete Whoosh segment of its own. The main process then
deletes older copies of re-added ids and commits all new segments in one new
table of contents (fsynced by :class:`~newsindex.storage.DurableStorage`), and
releases the lock, so another writer can take a turn between batches.

Every core works on analysis and postings; only reading the input and the
short commit are serial. Memory stays flat: a batch at a time is in memory.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, islice, pairwise
from typing import Any

from whoosh.index import FileIndex

from ._analysis import index_words, tokenize, word_spans
from ._article import Article
from ._entities import EntityExtractor, article_entities, get_extractor
from ._schema import names_as_tokens, to_document
from ._vocabulary import ENTITY_FIELDS
from ._whoosh import DurableStorage, Segment, commit, lock_writer, write_segment

__all__ = ["DEFAULT_PROCS", "analyze", "batches", "bulk_documents", "default_procs", "write_batches"]

# Below this many articles in a batch, starting worker processes costs more
# than it saves.
MIN_PARALLEL = 400

# Articles for each worker in the first batch: the workers wait while a batch is
# read, and reading 20,000 Reuters articles takes about 0.45 s; a small first
# batch starts them within a few milliseconds, and the next batch is read while
# they work on it. On Reuters (21,578 articles) the batches are 2,000 and 19,578
# instead of 20,000 and 1,578: as many segments.
FIRST_SHARE = 1000

# Analysing and writing an article costs about as much as this many characters of
# its text on top of its length (a fit over 5,000 Reuters articles: 3.4 us a
# character plus 0.6 ms an article, with entities).
ARTICLE_COST = 180


def default_procs() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


DEFAULT_PROCS = default_procs()


def analyze(article: Article, extractor: EntityExtractor | None) -> dict[str, Any]:
    """Whoosh field values for an article, its title and body analyzed once.

    The text is tokenized once: the entity extractor reads the sentences of
    token spans, and the same spans become the title and body terms, as
    sequences of words (Whoosh indexes a sequence as ready-made tokens). Name
    fields stay text here (Whoosh's own writer takes these values as they are);
    the bulk writer gets them as ``Tokens`` (:func:`bulk_documents`).
    """
    title, body = article.title, article.body
    wants = extractor is not None and any(getattr(article, attr) is None for attr in ENTITY_FIELDS.values())
    found = None
    if wants:
        text = article.text
        sentences = tokenize(text)
        found = article_entities(text, sentences, extractor=extractor)
        spans = [span for sentence in sentences for span in sentence]
        cut = len(title)
        title_words = index_words(title, [s for s in spans if s[1] <= cut]) if title else []
        skip = cut + 2 if title else 0  # Article.text joins title and body with a blank line
        body_words = index_words(text, [s for s in spans if s[0] >= skip])
    else:
        title_words = index_words(title, word_spans(title))
        body_words = index_words(body, word_spans(body))
    doc = to_document(article, found)
    # Whoosh indexes a sequence of strings as ready-made tokens at consecutive
    # positions, which is what our terms are; the text itself is still stored.
    doc["title"], doc["_stored_title"] = tuple(title_words), title
    doc["body"], doc["_stored_body"] = tuple(body_words), body
    return doc


# -- worker side ------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(folder: str, backend: str | None, own_process: bool = False) -> None:
    _worker["ix"] = DurableStorage(folder).open_index()
    _worker["extractor"] = get_extractor(backend) if backend else None
    if own_process:
        # A pool worker is ours alone, so its collector may be tuned (never the caller's):
        # what it inherited (the model, the caller's data) is never garbage here, and
        # analysis allocates millions of short-lived objects, few of them in cycles.
        # Measured on 5,000 Reuters articles in one worker: 0.4-0.7 s of collections
        # with the defaults, 0.24-0.39 s frozen and with a larger first generation.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)


def bulk_documents(articles: Iterable[Article], extractor: EntityExtractor | None) -> Iterator[dict[str, Any]]:
    """:func:`analyze` of each article, names as ready-made words for the bulk writer."""
    for article in articles:
        yield names_as_tokens(analyze(article, extractor))


def _write_segment(articles: list[Article]) -> Segment | None:
    """Write one complete segment (not yet part of the index) from ``articles``."""
    return write_segment(_worker["ix"], bulk_documents(articles, _worker["extractor"]))


# -- main side --------------------------------------------------------------


def batches(articles: Iterable[Article], size: int, first: int | None = None) -> Iterator[list[Article]]:
    """Batches of ``size`` articles (the first of ``first``, if given); a repeated id
    within a batch keeps the later article."""
    it = iter(articles)
    n = first or size
    while batch := list(islice(it, n)):
        unique: dict[str, Article] = {}
        for article in batch:
            unique.pop(article.id, None)
            unique[article.id] = article
        yield list(unique.values())
        n = size


def _chunks(batch: list[Article], n: int) -> list[list[Article]]:
    """``batch`` cut into at most ``n`` runs of about equal work, in order.

    The batch waits for its slowest worker, so the runs are cut by estimated cost,
    not count: an article costs about its length plus :data:`ARTICLE_COST`
    characters. On Reuters' second batch, halves of equal count held 8.0 and 7.1
    million characters, and one worker idled for 1.7 s (8%) at the batch's end.
    """
    size = len(batch)
    n = min(n, size)
    cum = [0, *accumulate(len(a.title) + len(a.body) + ARTICLE_COST for a in batch)]
    cuts = [0]
    for k in range(1, n):
        share = cum[-1] * k / n
        cut = bisect_left(cum, share)  # the first cut whose running total reaches the share
        if share - cum[cut - 1] < cum[cut] - share:
            cut -= 1  # the cut before it comes closer
        # every run keeps at least one article
        cuts.append(min(max(cut, cuts[-1] + 1), size - (n - k)))
    cuts.append(size)
    return [batch[a:b] for a, b in pairwise(cuts)]


def write_batches(
    ix: FileIndex,
    articles: Iterable[Article],
    *,
    backend: str | None,
    batch_size: int,
    procs: int,
    lock_timeout: float,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index ``articles`` in committed batches; returns how many were added."""
    batched = batches(articles, batch_size, min(batch_size, procs * FIRST_SHARE) if procs > 1 else None)
    first = next(batched, None)
    if first is None:
        return 0
    if backend is not None:
        get_extractor(backend)  # load the model once, here: forked workers inherit it
    parallel = procs > 1 and len(first) >= MIN_PARALLEL
    pool = None
    if parallel:
        # fork: workers inherit the loaded model and need no `if __name__ ==
        # "__main__"` guard in the caller's script; spawn where there is no fork.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = context.Pool(procs, _init_worker, (str(ix.storage.folder), backend, True))
    else:
        _init_worker(str(ix.storage.folder), backend)
    total = 0
    try:
        batch: list[Article] | None = first
        while batch:
            writer = lock_writer(ix, lock_timeout)
            try:
                if pool is not None:
                    pending = pool.map_async(_write_segment, _chunks(batch, procs), chunksize=1)
                    upcoming = next(batched, None)  # read ahead while the workers write
                    found = pending.get()
                else:
                    found = [_write_segment(batch)]
                    upcoming = None
                commit(writer, [s for s in found if s is not None], [a.id for a in batch])
            except BaseException:
                writer.cancel()
                raise
            total += len(batch)
            if progress:
                progress(len(batch))
            batch = upcoming if pool is not None else next(batched, None)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _worker.clear()
    return total
