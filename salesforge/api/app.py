"""The FastAPI application: ``create_app(settings)`` wires store, plugins, jobs and routers."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
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


async def require_key(request: Request, key: str | None = Depends(API_KEY)) -> None:
    """Refuse the request (401) unless ``api.keys`` is empty or the header holds a key."""
    keys = state(request).settings.keys
    if keys and not any(secrets.compare_digest(key or "", k) for k in keys):
        raise HTTPException(401, "missing or wrong X-API-Key header; send one of the keys "
                                 "in config key api.keys.")


def _sentence(error: RequestValidationError) -> str:
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    return f"{where}: {first.get('msg', 'invalid value')}."


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _sentence(error)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http(_: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(error.detail)}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(SalesforgeError)
    async def bad_input(_: Request, error: SalesforgeError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error in the API")
        return JSONResponse({"detail": f"internal error ({type(error).__name__}); see the "
                                       "server log."}, status_code=500)


class UploadSizeLimit:
    """ASGI middleware refusing (413) an upload whose Content-Length exceeds the limit
    before its body is read; the upload handler also counts the bytes it copies."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/api/upload":
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.limit + 64 * 1024:
                response = JSONResponse({"detail": _too_large(self.limit)}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _too_large(limit: int) -> str:
    return (f"upload is larger than {limit / 1024 / 1024:g} MB; raise config key "
            "api.max_upload_mb or send a smaller file.")


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The salesforge REST API over the store in ``settings.store`` (default: config.yaml)."""
    from . import routes_data, routes_forecast, routes_models, routes_runs, routes_segments

    settings = settings or load_settings()
    plugins = build_plugin_manager()
    store = Store(settings.store)
    api_state = ApiState(settings, store, plugins, Jobs(store, plugins, settings.workers))
    routes_runs.record_into_store(plugins, store)  # API runs go to <store>/runs.db

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        api_state.jobs.shutdown()

    app = FastAPI(title="salesforge API", version=__version__, lifespan=lifespan,
                  description="Upload sales data, train and use forecasters, segment, detect "
                              "anomalies and run the full pipeline.")
    app.state.salesforge = api_state
    _install_errors(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["X-API-Key",
                                                                          "Content-Type"])
    app.add_middleware(UploadSizeLimit, limit=settings.max_upload_bytes)
    app.include_router(routes_data.public)
    guarded = [Depends(require_key)]
    for module in (routes_data, routes_forecast, routes_segments, routes_models, routes_runs):
        app.include_router(module.router, dependencies=guarded)
    return app
