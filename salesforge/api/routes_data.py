"""Health, plugins, uploads and dataset summaries."""

from __future__ import annotations

import platform
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from salesforge import __version__
from salesforge.data.uploads import check_upload_file
from salesforge.errors import DataError

from .app import _too_large, key_matches, state
from .records import find
from .schemas import ID
from .store import new_id, now
from .uploads import UploadTooLarge, copy_limited, summarise, summarise_table

public = APIRouter(prefix="/api", tags=["service"])
router = APIRouter(prefix="/api", tags=["data"])
DatasetKind = Literal["sales", "labels", "covariates"]
KIND = Query("sales", description="sales (transactions), labels (anomaly labels: an id "
             "column and a label) or covariates (future values of forecast.exog columns)")
_LIBRARIES = ("fastapi", "pandas", "numpy", "scikit-learn", "hydra-core", "pluggy")


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


@public.get("/health", summary="Service health; versions and plugins with a key")
async def health(request: Request) -> dict[str, Any]:
    """``{"status": "ok"}`` for anyone; versions, plugins and counts only without keys
    configured or with a valid ``X-API-Key`` (they help an attacker pick an exploit)."""
    api = state(request)
    if api.settings.keys and not key_matches(request.headers.get("x-api-key"),
                                             api.settings.keys):
        return {"status": "ok"}
    static = getattr(request.app.state, "health", None)
    if static is None:  # versions and plugins do not change while the server runs
        counts = Counter(info.kind for info in api.plugins.registry)
        static = request.app.state.health = {
            "salesforge_version": __version__, "python_version": platform.python_version(),
            "versions": {n: v for n in _LIBRARIES if (v := _version(n))},
            "plugins": dict(sorted(counts.items())), "components": sum(counts.values()),
            "plugin_failures": [f.describe() for f in api.plugins.failures],
            "auth": bool(api.settings.keys)}
    return {"status": "ok", **static, "datasets": api.store.count("datasets")}


@router.get("/plugins", summary="Every registered component")
def plugins(request: Request) -> list[dict[str, str]]:
    return [{"kind": c.kind, "name": c.name, "distribution": c.distribution,
             "version": c.version, "summary": c.summary} for c in state(request).plugins.registry]


@router.post("/upload", status_code=201, summary="Upload a sales file; returns its dataset id")
async def upload(request: Request, file: Annotated[UploadFile, File()],
                 kind: DatasetKind = KIND) -> dict[str, Any]:
    api = state(request)
    part = api.store.incoming()
    try:
        size = await run_in_threadpool(copy_limited, file.file, part,
                                       api.settings.max_upload_bytes)
        checked = await run_in_threadpool(check_upload_file, part, file.filename,
                                          api.settings.limits)
        filename = checked.name
        dataset_id = new_id("ds")
        final = api.store.commit_dataset(part, dataset_id, filename)
    except UploadTooLarge:
        raise HTTPException(413, _too_large(api.settings.max_upload_bytes)) from None
    finally:
        part.unlink(missing_ok=True)
    try:
        summary = await run_in_threadpool(summarise if kind == "sales" else summarise_table,
                                          final, filename, api.plugins, api.settings.limits)
    except Exception as error:
        final.unlink(missing_ok=True)
        final.parent.rmdir()
        if isinstance(error, DataError):
            raise
        raise DataError(f"uploaded file {filename} could not be read as {kind} data "
                        f"({type(error).__name__}: {str(error).splitlines()[0][:200]}).") from None
    record = {"kind": kind, "filename": filename, "original_name": file.filename, "bytes": size,
              "uploaded_at": now(), "summary": summary}
    api.store.put("datasets", dataset_id, record)
    return {"id": dataset_id, **record}


@router.get("/datasets", summary="Every uploaded dataset")
def datasets(request: Request) -> list[dict[str, Any]]:
    return state(request).store.list("datasets")


@router.get("/data/summary", summary="Rows, columns and date range of a dataset")
def data_summary(request: Request, dataset: str = Query(pattern=ID)) -> dict[str, Any]:
    record = find(state(request).store, "datasets", dataset)
    return {"id": record["id"], "filename": record["filename"], **record["summary"]}
