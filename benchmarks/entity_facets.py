"""Entity facets over Reuters-21578, as a news editor would see them.

Run from the repository root::

    python benchmarks/entity_facets.py [--limit N] [--top 40] [--path FILE]

Reads every article with :func:`newsindex.read`, runs
:func:`newsindex._entities.article_entities` on ``Article.text`` (title, blank line,
body: what indexing gives the extractor) and prints the ``--top`` canonical values per
type with the number of articles naming them.  Use it after every tagger change: the
list should hold no sign-off, company suffix, month, headline fragment or two spellings
of one entity.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def facet_counts(path: Path, limit: int = 0) -> tuple[dict[str, Counter], int]:
    """Article counts per canonical value, for persons, organizations and locations."""
    from newsindex import Article, read
    from newsindex._entities import article_entities

    counts = {"person": Counter(), "org": Counter(), "location": Counter()}
    n = 0
    for rec in read([path]):
        if not isinstance(rec, Article):
            continue
        ents = article_entities(rec.text)
        counts["person"].update(ents.persons)
        counts["org"].update(ents.organizations)
        counts["location"].update(ents.locations)
        n += 1
        if limit and n >= limit:
            break
    return counts, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", type=Path, default=DEFAULT, help="JSON Lines articles (default: %(default)s)")
    ap.add_argument("--limit", type=int, default=0, help="read at most N articles (0: all)")
    ap.add_argument("--top", type=int, default=40, help="values listed per type (default %(default)s)")
    args = ap.parse_args(argv)
    if not args.path.exists():
        print(f"{args.path} is absent: nothing to list")
        return 0
    t0 = time.perf_counter()
    counts, n = facet_counts(args.path, args.limit)
    print(f"{n:,} articles in {time.perf_counter() - t0:.0f}s")
    for field, counter in counts.items():
        print(f"\n{field}: {len(counter):,} distinct values; top {args.top}")
        for value, k in counter.most_common(args.top):
            print(f"  {k:6,}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
