"""The only code that touches Whoosh 2.7.4's private parts, and the workarounds for its bugs.

Where "an index on disk" ends and "the query language" begins: this package
owns the folder (format version, durable storage, the write lock, segments
written by workers and committed in one table of contents, the check) and the
matchers that read segments (phrases, date ranges, expanded words, in-memory
column copies, exact-total collection); :mod:`newsindex._query` only turns
query text into a tree of Whoosh's public query classes and these matchers.

Written against Whoosh 2.7.4 exactly (``setup.cfg`` pins it, and
``tests/test_whoosh_layer.py`` fails on any other version): each workaround
below names the 2.7.4 behaviour it replaces.
"""

from . import hashing, safe_pickle, stored
from .bulk import Tokens
from .collecting import SORTS, Collected, Sort, SortKey, check_sort, collect, matching_docnums
from .columns import NO_DATE, cached, date_values, doc_ids, names, split_by_segment
from .folder import FORMAT_VERSION, check_index, index_exists, open_folder, refresh, refuse_unaccounted, segment_count
from .lexicon_search import MAX_QUERY_STEPS, MAX_QUERY_WORDS
from .matchers import Budget, BudgetExceeded, DateRange, DocsMatcher, LeafQuery, Words, expand, without_andnot
from .merging import merge_all
from .phrases import Phrase, chain_ends
from .stats import GlobalStats, gather_stats, key_terms, scored_terms, text_terms, use_stats
from .storage import DurableStorage, fsync_dir
from .writing import Segment, acquire_lock, adopt_segments, commit, lock_writer, stage_segment, write_segment

__all__ = [
    "FORMAT_VERSION",
    "MAX_QUERY_STEPS",
    "MAX_QUERY_WORDS",
    "NO_DATE",
    "SORTS",
    "WHOOSH_VERSION",
    "Budget",
    "BudgetExceeded",
    "Collected",
    "DateRange",
    "DocsMatcher",
    "DurableStorage",
    "GlobalStats",
    "LeafQuery",
    "Phrase",
    "Segment",
    "Sort",
    "SortKey",
    "Tokens",
    "Words",
    "acquire_lock",
    "adopt_segments",
    "cached",
    "chain_ends",
    "check_index",
    "check_sort",
    "collect",
    "commit",
    "date_values",
    "doc_ids",
    "expand",
    "fsync_dir",
    "gather_stats",
    "index_exists",
    "key_terms",
    "lock_writer",
    "matching_docnums",
    "merge_all",
    "names",
    "open_folder",
    "refresh",
    "refuse_unaccounted",
    "scored_terms",
    "segment_count",
    "split_by_segment",
    "stage_segment",
    "text_terms",
    "use_stats",
    "without_andnot",
    "write_segment",
]

WHOOSH_VERSION = "2.7.4"  # the version every private use here was written and tested against

# Before any index is read: every pickle Whoosh loads goes through the restricted unpickler.
safe_pickle.install()
stored.install()  # stored fields written in compressed blocks (format 5)
hashing.install()
