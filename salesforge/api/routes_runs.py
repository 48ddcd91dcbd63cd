"""Full pipeline runs as background jobs: submit, poll stage progress, manifest, artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from .app import state
from .records import find, read_manifest
from .schemas import RunRequest

router = APIRouter(prefix="/api/runs", tags=["runs"])
RUN_ID = PathParam(pattern=r"^run-[0-9a-f]{12}$")
ARTIFACT = PathParam(pattern=r"^[A-Za-z0-9_.:-]{1,120}$")


@router.post("", status_code=202, summary="Run the whole pipeline on a dataset (background job)")
def submit(request: Request, body: RunRequest) -> dict[str, Any]:
    api = state(request)
    dataset = find(api.store, "datasets", body.dataset)
    run_id = api.jobs.submit("run", dataset, body.overrides)
    return {"job": run_id, "status": "queued", "status_url": f"/api/runs/{run_id}"}


@router.get("", summary="Every job and run, newest first")
def list_runs(request: Request) -> list[dict[str, Any]]:
    runs = state(request).store.list("runs")
    return sorted(runs, key=lambda r: r["created_at"], reverse=True)


@router.get("/{run_id}", summary="Status and stage progress of a job")
def status(request: Request, run_id: str = RUN_ID) -> dict[str, Any]:
    api = state(request)
    record = find(api.store, "runs", run_id)
    stages = api.jobs.progress.stages(api.store.run_dir(run_id))
    manifest = read_manifest(api.store, run_id) if stages is None else None
    if manifest is not None:
        stages = manifest.get("stages")
    return {**record, "stages": stages or {},
            "artifacts": sorted((manifest or {}).get("artifacts") or {}),
            "best": ((manifest or {}).get("forecast") or {}).get("best")}


@router.get("/{run_id}/manifest", summary="The run's manifest.json")
def manifest(request: Request, run_id: str = RUN_ID) -> dict[str, Any]:
    api = state(request)
    find(api.store, "runs", run_id)
    document = read_manifest(api.store, run_id)
    if document is None:
        raise HTTPException(404, f"run {run_id} has no manifest yet; poll GET /api/runs/{run_id}.")
    return document


@router.get("/{run_id}/artifacts/{name}", summary="Download an artifact by its manifest key",
            response_class=FileResponse)
def artifact(request: Request, run_id: str = RUN_ID, name: str = ARTIFACT) -> FileResponse:
    api = state(request)
    find(api.store, "runs", run_id)
    artifacts = (read_manifest(api.store, run_id) or {}).get("artifacts") or {}
    if name not in artifacts:
        raise HTTPException(404, f"run {run_id} has no artifact {name!r}; its artifacts: "
                                 f"{', '.join(sorted(artifacts)) or 'none yet'}.")
    run_dir = api.store.run_dir(run_id).resolve()
    path = (run_dir / str(artifacts[name])).resolve()
    if not path.is_relative_to(run_dir) or not path.is_file():
        raise HTTPException(404, f"artifact {name!r} of run {run_id} is not a file in its "
                                 "run directory.")
    return FileResponse(path, filename=Path(path).name)
