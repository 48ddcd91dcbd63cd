"""Full pipeline runs as background jobs: submit, poll stage progress, manifest, artifacts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from salesforge.errors import ConfigError
from salesforge.manifest import to_jsonable
from salesforge.run_warnings import run_warnings
from salesforge.runs.compare import compare as compare_runs
from salesforge.runs.diff import diff_runs
from salesforge.runs.index import RunIndex
from salesforge.runs.summary import summarize

from .app import state
from .records import find, read_manifest, side_tables
from .redact import redact_tree
from .schemas import RunRequest
from .store import Store

router = APIRouter(prefix="/api/runs", tags=["runs"])
RUN_ID = PathParam(pattern=r"^run-[0-9a-f]{12}$")
ARTIFACT = PathParam(pattern=r"^[A-Za-z0-9_.:-]{1,120}$")
#: A job id (run-...), a run id of the index, a unique prefix of one, ``last`` or ``-N``.
ANY_RUN = r"^[A-Za-z0-9_-]{1,64}$"
LAST = Query(None, ge=1, le=100000, description="only the newest N runs")
WHERE = Query([], max_length=20, description="conditions such as mase<0.9 or status=ok (ANDed)")
IDS = Query(..., min_length=2, max_length=20, description="two or more runs to compare")


def store_index(store: Store) -> RunIndex:
    """The run index of the store (rebuilt from ``<store>/runs/*`` when missing)."""
    return RunIndex(store.index_path, roots=[store.root / "runs"])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """An index row without the server's file path."""
    return to_jsonable({k: v for k, v in row.items() if k != "path"})


def resolve(store: Store, ref: str) -> dict[str, Any]:
    """The run ``ref`` names (job id, run id, unique prefix, ``last``, ``-N``) with its
    metrics and path; 404 when unknown or not finished, 422 when ambiguous."""
    if not re.match(ANY_RUN, ref):
        raise HTTPException(422, f"run reference {ref!r} is not a job id, run id or prefix.")
    if store.get("runs", ref) is not None:
        manifest = read_manifest(store, ref)
        if manifest is None:
            raise HTTPException(404, f"run {ref} has no manifest yet; poll GET /api/runs/{ref}.")
        return summarize(manifest, store.run_dir(ref))
    try:
        return store_index(store).resolve(ref)
    except ConfigError as error:
        if "ambiguous" in str(error):
            raise HTTPException(422, str(error)) from None
        raise HTTPException(404, f"no run {ref!r}; list them with GET /api/runs/index.") from None


@router.get("/index", summary="The run index: finished runs with key metrics, newest first")
def index(request: Request, last: int | None = LAST, where: list[str] = WHERE
          ) -> list[dict[str, Any]]:
    store = state(request).store
    rows = store_index(store).runs(last=last, where=where)
    return [redact_tree(_public(r), store.root) for r in rows]


@router.get("/compare", summary="Compare runs: metrics side by side with the best marked")
def compare(request: Request, ids: list[str] = IDS,
            every: bool = Query(False, alias="all", description="every metric, not only key ones")
            ) -> dict[str, Any]:
    store = state(request).store
    rows = [resolve(store, ref) for ref in ids]
    if len({r["run_id"] for r in rows}) < 2:
        raise HTTPException(422, "ids must name at least two different runs.")
    return redact_tree(to_jsonable(compare_runs(rows, everything=every).to_json()), store.root)


@router.get("/{a}/diff/{b}", summary="What changed from run a to run b")
def diff(request: Request, a: str = PathParam(pattern=ANY_RUN),
         b: str = PathParam(pattern=ANY_RUN),
         every: bool = Query(False, alias="all", description="also each model's metrics")
         ) -> dict[str, Any]:
    store = state(request).store
    return redact_tree(to_jsonable(diff_runs(resolve(store, a), resolve(store, b),
                                             everything=every)), store.root)


@router.post("", status_code=202, summary="Run the whole pipeline on a dataset (background job)")
def submit(request: Request, body: RunRequest) -> dict[str, Any]:
    api = state(request)
    dataset = find(api.store, "datasets", body.dataset)
    run_id = api.jobs.submit("run", dataset, body.overrides, server=side_tables(
        api.store, labels=body.labels, exog_future=body.exog_future))
    return {"job": run_id, "status": "queued", "status_url": f"/api/runs/{run_id}"}


@router.get("", summary="Every job and run, newest first")
def list_runs(request: Request) -> list[dict[str, Any]]:
    runs = state(request).store.list("runs")
    return sorted(runs, key=lambda r: r["created_at"], reverse=True)


@router.get("/{run_id}", summary="Status and stage progress of a job")
def status(request: Request, run_id: str = RUN_ID) -> dict[str, Any]:
    api = state(request)
    record = find(api.store, "runs", run_id)
    manifest = read_manifest(api.store, run_id) or {}  # rewritten after every stage
    return {**record, "stages": manifest.get("stages") or {},
            "artifacts": sorted(manifest.get("artifacts") or {}),
            "best": (manifest.get("forecast") or {}).get("best"),
            "warnings": run_warnings(manifest)}


@router.delete("/{run_id}", status_code=202, summary="Cancel a queued or running job")
def cancel(request: Request, run_id: str = RUN_ID) -> dict[str, Any]:
    """Stop the job: a queued one never starts, a running one's processes are killed."""
    api = state(request)
    record = find(api.store, "runs", run_id)
    if not api.jobs.cancel(run_id):
        raise HTTPException(409, f"job {run_id} is already over ({record['status']}); "
                                 "nothing to cancel.")
    return {"job": run_id, "status": "cancelled"}


@router.get("/{run_id}/manifest", summary="The run's manifest.json")
def manifest(request: Request, run_id: str = RUN_ID) -> dict[str, Any]:
    api = state(request)
    find(api.store, "runs", run_id)
    document = read_manifest(api.store, run_id)
    if document is None:
        raise HTTPException(404, f"run {run_id} has no manifest yet; poll GET /api/runs/{run_id}.")
    return redact_tree(document, api.store.root)


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


@router.get("/{run_id}/realized",
            summary="How an earlier run's forecasts did: realised accuracy scored by this run")
def realized(request: Request, run_id: str = RUN_ID,
             model: str | None = Query(None, max_length=120, description="only this model"),
             limit: int = Query(10000, ge=1, le=1_000_000, description="most rows returned")
             ) -> dict[str, Any]:
    """``manifest.forecast.realized`` (the earlier run, per model MASE, bias % and
    coverage) and the rows of ``forecast/realized.csv`` (series, period, forecast,
    interval, actual, inside); ``rows`` is empty when nothing was scored."""
    api = state(request)
    find(api.store, "runs", run_id)
    document = read_manifest(api.store, run_id)
    if document is None:
        raise HTTPException(404, f"run {run_id} has no manifest yet; poll GET /api/runs/{run_id}.")
    summary = (document.get("forecast") or {}).get("realized")
    if summary is None:
        raise HTTPException(404, f"run {run_id} did not score earlier forecasts "
                                 "(no forecast stage, or forecast.realized=false).")
    rows: list[dict[str, Any]] = []
    relative = (document.get("artifacts") or {}).get("realized")
    if relative:
        run_dir = api.store.run_dir(run_id).resolve()
        path = (run_dir / str(relative)).resolve()
        if path.is_relative_to(run_dir) and path.is_file():
            table = pd.read_csv(path, dtype={"series_id": "string", "model": "string"})
            if model is not None:
                table = table[table["model"] == model]
            rows = to_jsonable(table.head(limit).to_dict("records"))
    return {"run": run_id, "realized": redact_tree(summary, api.store.root), "rows": rows}
