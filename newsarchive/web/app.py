"""The reading room: one FastAPI application over one store.

    from newsarchive.web.app import ServeConfig, create_app
    app = create_app(ServeConfig(store))            # an ASGI app; `newsarchive serve` runs it in uvicorn

Pages (newsarchive.web.pages) are rendered on the server from Jinja2
templates and work without JavaScript; the JSON API (newsarchive.web.api)
lives under /api with its OpenAPI document at /api/openapi.json. Both go
through newsarchive.web.corpus for anything the corpus answers, so the app
holds no search code of its own. Every request passes the guard of
newsarchive.web.security first.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from newsarchive import __version__
from newsarchive.errors import UserError
from newsarchive.store import Store
from newsarchive.web.corpus import Corpus
from newsarchive.web.errors import message_for, status_for
from newsarchive.web.rendering import render
from newsarchive.web.security import Guard, GuardMiddleware, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"


@dataclass
class ServeConfig:
    store: Store
    token: str | None = None
    #: bound to the loopback: requests must name a loopback host (see newsarchive.web.security)
    loopback_only: bool = True
    index_dir: str | None = None
    #: how often the index is brought up to date with the store while serving
    refresh_seconds: float = 10.0


class Refresher:
    """Keeps the index current in the background, so no reader's request pays for the staleness check."""

    def __init__(self, corpus: Corpus, every: float) -> None:
        self.corpus, self.every = corpus, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsarchive-refresh", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.corpus.refresh()
            except UserError as exc:  # an empty store, an unreachable bucket: say so, try again later
                log.warning("index refresh: %s", exc)
            except Exception:  # a bug must not stop the server from serving what it has
                log.exception("index refresh failed")


class ServerTiming:
    """`Server-Timing: app;dur=<ms>` on every response: what the benchmark reads as the server's time."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []), (b"server-timing", f"app;dur={ms:.2f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": status, "message": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def create_app(config: ServeConfig) -> FastAPI:
    from newsarchive.web import api, pages

    corpus = Corpus(config.store, index_dir=config.index_dir)
    refresher = Refresher(corpus, config.refresh_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        refresher.start()
        try:
            yield
        finally:
            refresher.stop()

    app = FastAPI(
        title="newsarchive reading room", version=__version__, lifespan=lifespan,
        description="The archive of the Taipei Times: search, counts, articles, crawl runs and coverage. "
                    "Read-only; every response is JSON; errors are `{\"error\": status, \"message\": ...}`.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,  # Swagger UI would load scripts from a CDN
    )
    app.state.config = config
    app.state.corpus = corpus

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                             for e in exc.errors())
        return error_response(request, 400, problems or "bad request")

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        return error_response(request, status_for(exc), message_for(exc))

    @app.exception_handler(Exception)  # Starlette logs these (with the traceback) after this answer
    async def failure(request: Request, exc: Exception) -> Response:
        return error_response(request, 500, message_for(exc))

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Any) -> Response:
        return error_response(request, 404, getattr(exc, "detail", None) or "no such page")

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(GuardMiddleware, guard=Guard(config.token, config.loopback_only))
    app.add_middleware(ServerTiming)
    return app

