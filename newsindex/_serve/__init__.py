"""``newsindex serve``: a read-only search site and JSON API over one index.

Starlette (routing, responses, the in-process test client), uvicorn (the ASGI
server) and Jinja2 (templates, escaping every value by default) come with the
``serve`` extra: ``pip install 'newsindex[serve]'``. Nothing here is imported
unless the server is used.
"""

from .app import create_app, is_loopback, run

__all__ = ["create_app", "is_loopback", "run"]
