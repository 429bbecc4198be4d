"""Without the ``serve`` extra, the server's modules are not collected for doctests."""

import importlib.util

collect_ignore = [] if all(importlib.util.find_spec(m) for m in ("starlette", "jinja2")) else ["newsindex/_serve"]
