"""Retrain the bundled entity model: ``python -m newsindex.train --help``.

An entry point only, like ``__main__.py``: the code lives in
:mod:`newsindex._entities.training`, and ``import newsindex`` never loads it.
"""

if __name__ == "__main__":
    from newsindex._entities.training import main

    raise SystemExit(main())
