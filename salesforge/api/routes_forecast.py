"""Forecasting: train (a background job running the forecast stage), predict from a saved
model, feature importance."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from salesforge.forecast.predict import predict_saved
from salesforge.layout import RunLayout
from salesforge.runner import RunResult

from .app import ApiState, state
from .records import find, frame_records, model_path, model_record, side_tables
from .schemas import ID, ForecastTrain, Predict, PredictBatch
from .store import Store, new_id, now

router = APIRouter(prefix="/api/forecast", tags=["forecast"])
#: Answers kept per (model id, horizon); the oldest is dropped beyond this many.
CACHE_SIZE = 256
ONLY_FORECAST = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
                 "stages.report=false", "forecast.save_models=true"]


def register_forecasters(store: Store, run_id: str, result: RunResult) -> list[str]:
    """Add every model the run saved to the model index; the best becomes the loaded one."""
    forecast = result.manifest.get("forecast") or {}
    ids = []
    for key, path in result.manifest["artifacts"].items():
        if not key.startswith("model_"):
            continue
        name = key.removeprefix("model_")
        model_id = new_id("mdl")
        metrics = (forecast.get("models") or {}).get(name)
        store.put("models", model_id, {
            "type": "forecast", "name": name, "run": run_id, "path": str(path).rsplit("/", 1)[0],
            "dataset": find(store, "runs", run_id)["dataset"], "created_at": now(),
            "horizon": forecast.get("horizon"), "freq": forecast.get("freq"),
            "target": forecast.get("target"), "metrics": metrics,
            "best": name == forecast.get("best")})
        ids.append(model_id)
        if name == forecast.get("best"):
            store.set_active("forecast", model_id)
    store.update("runs", run_id, models=ids)
    return ids


@router.post("/train", status_code=202, summary="Train forecasters on a dataset (background job)")
def train(request: Request, body: ForecastTrain) -> dict[str, Any]:
    api = state(request)
    dataset = find(api.store, "datasets", body.dataset)
    overrides = [*ONLY_FORECAST, f"forecaster=[{','.join(body.models)}]",
                 f"forecast.horizon={body.horizon}", f"forecast.freq={body.freq}",
                 f"forecast.target={body.target}", f"forecast.by=[{','.join(body.by)}]",
                 *body.overrides]
    run_id = api.jobs.submit("forecast", dataset, overrides,
                             lambda rid, result: register_forecasters(api.store, rid, result),
                             server=side_tables(api.store, exog_future=body.exog_future))
    return {"job": run_id, "status": "queued", "status_url": f"/api/runs/{run_id}"}


def _forecast(api: ApiState, record: dict[str, Any], horizon: int | None) -> dict[str, Any]:
    frame = predict_saved(model_path(api.store, record), horizon, api.plugins.registry)
    frame["ds"] = pd.to_datetime(frame["ds"]).dt.strftime("%Y-%m-%d")
    return {"model": record["id"], "name": record["name"], "rows": frame_records(frame)}


async def _predict(api: ApiState, body: Predict) -> bytes:
    """A saved model's forecast as JSON; saved models never change, so each (model, horizon)
    answer is computed once and kept in a small in-memory cache."""
    record = model_record(api.store, body.model, "forecast")
    key = (record["id"], body.horizon)
    answer = api.predictions.get(key)
    if answer is not None:
        return answer
    lock = api.computing.setdefault(key, asyncio.Lock())  # one computation per key at a time
    async with lock:
        answer = api.predictions.get(key)
        if answer is None:
            answer = json.dumps(await run_in_threadpool(_forecast, api, record, body.horizon),
                                allow_nan=False).encode()
            if len(api.predictions) >= CACHE_SIZE:
                api.predictions.pop(next(iter(api.predictions)))
            api.predictions[key] = answer
    api.computing.pop(key, None)
    return answer


@router.post("/predict", summary="Forecast forward from a saved model (answers directly)",
             response_class=JSONResponse)
async def predict(request: Request, body: Predict) -> Response:
    return Response(await _predict(state(request), body), media_type="application/json")


@router.post("/predict-batch", summary="Several predictions in one call",
             response_class=JSONResponse)
async def predict_batch(request: Request, body: PredictBatch) -> Response:
    api = state(request)
    parts = [await _predict(api, item) for item in body.requests]
    return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type="application/json")


@router.get("/feature-importance", summary="Feature importance of a trained forecaster")
def feature_importance(request: Request,
                       model: str | None = Query(None, pattern=ID)) -> dict[str, Any]:
    api = state(request)
    record = model_record(api.store, model, "forecast")
    path = RunLayout(api.store.run_dir(record["run"])).path(RunLayout.IMPORTANCE)
    if not path.is_file():
        raise HTTPException(404, f"the run of model {record['id']} recorded no feature "
                                 "importance.")
    table = pd.read_csv(path)
    rows = table[table["model"] == record["name"]].sort_values("importance", ascending=False)
    return {"model": record["id"], "name": record["name"],
            "importance": frame_records(rows[["feature", "importance"]])}
