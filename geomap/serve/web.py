"""The web app: the page at /, the JSON API under /api, its OpenAPI schema. Each route is a thin
layer over what the command line calls (`geomap.app`, `geomap.formats`), so an answer is what
`geomap extract` prints or `geomap map` writes for the same input.

Parsing runs in parser processes (`batch.ParserPool`, as `extract --jsonl --workers N`): each loads
the model and the gazetteer once, and one that overruns the time limit is killed and replaced.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from geomap.app import map_documents
from geomap.batch import CHUNK, DOC_TIMEOUT, ParserPool, Prefer, parse_chunk_guarded
from geomap.errors import ExitStatus, GeomapError, InputError, InputTooLarge
from geomap.formats import Failure, Outcome, to_geojson, to_json
from geomap.gazetteer import shared_gazetteer
from geomap.inputs import Limits
from geomap.inputs.network import any_address, public_addresses
from geomap.model import Article, Document
from geomap.render.view import MapOptions
from geomap.serve.guards import (RETRY_AFTER, BadRequest, Busy, CrossSite, Gate, SecurityHeaders, TimedOut,
                                 UnsupportedMedia, content_security_policy, same_origin, script_hashes)
from geomap.serve.requests import JSON_LINES, Asked, asked, many, media_type
from geomap.setup import Setup

ASSETS = resources.files("geomap.serve") / "assets"
MAP_FORMATS = {"html": "text/html; charset=utf-8", "fragment": "text/html; charset=utf-8", "png": "image/png",
               "svg": "image/svg+xml", "geojson": "application/geo+json"}
SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Server:
    """What one server runs with: the pipeline and gazetteer, parser processes, how many requests may
    wait for one, the time one document may take, and whether URLs may point into private networks."""

    setup: Setup = Setup()
    workers: int = 1
    queue: int = 8
    doc_timeout: float = DOC_TIMEOUT
    allow_private_urls: bool = False
    limits: Limits = Limits()
    scheduler: str | None = None
    """A Dask scheduler's address: parse on its workers (as `extract --jsonl --engine dask`), `workers`
    requests at a time, instead of in parser processes of this machine."""


def status_of(exc: GeomapError) -> int:
    """The HTTP status of an error, as the command line's exit status would tell it."""
    for kind, status in ((InputTooLarge, 413), (UnsupportedMedia, 415), (CrossSite, 403), (BadRequest, 400),
                         (InputError, 422), (Busy, 503), (TimedOut, 504)):
        if isinstance(exc, kind):
            return status
    return 500  # the gazetteer, the model, or an output: the server's side, not the request's


def error_response(exc: GeomapError) -> JSONResponse:
    status = status_of(exc)
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else None
    return JSONResponse({"error": str(exc), "exit_status": int(exc.exit_status)}, status, headers)


class Geomap:
    """The server's state: one gazetteer reader, the parser processes, the gate in front of them."""

    def __init__(self, server: Server):
        self.server = server
        self.pool = ParserPool(server.setup)
        self.gate = Gate(server.workers, server.queue)
        self.allow = any_address if server.allow_private_urls else public_addresses
        self.dask: Any = None
        """A dask.distributed Client when the server runs on a Dask cluster (`--scheduler`)."""

    def start(self) -> None:
        """Open the gazetteer and start every parser process (each loads the model once), so the
        first request waits for no loading and a bad model or gazetteer stops the server at once."""
        from concurrent.futures import ThreadPoolExecutor

        shared_gazetteer(self.server.setup.gazetteer)
        if self.server.scheduler:
            try:
                from dask.distributed import Client
            except ImportError:
                raise GeomapError("`scheduler` needs Dask: pip install 'geomap[dask]'", parameters=("scheduler",)) from None
            self.dask = Client(self.server.scheduler)  # its workers load the model on their first article
            return
        with ThreadPoolExecutor(self.server.workers) as threads:
            list(threads.map(lambda _: self.pool.parse([Article("")], None), range(self.server.workers)))

    async def document(self, request: Request) -> Document:
        """The parsed article a request sends (within the gate, the limits and the time limit)."""
        same_origin(request)
        wanted: Asked = await asked(request, self.server.limits, self.allow)
        setup = replace(self.server.setup, prefer=wanted.prefer, home=wanted.article.home)
        await run_in_threadpool(setup.check)
        (outcome,) = await run_in_threadpool(self.parse, wanted.article, wanted.prefer)
        if isinstance(outcome, Failure):
            if outcome.error.startswith("DocumentTimeout"):
                raise TimedOut(f"request: the article was not parsed within {self.server.doc_timeout:g} s")
            raise GeomapError(f"request: {outcome.error}")
        return outcome

    def parse(self, article: Article, prefer: Prefer) -> list[Outcome]:
        """The article's outcome, from a parser process of this machine or a Dask worker's."""
        if self.dask is not None:
            return self.dask.submit(parse_chunk_guarded, self.server.setup, [article], self.server.doc_timeout, prefer,
                                    pure=False).result()
        return self.pool.parse([article], self.server.doc_timeout, prefer)

    def close(self) -> None:
        self.pool.close()
        if self.dask is not None:
            self.dask.close()

    async def batch(self, request: Request, release: Callable[[], Awaitable[None]]) -> Response:
        """Many articles as JSON Lines: one line out per article, in order, streamed as each chunk is
        parsed (a failed or overrunning article is an "error" line, as `extract --jsonl` writes)."""
        same_origin(request)
        articles = await many(request, self.server.limits)
        await run_in_threadpool(self.server.setup.check)

        async def lines():
            try:
                for start in range(0, len(articles), CHUNK):
                    chunk = articles[start:start + CHUNK]
                    outcomes = await run_in_threadpool(self.pool.parse, chunk, self.server.doc_timeout)
                    yield "".join(to_json(outcome) + "\n" for outcome in outcomes)
            finally:
                await release()  # the request's turn at the gate lasts until its last line is sent

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    async def extract(self, request: Request) -> Response:
        geojson = _format(request, {"json", "geojson"}, "json") == "geojson"
        document = await self.document(request)
        text = json.dumps(to_geojson(document), ensure_ascii=False) if geojson else to_json(document)
        return Response(text + "\n", media_type="application/geo+json" if geojson else "application/json")

    async def map(self, request: Request) -> Response:
        fmt = _format(request, set(MAP_FORMATS), "html")
        document = await self.document(request)
        if fmt == "geojson":
            body: str | bytes = json.dumps(to_geojson(document), ensure_ascii=False)
        else:
            drawn = await run_in_threadpool(map_documents, self.server.setup, [document], MapOptions())
            render: dict[str, Callable[[], str | bytes]] = {"html": lambda: drawn.page, "fragment": drawn.fragment,
                                                            "png": drawn.to_png, "svg": drawn.to_svg}
            body = await run_in_threadpool(render[fmt])
        return Response(body, media_type=MAP_FORMATS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="geomap.{_suffix(fmt)}"'})

    async def search(self, request: Request) -> Response:
        from geomap.app import gazetteer_search

        name = request.query_params.get("q", "")
        if not name.strip():
            raise BadRequest("request: give a name to search for: ?q=NAME")
        places = await run_in_threadpool(gazetteer_search, self.server.setup.gazetteer, name, SEARCH_LIMIT,
                                         request.query_params.get("country", ""), request.query_params.get("admin1", ""))
        return JSONResponse([p.to_json() for p in places])



def guarded(geomap: Geomap, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A route that waits its turn at the gate (or is refused at once) and answers every error as JSON."""

    async def endpoint(request: Request) -> Response:
        try:
            if handler == geomap.extract and media_type(request) in JSON_LINES:
                return await streamed(geomap, request)
            async with geomap.gate.admit():
                return await handler(request)
        except GeomapError as exc:
            return error_response(exc)
        except Exception as exc:  # a bug in geomap: one line, as the command line's exit 70
            bug = GeomapError(f"internal error: {type(exc).__name__}: {exc}")
            bug.exit_status = ExitStatus.BUG
            return error_response(bug)

    return endpoint


async def streamed(geomap: Geomap, request: Request) -> Response:
    """A JSON Lines batch: admitted at the gate like any request, and released when its stream ends."""
    turn = geomap.gate.admit()
    await turn.__aenter__()
    try:
        async def release() -> None:
            await turn.__aexit__(None, None, None)

        return await geomap.batch(request, release)
    except BaseException:
        await turn.__aexit__(None, None, None)
        raise


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def page(request: Request) -> Response:
    return FileResponse(str(ASSETS / "index.html"), media_type="text/html; charset=utf-8")


async def openapi(request: Request) -> Response:
    return Response((ASSETS / "openapi.json").read_bytes(), media_type="application/json")


def make_app(server: Server, ready: Callable[[], None] = lambda: None) -> Starlette:
    """The ASGI app; `ready` is called once the gazetteer and the parser processes are loaded."""
    geomap = Geomap(server)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await run_in_threadpool(geomap.start)
        ready()
        try:
            yield
        finally:
            geomap.close()

    routes = [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/api/extract", guarded(geomap, geomap.extract), methods=["POST"]),
        Route("/api/map", guarded(geomap, geomap.map), methods=["POST"]),
        Route("/api/gazetteer/search", guarded(geomap, geomap.search)),
        Mount("/assets", StaticFiles(directory=str(ASSETS))),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.geomap = geomap
    sample = map_documents(server.setup, [Document("")], MapOptions()).page  # the scripts every map carries
    app.add_middleware(SecurityHeaders, policy=content_security_policy(script_hashes(sample)))
    return app


def _format(request: Request, formats: set[str], default: str) -> str:
    fmt = request.query_params.get("format", default)
    if fmt not in formats:
        raise BadRequest(f"request: format {fmt!r}: expected one of {', '.join(sorted(formats))}")
    return fmt


def _suffix(fmt: str) -> str:
    return {"fragment": "fragment.html"}.get(fmt, fmt)
