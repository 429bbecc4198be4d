"""Every pickle Whoosh reads from an index goes through a restricted unpickler.

Whoosh 2.7.4 keeps the table of contents (schema and segment list), compound
file directories, column headers, posting values and stored fields as pickles,
and loads them with :func:`pickle.loads`, which calls whatever a pickle names:
an index folder from someone else could run code when ``stats``, ``check``,
``search`` or ``index`` opened it. :func:`install` replaces each of Whoosh's
loaders with :func:`loads`/:func:`load`, whose unpickler resolves only the
classes an index of ours holds: Whoosh's schema, field, format, analyzer,
column, codec and segment classes, our analyzers and fields, built-in
containers and datetime. Anything else raises :class:`UnsafePickleError`.

>>> loads(pickle.dumps({"when": dt.datetime(2023, 9, 13)}))
{'when': datetime.datetime(2023, 9, 13, 0, 0)}
>>> loads(pickle.dumps(print))  # doctest: +ELLIPSIS
Traceback (most recent call last):
newsindex.UnsafePickleError: the index holds a pickled reference to builtins.print, ...
"""

from __future__ import annotations

import _compat_pickle
import array
import builtins
import codecs
import collections
import copyreg
import datetime as dt
import importlib
import io
import pickle
import types
from typing import IO, Any

from .._errors import UnsafePickleError

__all__ = ["UnsafePickleError", "install", "load", "loads"]


# Plain values and containers: a pickle may build these and nothing else of Python's own.
_PLAIN: dict[tuple[str, str], Any] = {
    ("builtins", name): getattr(builtins, name)
    for name in ("int", "float", "complex", "bool", "str", "bytes", "bytearray", "list", "tuple", "dict", "set")
}
_PLAIN.update(
    {
        ("builtins", "frozenset"): frozenset,
        ("builtins", "object"): object,  # the base in copyreg's reconstructor arguments
        ("datetime", "datetime"): dt.datetime,
        ("datetime", "date"): dt.date,
        ("datetime", "time"): dt.time,
        ("datetime", "timedelta"): dt.timedelta,
        ("datetime", "timezone"): dt.timezone,
        ("collections", "defaultdict"): collections.defaultdict,
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("array", "array"): array.array,
        ("array", "_array_reconstructor"): array._array_reconstructor,  # type: ignore[attr-defined]
        # Protocol 2 pickles bytes as _codecs.encode(text, "latin1").
        ("_codecs", "encode"): codecs.encode,
        ("copyreg", "_reconstructor"): copyreg._reconstructor,  # type: ignore[attr-defined]
    }
)
# Modules whose classes may appear, if they derive from one of _BASES.
_MODULES = ("whoosh.", "newsindex.")


def _bases() -> tuple[type, ...]:
    from whoosh import analysis, columns, fields, formats
    from whoosh.codec import base as codec_base

    return (
        fields.Schema,
        fields.FieldType,
        formats.Format,
        analysis.Composable,
        columns.Column,
        codec_base.Codec,
        codec_base.Segment,
    )


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # Python 2 names (__builtin__.long), as pickle.Unpickler.find_class maps them.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        plain = _PLAIN.get((module, name))
        if plain is not None:
            return plain
        if module.startswith(_MODULES) and "." not in name:
            try:
                found = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                found = None
            if isinstance(found, type) and issubclass(found, _bases()):
                return found
        raise UnsafePickleError(
            f"the index holds a pickled reference to {module}.{name}, which an index never holds; "
            "it may have been crafted to run code, so it was not loaded"
        )


def loads(data: bytes, *args: Any, **kwargs: Any) -> Any:
    """:func:`pickle.loads`, resolving only what an index legitimately holds."""
    return _Unpickler(io.BytesIO(data)).load()


def load(file: IO[bytes], *args: Any, **kwargs: Any) -> Any:
    """:func:`pickle.load`, resolving only what an index legitimately holds."""
    return _Unpickler(file).load()


def install() -> None:
    """Point every loader Whoosh reads an index with at :func:`loads`/:func:`load`.

    Whoosh's modules bind ``loads``/``load`` by name at import, so each module's
    name is replaced; ``whoosh.compat`` too, for modules imported later.
    Older table-of-contents formats, read by Whoosh's unrestricted legacy
    loader, are refused instead.
    """
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.compat
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index

    whoosh.compat.loads, whoosh.compat.load = loads, load
    whoosh.filedb.structfile.load_pickle = load
    whoosh.columns.loads = loads
    whoosh.codec.whoosh3.loads = loads
    whoosh.formats.loads = loads
    shim = types.SimpleNamespace(**{k: getattr(pickle, k) for k in ("dumps", "dump", "HIGHEST_PROTOCOL")})
    shim.loads, shim.load = loads, load
    whoosh.index.pickle = shim
    whoosh.index.toc_loaders = {}
