"""The web application: the JSON API (the CLI's JSON over GET) and the search page.

What it is for: ``create_app(kit)`` gives an ASGI app whose ``/api/...`` answers are the
bodies ``searchkit ... --json`` prints for the same query (the search adds ``next``, the
URL of the next page), whose errors are ``{"error", "hint"}`` with a 4xx status for bad
input, and whose ``/`` is the page in ``static/`` (plain HTML, CSS and JavaScript: no
build step, nothing fetched from outside). Routes are plain functions run in Starlette's
thread pool: a slow search holds one thread, never the event loop, so ``/healthz``
answers meanwhile; ``SearchKit`` is safe to share across threads.

What it must not do: reach past the public ``SearchKit`` API, write anything (the server
is read-only), or open a file by a path taken from a request (documents are fetched by id;
static files come from the package's own folder).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from searchkit.errors import NotFoundError, QueryError, SearchkitError
from searchkit.web.guard import Guard
from searchkit.web.params import FILTER_PARAMS, MAX_TOP, SEARCH_PARAMS, Params, compose_query, search_args

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.api import SearchKit

__all__ = ["create_app"]

STATIC = Path(__file__).with_name("static")
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8", "json": "application/json; charset=utf-8"}


class _JSON(JSONResponse):
    """JSON as the CLI prints it: UTF-8 text, accents unescaped."""

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8")


def _error(exc: SearchkitError) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, QueryError) else 500
    return _JSON({"error": exc.message, "hint": exc.hint}, status_code=status)


def _answer(fn: Callable[[Request], Any]) -> Callable[[Request], Response]:
    """A route: its return value as JSON; a library error as {"error", "hint"}."""

    def route(request: Request) -> Response:
        try:
            out = fn(request)
        except SearchkitError as exc:
            return _error(exc)
        return out if isinstance(out, Response) else _JSON(out, headers={"cache-control": "no-store"})

    route.__name__ = fn.__name__
    return route


class Api:
    """The routes over one ``SearchKit``."""

    def __init__(self, kit: "SearchKit") -> None:
        self.kit = kit

    def search(self, request: Request) -> dict[str, Any]:
        args = search_args(Params(request.query_params.multi_items(), SEARCH_PARAMS), self.kit.config.limit)
        res = self.kit.search(args.query, filters=args.filters, limit=args.limit, offset=args.offset, sort=args.sort, mode=args.mode)
        body = res.to_dict()
        shown = args.offset + len(res.hits)
        body["next"] = _with(request, offset=shown) if res.hits and shown < res.total else None
        return body

    def document(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("q",))
        return self.kit.document(request.path_params["doc_id"], params.text("q")).to_dict()

    def facets(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("q", "top", *FILTER_PARAMS))
        query = compose_query(params.text("q"), params.excluded())
        values = self.kit.facets(request.path_params["field"], query=query, filters=params.filters(), top=params.integer("top", 20, 0, MAX_TOP))
        return values.to_dict()

    def timeline(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("q", "by", *FILTER_PARAMS))
        query = compose_query(params.text("q"), params.excluded())
        by = params.choice("by", ("year", "month", "week"), "month") or "month"
        return self.kit.timeline(query, params.filters(), by=by).to_dict()

    def similar(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("limit", "offset", *FILTER_PARAMS))
        limit = params.integer("limit", None, 0, 100)
        return self.kit.similar(request.path_params["doc_id"], filters=params.filters(), limit=limit, offset=params.integer("offset", 0, 0, 10_000) or 0).to_dict()

    def associated(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("q", "kind", "top", "measure", *FILTER_PARAMS))
        kind = params.choice("kind", ("person", "org", "place"), None)
        measure = params.choice("measure", ("llr", "pmi", "npmi", "count"), "llr") or "llr"
        query = compose_query(params.text("q"), params.excluded())
        return self.kit.associated(request.path_params["actor"], kind=kind, query=query, filters=params.filters(), top=params.integer("top", 20, 1, 200) or 20, measure=measure).to_dict()

    def actor(self, request: Request) -> dict[str, Any]:
        params = Params(request.query_params.multi_items(), ("kind",))
        return self.kit.resolve_actor(request.path_params["name"], params.choice("kind", ("person", "org", "place"), None)).to_dict()

    def export(self, request: Request) -> Response:
        params = Params(request.query_params.multi_items(), (*SEARCH_PARAMS, "format"))
        fmt = params.choice("format", tuple(EXPORT_TYPES), "csv") or "csv"
        args = search_args(params, 0)
        if args.offset:
            raise QueryError("an export starts at the first hit", hint="drop offset")
        pieces = self.kit.export_text(fmt, args.query, args.filters, limit=args.limit or None, sort=args.sort, bom=fmt == "csv")
        name = f"searchkit-export.{fmt}"
        return StreamingResponse(pieces, media_type=EXPORT_TYPES[fmt], headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})

    def stats(self, request: Request) -> dict[str, Any]:
        Params(request.query_params.multi_items(), ())
        return self.kit.stats().to_dict()


def _with(request: Request, **changes: Any) -> str:
    """This request's URL (path and query) with some parameters replaced."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items()]
    return f"{request.url.path}?{urlencode(items)}"


async def healthz(request: Request) -> Response:
    # async: answered on the event loop, whatever the thread pool is busy with.
    return _JSON({"status": "ok"}, headers={"cache-control": "no-store"})


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask for one; a 404 would fill their console


def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})


async def not_found(request: Request, exc: Exception) -> Response:
    return _JSON({"error": f"no such address: {request.url.path}", "hint": "the API is under /api/ (see docs/web.md); the page is /"}, status_code=404)


def create_app(kit: "SearchKit", *, hosts: frozenset[str] | None = frozenset({"localhost", "127.0.0.1", "::1"}), token: str | None = None) -> Any:
    """The ASGI app over ``kit``. ``hosts``: the Host names answered (None: any);
    ``token``: the access token asked of every request but ``/healthz`` (None: none)."""
    api = Api(kit)
    routes = [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/favicon.ico", no_icon),
        Route("/api/search", _answer(api.search)),
        Route("/api/documents/{doc_id:path}", _answer(api.document)),
        Route("/api/facets/{field}", _answer(api.facets)),
        Route("/api/timeline", _answer(api.timeline)),
        Route("/api/similar/{doc_id:path}", _answer(api.similar)),
        Route("/api/with/{actor:path}", _answer(api.associated)),
        Route("/api/actors/{name:path}", _answer(api.actor)),
        Route("/api/export", _answer(api.export)),
        Route("/api/stats", _answer(api.stats)),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    return Guard(app, hosts, token)
