"""What segment checksums cost: recording at commit, verifying on first open, and in check.

Run from the repository root::

    python benchmarks/bench_checksums.py [--index DIR] [--repeat R] [--json]

With ``--index DIR`` an existing Reuters-21578 index (format 2) is reused;
without it one is built (without entities) into a temporary folder. Timings
are the median of ``--repeat`` runs, with the files in the page cache (as on
a machine that searches the index often):

- record: CRC32 of every segment file, as a commit does for new segments;
- open cold / open verified: a first search in a fresh process state, with
  and without the checksum verification (the first reads every segment file
  once); open cached: a later reader, files already verified;
- check: ``Index.check()``, and the part of it that is checksum verification.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
sys.path.insert(0, str(ROOT))


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an existing Reuters-21578 index")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    from newsindex import Article, Index, read
    from newsindex._whoosh import checksums, folder

    with tempfile.TemporaryDirectory() as tmp:
        path = args.index
        if path is None:
            path = Path(tmp) / "index"
            with Index(path, entities=None) as ix:
                ix.add(r for r in read([REUTERS]) if isinstance(r, Article))
        with Index(path, create=False, entities=None) as ix:
            segments = ix._ix._read_toc().segments
            size = sum(f.stat().st_size for f in path.glob("MAIN_*.*"))

            def record() -> None:
                for segment in segments:
                    setattr(segment, checksums._ATTR, None)
                    checksums.record(ix._ix.storage, segment)

            def verify_all() -> None:
                for segment in segments:
                    assert not checksums.verify(path, segment)

            def first_search(verify: bool) -> Callable[[], None]:
                def run() -> None:
                    checksums._verified.clear()
                    original = checksums.verify_segments
                    if not verify:
                        folder.checksums.verify_segments = lambda *a: None  # type: ignore[assignment]
                    try:
                        with Index(path, create=False, entities=None) as fresh:
                            fresh.search("oil")
                    finally:
                        folder.checksums.verify_segments = original  # type: ignore[assignment]

                return run

            def cached_search() -> None:
                with Index(path, create=False, entities=None) as fresh:
                    fresh.search("oil")

            rows = {
                "segment files (MB)": size / 1e6,
                "segments": len(segments),
                "record (s)": _median(record, args.repeat),
                "open cold, no verification (s)": _median(first_search(False), args.repeat),
                "open cold, verified (s)": _median(first_search(True), args.repeat),
                "open, files already verified (s)": _median(cached_search, args.repeat),
                "check (s)": _median(ix.check, max(1, args.repeat // 2)),
                "check: checksum part (s)": _median(verify_all, args.repeat),
            }
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for key, value in rows.items():
        print(f"{key:36} {value:10.3f}")


if __name__ == "__main__":
    main()
