"""The worst queries we could construct, each at most 10,000 characters, on the Reuters index.

Run from the repository root::

    python benchmarks/bench_worst_queries.py [--index DIR] [--json]

With ``--index DIR`` an existing Reuters-21578 index is reused; without it one
is built (without entities) into a temporary folder. Each query runs once
after a warm-up search; the table gives its length, the seconds it took and
its outcome (a total, or the QueryError that refused it). Issue #12 asks that
none takes more than a couple of seconds: before the fixes, 50 OR'd ``*abq*``
took 14 s, 500 over two minutes, and 32 nested brackets hours.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
sys.path.insert(0, str(ROOT))

LIMIT = 10_000


def _fit(parts: Iterator[str], sep: str = " OR ", most: int = 499) -> str:
    """As many parts as fit in LIMIT characters, at most ``most`` (499 terms
    over title and body stay under the 1,000-clause limit)."""
    out = ""
    for part in itertools.islice(parts, most):
        nxt = f"{out}{sep}{part}" if out else part
        if len(nxt) > LIMIT:
            break
        out = nxt
    return out


def queries() -> dict[str, str]:
    rng = random.Random(12)

    def word(n: int, letters: str = "abcdefghilmnoprstu") -> str:
        return "".join(rng.choice(letters) for _ in range(n))

    two = ["".join(p) for p in itertools.product("abcdefghijklmnopqrstuvwxyz", repeat=2)]
    from newsindex._query import MAX_DEPTH

    return {
        "50 leading wildcards *abq*": " OR ".join(["*abq*"] * 50),
        "leading wildcards, distinct, to 10k": _fit(f"*{word(3)}*" for _ in range(5000)),
        "leading wildcards, common letters": _fit(f"*{c}*" for c in "etaoinshrdlu" * 200),
        "leading wildcards, 2 letters": _fit(f"*{w}*" for w in rng.sample(two, len(two))),
        "prefix wildcards, 2 letters": _fit(f"{word(2)}*" for _ in range(5000)),
        "prefix wildcards, 3 letters, to 10k": _fit(f"{word(3)}*" for _ in range(5000)),
        "fuzzy xx~2 x130": " OR ".join(["xx~2"] * 130),
        "fuzzy distinct 2-letter ~2": _fit(f"{w}~2" for w in two),
        "fuzzy distinct 6-letter ~2": _fit(f"{word(6)}~2" for _ in range(5000)),
        "mixed ?-wildcards": _fit(f"{word(1)}?{word(1)}*" for _ in range(5000)),
        f"nested brackets x{MAX_DEPTH}": "(" * MAX_DEPTH + "oil" + ")" * MAX_DEPTH,
        "unknown words (did you mean)": _fit((word(7) for _ in range(5000)), sep=" "),
        "known words AND": _fit((w for w in ["oil", "price", "bank", "rate", "trade"] * 2000), sep=" "),
        "phrases": _fit(('"interest rates"' for _ in range(2000)), sep=" OR "),
        "entity fields": _fit((f"entity:{word(4)}" for _ in range(2000)), sep=" OR ", most=333),
        "entity wildcards": _fit((f"entity:*{word(2)}*" for _ in range(2000)), sep=" OR ", most=333),
        "date ranges": _fit(("published:[1987-02 TO 1987-04]" for _ in range(500)), sep=" OR "),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an existing Reuters-21578 index")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    from newsindex import Article, Index, QueryError, read

    with tempfile.TemporaryDirectory() as tmp:
        path = args.index
        if path is None:
            path = Path(tmp) / "index"
            articles = [r for r in read([REUTERS]) if isinstance(r, Article)]
            with Index(path, entities=None) as ix:
                ix.add(articles)
        with Index(path, create=False, entities=None) as ix:
            ix.search("warm up")
            rows = []
            for name, text in queries().items():
                assert len(text) <= LIMIT, name
                start = time.perf_counter()
                try:
                    outcome = f"total {ix.search(text).total:,}"
                except QueryError as exc:
                    outcome = f"QueryError: {exc}"
                rows.append(
                    {"query": name, "chars": len(text), "seconds": time.perf_counter() - start, "outcome": outcome}
                )
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'query':40} {'chars':>6} {'seconds':>8}  outcome")
    for row in rows:
        print(f"{row['query']:40} {row['chars']:>6} {row['seconds']:>8.2f}  {row['outcome'][:70]}")
    print(f"worst: {max(r['seconds'] for r in rows):.2f} s")


if __name__ == "__main__":
    main()
