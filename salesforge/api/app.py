"""The FastAPI application: ``create_app(settings)`` wires store, plugins, jobs and routers."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException

from salesforge import __version__
from salesforge.errors import SalesforgeError
from salesforge.plugin.manager import build_plugin_manager

from .jobs import Jobs
from .redact import redact
from .settings import ApiSettings, load_settings
from .store import Store

log = logging.getLogger(__name__)
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="required when config key api.keys is non-empty")


@dataclass
class ApiState:
    """What every endpoint needs: settings, the store, plugins and the job pool."""

    settings: ApiSettings
    store: Store
    plugins: Any
    jobs: Jobs
    #: Forecast answers (JSON bytes) by (model id, horizon); saved models never change.
    predictions: dict[tuple[str, int | None], bytes] = field(default_factory=dict)
    computing: dict[tuple[str, int | None], asyncio.Lock] = field(default_factory=dict)


def state(request: Request) -> ApiState:
    return request.app.state.salesforge


def key_matches(key: str | bytes | None, keys: tuple[str, ...]) -> bool:
    """Whether ``key`` is one of ``keys`` (constant-time; any bytes or text, never raises)."""
    given = key.encode("utf-8", "surrogateescape") if isinstance(key, str) else key or b""
    return any(secrets.compare_digest(given, k.encode("utf-8")) for k in keys)


async def require_key(request: Request, key: str | None = Depends(API_KEY)) -> None:
    """Refuse the request (401) unless ``api.keys`` is empty or the header holds a key."""
    keys = state(request).settings.keys
    if keys and not key_matches(key, keys):
        raise HTTPException(401, _NO_KEY)


_NO_KEY = "missing or wrong X-API-Key header; send one of the keys in config key api.keys."


def _client_text(request: Request, text: str) -> str:
    """``text`` without server paths (the store's folder and any absolute path)."""
    return redact(text, [state(request).store.root, Path.cwd()])


def _sentence(error: RequestValidationError) -> str:
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    return f"{where}: {first.get('msg', 'invalid value')}."


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _sentence(error)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": _client_text(request, str(error.detail))},
                            status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(SalesforgeError)
    async def bad_input(request: Request, error: SalesforgeError) -> JSONResponse:
        return JSONResponse({"detail": _client_text(request, str(error))}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error in the API")
        return JSONResponse({"detail": f"internal error ({type(error).__name__}); see the "
                                       "server log."}, status_code=500)


class _BodyTooLarge(Exception):
    """The request body grew past its limit while it was being received."""


#: Paths served without a key (the service's health and its API description).
PUBLIC_PATHS = ("/api/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
#: Largest body of a request that is not an upload (JSON requests are small).
MAX_JSON_BYTES = 1024 * 1024


class RequestGuard:
    """ASGI middleware that authenticates and bounds a request before its body is read.

    A request without a valid ``X-API-Key`` (when keys are set) is answered 401 at once; a
    body whose ``Content-Length`` is over the limit is answered 413 at once; a chunked body
    (no length) is counted while it streams in and cut off with 413 at the limit, so no
    more than the limit is ever read or written to disk. Uploads (``/api/upload``) may
    reach ``api.max_upload_mb``; other requests :data:`MAX_JSON_BYTES`.
    """

    def __init__(self, app: Any, settings: ApiSettings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        headers = dict(scope["headers"])
        keys = self.settings.keys
        if (keys and scope["method"] != "OPTIONS" and path not in PUBLIC_PATHS
                and not key_matches(headers.get(b"x-api-key"), keys)):
            await JSONResponse({"detail": _NO_KEY}, status_code=401)(scope, receive, send)
            return
        upload = path == "/api/upload"
        limit = self.settings.max_upload_bytes + 64 * 1024 if upload else MAX_JSON_BYTES
        length = headers.get(b"content-length", b"")
        if length and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, receive, send, upload)
            return
        received, overflow, answered = 0, False, False

        async def counted() -> dict:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    overflow = True
                    raise _BodyTooLarge
            return message

        async def sending(message: dict) -> None:
            nonlocal answered
            if overflow:  # whatever the app made of the cut body (e.g. a 400), answer 413
                if not answered and message["type"] == "http.response.start":
                    answered = True
                    await self._refuse(scope, receive, send, upload)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        with suppress(_BodyTooLarge):
            await self.app(scope, counted, sending)
        if overflow and not answered:
            await self._refuse(scope, receive, send, upload)

    async def _refuse(self, scope: dict, receive: Any, send: Any, upload: bool) -> None:
        text = (_too_large(self.settings.max_upload_bytes) if upload else
                f"request body is larger than {MAX_JSON_BYTES // 1024} KB.")
        await JSONResponse({"detail": text}, status_code=413,
                           headers={"Connection": "close"})(scope, receive, send)


def _too_large(limit: int) -> str:
    return (f"upload is larger than {limit / 1024 / 1024:g} MB; raise config key "
            "api.max_upload_mb or send a smaller file.")


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The salesforge REST API over the store in ``settings.store`` (default: config.yaml)."""
    from . import routes_data, routes_forecast, routes_models, routes_runs, routes_segments

    settings = settings or load_settings()
    plugins = build_plugin_manager()
    store = Store(settings.store)
    api_state = ApiState(settings, store, plugins,
                         Jobs(store, plugins, settings.workers, settings.job_timeout_s))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        api_state.jobs.shutdown()

    app = FastAPI(title="salesforge API", version=__version__, lifespan=lifespan,
                  description="Upload sales data, train and use forecasters, segment, detect "
                              "anomalies and run the full pipeline.")
    app.state.salesforge = api_state
    _install_errors(app)
    app.add_middleware(RequestGuard, settings=settings)
    if settings.cors_origins:  # outermost, so refusals carry CORS headers too
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "Content-Type"])
    app.include_router(routes_data.public)
    guarded = [Depends(require_key)]
    for module in (routes_data, routes_forecast, routes_segments, routes_models, routes_runs):
        app.include_router(module.router, dependencies=guarded)
    return app
