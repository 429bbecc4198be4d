"""Where an index's bytes go: per segment file type and per field.

Run from the repository root::

    python benchmarks/index_bytes.py DIR [DIR ...] [--json]

For every folder (a newsindex index or any Whoosh 2.7.4 index), sums over its
segments: each file inside the compound ``.seg`` files by kind (postings,
term dictionary, each column, stored fields), the postings and term-dictionary
records of each field, and the stored fields each field would cost compressed
on its own (an estimate: the stored column compresses each document's fields
together). Also the table of contents and other files of the folder.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader


def breakdown(folder: Path) -> dict[str, Any]:
    if (folder / "newsindex.json").exists():
        # newsindex's reader of block-compressed stored fields (and its restricted
        # unpickler, which refuses plain Whoosh's pickled analyzers: one kind per process)
        import newsindex  # noqa: F401
    storage = FileStorage(str(folder))
    ix = FileIndex(storage)
    toc = ix._read_toc()
    kinds: Counter[str] = Counter()
    postings: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    term_counts: Counter[str] = Counter()
    stored_fields: Counter[str] = Counter()
    seg_bytes = 0
    for segment in toc.segments:
        name = segment.make_filename(".seg")
        seg_bytes += storage.file_length(name)
        with storage.open_file(name) as f:
            cs = CompoundStorage(f, use_mmap=False)
            for sub, entry in cs._dir.items():
                ext = sub[len(segment.segment_id()) :]
                kinds[ext if not ext.endswith(".col") else "col " + ext[1:-4]] += entry["length"]
            trm = cs.open_file(segment.make_filename(".trm"))
            tindex = OrderedHashReader(trm, cs.file_length(segment.make_filename(".trm")))
            unmap = {num: field for field, num in tindex.extras["fieldmap"].items()}
            for key, value in tindex.items():
                field = unmap[int.from_bytes(key[:2], "big")]
                term_counts[field] += 1
                terms[field] += 8 + len(key) + len(value) + 4 + 8  # record, position index, hash bucket
                info = W3TermInfo.from_bytes(value)
                if not info.is_inlined():
                    length = info.extent()[1]
                    postings[field] += length[0] if isinstance(length, tuple) else length  # unpack_int's tuple

        reader = SegmentReader(storage, toc.schema, segment)
        try:
            for docnum in range(segment.doc_count_all()):
                for field, value in (reader.stored_fields(docnum) or {}).items():
                    stored_fields[field] += len(zlib.compress(pickle.dumps({field: value}, 2), 3))
        finally:
            reader.close()
    other = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file() and not p.name.endswith(".seg")}
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return {
        "folder": str(folder),
        "segments": len(toc.segments),
        "documents": sum(s.doc_count() for s in toc.segments),
        "total": total,
        "seg_files": seg_bytes,
        "kinds": dict(kinds.most_common()),
        "postings_by_field": dict(postings.most_common()),
        "terms_by_field": dict(terms.most_common()),
        "term_counts": dict(term_counts.most_common()),
        "stored_by_field_alone": dict(stored_fields.most_common()),
        "other_files": other,
    }


def _mb(n: int) -> str:
    return f"{n / 1e6:7.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if len(args.folders) > 1:  # each folder in its own process (see breakdown)
        reports = []
        for folder in args.folders:
            done = subprocess.run(
                [sys.executable, __file__, str(folder), "--json"], capture_output=True, text=True, check=True
            )
            reports += json.loads(done.stdout)
    else:
        reports = [breakdown(args.folders[0])]
    if args.json:
        json.dump(reports, sys.stdout, indent=1)
        print()
        return 0
    for r in reports:
        print(f"{r['folder']}: {_mb(r['total'])} MB, {r['segments']} segments, {r['documents']} documents")
        for title, key in (
            ("by file kind", "kinds"),
            ("postings by field", "postings_by_field"),
            ("term dictionary by field", "terms_by_field"),
            ("stored, each field compressed alone (estimate)", "stored_by_field_alone"),
        ):
            print(f"  {title}:")
            for name, n in r[key].items():
                extra = f"  ({r['term_counts'][name]:,} terms)" if key == "terms_by_field" else ""
                print(f"    {name:28} {_mb(n)} MB{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
