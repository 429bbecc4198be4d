"""The Starlette application: search and article pages, the JSON API, export.

Read-only: every route is GET (HEAD too); nothing writes to the index. Pages
are rendered by the server with Jinja2 (every value escaped) and work without
JavaScript; every state is a GET URL. Requests run in Starlette's thread pool,
each with an Index borrowed from :class:`IndexPool`.
"""

from __future__ import annotations

import ipaddress
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from .._archive import Archive
from .._errors import QueryError
from .._export import FORMATS, export_lines, parse_fields
from .._index import Index
from .._results import Results
from .._vocabulary import ENTITY_FIELDS
from .._whoosh import SORTS, Sort
from .pool import Busy, IndexPool
from .text import entity_paragraphs, entity_query, safe_url, snippet_pieces
from .timeline import build_timeline

__all__ = ["CSP", "create_app", "is_loopback", "run"]

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_SIZE = 10
MAX_LIMIT = 100
MAX_DEPTH = 10_000  # page * limit: deeper pages need the top-N of that many hits; use export
FACET_NAMES = ("person", "organization", "location", "source")
FACET_TITLES = {"person": "People", "organization": "Organizations", "location": "Places", "source": "Sources"}
MAX_EXPORTS = 2  # exports at once; each holds a searcher and a thread while it streams


class _BadRequest(Exception):
    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _SecurityHeaders:
    """Adds a restrictive Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- request parameters --------------------------------------------------------


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise _BadRequest(f"{name} must be between {lo} and {hi}")
    return value


def _sort(request: Request, default: Sort = "relevance") -> Sort:
    sort = request.query_params.get("sort") or default
    if sort not in SORTS:
        raise _BadRequest(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    return sort


def combine(q: str, filters: list[str]) -> str:
    """The query that runs: the typed query, AND each filter."""
    q = q.strip()
    if not filters:
        return q
    if not q:
        return " ".join(filters)
    return f"({q}) " + " ".join(filters)


def _url(path: str, params: list[tuple[str, str]]) -> str:
    kept = [(k, v) for k, v in params if v != ""]
    return path + ("?" + urlencode(kept) if kept else "")


# -- the application ------------------------------------------------------------


def create_app(index_path: str | Path, *, pool_size: int = 2) -> Starlette:
    """The server's ASGI application over the index at ``index_path`` (read-only)."""
    pool = IndexPool(Path(index_path), size=pool_size)
    exports = threading.BoundedSemaphore(MAX_EXPORTS)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped unless a template says otherwise (none does)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(version=__version__, facet_titles=FACET_TITLES, entity_query=entity_query)
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["day"] = lambda d: f"{d.day} {d:%B %Y}" if d else "undated"

    span: dict[str, Any] = {}

    def home_stats() -> dict[str, Any]:
        """Articles and date span for the home page. The span takes a walk over
        every date term (most of a second on Reuters), so it is kept until the
        number of articles changes."""
        with pool.borrow() as index:
            documents = len(index)
            if span.get("documents") != documents:
                info = index.stats()
                span.update(documents=documents, oldest=info.oldest, newest=info.newest)
        return dict(span)

    def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(template).render(**context), status_code=status)

    def json_error(message: str, status: int, position: int | None = None) -> JSONResponse:
        return JSONResponse({"error": message, "position": position}, status_code=status)

    # -- pages --

    def search_page(request: Request) -> HTMLResponse:
        params = request.query_params
        q = params.get("q", "")
        filters = [f for f in params.getlist("f") if f.strip()]
        try:
            sort = _sort(request)
            page_no = _int(request, "page", 1, 1, MAX_DEPTH // PAGE_SIZE)
        except _BadRequest as exc:
            error = {"message": exc.message, "query": "", "position": None}
            return page("search.html", 400, **{**_empty(q, filters, "relevance"), "error": error})
        base = [("q", q), *(("f", f) for f in filters)]
        ctx = _empty(q, filters, sort)
        ctx["links"] = _links(base, sort, filters)
        if not q.strip() and not filters:
            ctx["stats"] = home_stats()
            return page("search.html", **ctx)
        text = combine(q, filters)
        with pool.borrow() as index:
            try:
                results = index.search(
                    text, limit=PAGE_SIZE, page=page_no, sort=sort, facets=[*FACET_NAMES, "published:day"]
                )
            except QueryError as exc:
                shown = exc.query if exc.query else text
                if filters:  # point at the typed query when that is where the fault is
                    try:
                        index.search(q, limit=1) if q.strip() else None
                    except QueryError as own:
                        exc, shown = own, q
                ctx["error"] = _error(exc, shown)
                return page("search.html", 400, **ctx)
            entities = {}
            for hit in results.hits:
                article = index.get(hit.id)
                if article is not None:
                    entities[hit.id] = [
                        (field, name)
                        for field, attr in ENTITY_FIELDS.items()
                        for name in (getattr(article, attr) or ())[:4]
                    ]
        ctx.update(
            results=results,
            hits=[(hit, snippet_pieces(hit.snippet, hit.highlights), entities.get(hit.id, [])) for hit in results],
            facets=[(key, results.facets.get(key, ())) for key in FACET_NAMES],
            timeline=build_timeline(results.facets.get("published", ())),
            suggestion=_suggestion(results, q, filters, sort),
            pager=_pager(base, sort, results),
            export_url=_url("/api/export", [("q", text)]),
            back=request.url.path + "?" + request.url.query,
        )
        return page("search.html", **ctx)

    def article_page(request: Request) -> HTMLResponse:
        article_id = request.path_params["article_id"]
        with pool.borrow() as index:
            article = index.get(article_id)
            similar = index.similar(article_id, limit=6) if article is not None else None
        if article is None:
            return page("missing.html", 404, article_id=article_id, q="", sort="relevance", filters=[])
        back = request.query_params.get("back", "")
        if not back.startswith("/?"):  # only a search page of this site: never another site or scheme
            back = "/"
        title, paragraphs, mentions = entity_paragraphs(article)
        names = [
            (field, [(n, mentions.get(n, 0)) for n in (getattr(article, attr) or ())])
            for field, attr in ENTITY_FIELDS.items()
        ]
        return page(
            "article.html",
            article=article,
            title_pieces=title,
            paragraphs=paragraphs,
            names=names,
            similar=similar,
            url=safe_url(article.url),
            json_url=_url("/api/articles/" + _quote(article.id), []),
            back=back,
            q="",
            sort="relevance",
            filters=[],
        )

    # -- JSON API --

    def api_search(request: Request) -> JSONResponse:
        params = request.query_params
        q = params.get("q", "")
        try:
            limit = _int(request, "limit", PAGE_SIZE, 1, MAX_LIMIT)
            page_no = _int(request, "page", 1, 1, MAX_DEPTH)
            if page_no * limit > MAX_DEPTH:
                raise _BadRequest(f"page × limit is over {MAX_DEPTH:,}: use /api/export for every match")
            facet_limit = _int(request, "facet_limit", 10, 1, 1000)
            sort = _sort(request)
            if not q.strip():
                raise _BadRequest("q is required")
            facets = [f for f in params.get("facets", "").split(",") if f.strip()]
            with pool.borrow() as index:
                results = index.search(q, limit=limit, page=page_no, sort=sort, facets=facets, facet_limit=facet_limit)
        except (QueryError, _BadRequest) as exc:
            return json_error(exc.message, 400, exc.position)
        return JSONResponse({**results.to_dict(), "pages": results.pages})

    def api_article(request: Request) -> JSONResponse:
        article_id: str = request.path_params["article_id"]
        with pool.borrow() as index:
            article = index.get(article_id)
            if article is None and article_id.endswith("/similar"):
                return _similar(index, request, article_id[: -len("/similar")])
        if article is None:
            return json_error(f"no article with id {article_id!r}", 404)
        return JSONResponse(article.to_dict())

    def _similar(index: Index | Archive, request: Request, article_id: str) -> JSONResponse:
        try:
            limit = _int(request, "limit", PAGE_SIZE, 1, MAX_LIMIT)
            page_no = _int(request, "page", 1, 1, MAX_DEPTH // limit)
        except _BadRequest as exc:
            return json_error(exc.message, 400)
        results = index.similar(article_id, limit=limit, page=page_no)
        if results is None:
            return json_error(f"no article with id {article_id!r}", 404)
        return JSONResponse({**results.to_dict(), "pages": results.pages})

    def api_stats(request: Request) -> JSONResponse:
        with pool.borrow() as index:
            info = index.stats().to_dict()
        info.pop("path", None)  # the server does not say where its files live
        return JSONResponse(info)

    def api_export(request: Request) -> Response:
        params = request.query_params
        q = params.get("q", "")
        fmt = params.get("format", "jsonl")
        try:
            if not q.strip():
                raise _BadRequest("q is required")
            if fmt not in FORMATS:
                raise _BadRequest(f"format must be jsonl or csv, not {fmt!r}")
            sort = _sort(request, "oldest")
            fields = parse_fields(params.get("fields"))
        except (_BadRequest, ValueError) as exc:
            return json_error(getattr(exc, "message", str(exc)), 400)
        if not exports.acquire(blocking=False):
            return json_error(f"{MAX_EXPORTS} exports are running; try again when one ends", 429)
        index = pool.open_one()  # its own, for as long as the stream lasts
        try:
            scan = index.scan(q, sort=sort, fields=fields)
        except QueryError as exc:
            index.close()
            exports.release()
            return json_error(exc.message, 400, exc.position)
        except BaseException:
            index.close()
            exports.release()
            raise

        closed = threading.Lock()

        def release() -> None:
            """Once: close the scan and its Index, free the export slot."""
            if closed.acquire(blocking=False):
                scan.close()
                index.close()
                exports.release()

        def chunks() -> Iterator[str]:
            try:
                buffer: list[str] = []
                size = 0
                for line in export_lines(scan, fields, fmt):
                    buffer.append(line)
                    size += len(line)
                    if size >= 64_000:  # fewer, larger writes: each chunk is one thread hop
                        yield "".join(buffer)
                        buffer, size = [], 0
                if buffer:
                    yield "".join(buffer)
            finally:
                release()

        stream = chunks()
        # A client that leaves before the first chunk never starts the generator,
        # so its ``finally`` would not run: release when it is collected instead.
        weakref.finalize(stream, release)
        media = "application/x-ndjson" if fmt == "jsonl" else "text/csv; charset=utf-8"
        headers = {
            "X-Total-Count": str(len(scan)),
            "Content-Disposition": f'attachment; filename="newsindex-export.{fmt}"',
        }
        return StreamingResponse(stream, media_type=media, headers=headers)

    def _guard(endpoint: Any, as_json: bool) -> Any:
        def guarded(request: Request) -> Response:
            try:
                response: Response = endpoint(request)
                return response
            except Busy as exc:
                if as_json:
                    return json_error(str(exc), 503)
                return HTMLResponse(f"<p>{exc}</p>", status_code=503)

        return guarded

    routes = [
        Route("/", _guard(search_page, False)),
        Route("/articles/{article_id:path}", _guard(article_page, False)),
        Route("/api/search", _guard(api_search, True)),
        Route("/api/export", _guard(api_export, True)),
        Route("/api/stats", _guard(api_stats, True)),
        Route("/api/articles/{article_id:path}", _guard(api_article, True)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return json_error("not found", 404)
        return page("missing.html", 404, article_id=None, q="", sort="relevance", filters=[])

    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SecurityHeaders)],
        exception_handlers={404: not_found},
    )
    app.state.pool = pool
    return app


def _quote(article_id: str) -> str:
    from urllib.parse import quote

    return quote(article_id, safe="")


def _empty(q: str, filters: list[str], sort: str) -> dict[str, Any]:
    return {
        "q": q,
        "filters": filters,
        "sort": sort,
        "results": None,
        "hits": [],
        "facets": [],
        "timeline": None,
        "suggestion": None,
        "pager": None,
        "error": None,
        "stats": None,
        "links": {"remove": [], "sorts": []},
        "export_url": "",
        "back": "/",
    }


def _links(base: list[tuple[str, str]], sort: str, filters: list[str]) -> dict[str, Any]:
    """Every link of the page, as plain GET URLs (facets add a filter, bars replace the date one)."""
    q = base[0][1]
    sort_param = [] if sort == "relevance" else [("sort", sort)]

    def with_filters(fs: list[str]) -> str:
        return _url("/", [("q", q), *(("f", f) for f in fs), *sort_param])

    return {
        "remove": [(f, with_filters([g for g in filters if g != f])) for f in filters],
        "sorts": [(s, _url("/", [*base, *([] if s == "relevance" else [("sort", s)])])) for s in SORTS],
        "add": lambda clause: with_filters([*[g for g in filters if g != clause], clause]),
        "bar": lambda clause: with_filters([*[g for g in filters if not g.startswith("published:")], clause]),
    }


def _error(exc: QueryError, shown: str) -> dict[str, Any]:
    pos = exc.position
    if pos is None or not 0 <= pos <= len(shown):
        return {"message": exc.message, "query": shown, "before": shown, "at": "", "after": "", "position": None}
    return {
        "message": exc.message,
        "query": shown,
        "before": shown[:pos],
        "at": shown[pos : pos + 1] or " ",
        "after": shown[pos + 1 :],
        "position": pos,
    }


def _suggestion(results: Results, q: str, filters: list[str], sort: str) -> tuple[str, str] | None:
    """ "Did you mean": the corrected typed query and its link (filters kept)."""
    s = results.suggestion
    if not s:
        return None
    if filters and q.strip():
        tail = ") " + " ".join(filters)
        if not (s.startswith("(") and s.endswith(tail)):
            return None
        s = s[1 : -len(tail)]
    elif filters:
        return None
    sort_param = [] if sort == "relevance" else [("sort", sort)]
    return s, _url("/", [("q", s), *(("f", f) for f in filters), *sort_param])


def _pager(base: list[tuple[str, str]], sort: str, results: Results) -> dict[str, Any]:
    sort_param = [] if sort == "relevance" else [("sort", sort)]
    last = min(results.pages, MAX_DEPTH // PAGE_SIZE)

    def link(n: int) -> str:
        return _url("/", [*base, *sort_param, *([("page", str(n))] if n > 1 else [])])

    window = sorted({1, last, *range(max(1, results.page - 2), min(last, results.page + 2) + 1)})
    return {
        "page": results.page,
        "last": last,
        "prev": link(results.page - 1) if results.page > 1 else None,
        "next": link(results.page + 1) if results.page < last else None,
        "pages": [(n, link(n)) for n in window],
    }


def run(index_path: str | Path, host: str = "127.0.0.1", port: int = 8080, readers: int = 2) -> None:
    """Serve the index until interrupted (uvicorn, one process)."""
    import uvicorn

    app = create_app(index_path, pool_size=readers)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
