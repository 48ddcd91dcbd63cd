"""Segmentation (train as a background job running the segment stage; predict = the
segment each entity was given) and anomaly detection (the detect stage, answered directly)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException

from salesforge.layout import RunLayout
from salesforge.run_warnings import run_warnings
from salesforge.runner import RunResult

from .app import state
from .records import find, frame_records, model_path, model_record, read_manifest, side_tables
from .schemas import AnomalyDetect, SegmentPredict, SegmentTrain
from .store import Store, new_id, now

router = APIRouter(prefix="/api", tags=["segments and anomalies"])
ONLY_SEGMENT = ["stages.forecast=false", "stages.detect=false", "stages.analytics=false",
                "stages.report=false"]
ONLY_DETECT = ["stages.forecast=false", "stages.segment=false", "stages.analytics=false",
               "stages.report=false"]


def register_segmenter(store: Store, run_id: str, result: RunResult) -> None:
    """Index the run's segment table as a segmentation model and load it."""
    segments = result.manifest.get("segments")
    if not segments:
        note = result.manifest.get("notes", {}).get("segment", "the segment stage was skipped")
        raise ValueError(f"no segments were made: {note}")
    model_id = new_id("mdl")
    store.put("models", model_id, {
        "type": "segmentation", "name": segments["segmenter"], "run": run_id,
        "path": RunLayout.SEGMENTS, "dataset": find(store, "runs", run_id)["dataset"],
        "created_at": now(), "entity": segments["entity"],
        "n_segments": segments["n_segments"], "silhouette": segments.get("silhouette")})
    store.set_active("segmentation", model_id)
    store.update("runs", run_id, models=[model_id])


@router.post("/segmentation/train", status_code=202,
             summary="Segment a dataset's products or customers (background job)")
def segmentation_train(request: Request, body: SegmentTrain) -> dict[str, Any]:
    api = state(request)
    dataset = find(api.store, "datasets", body.dataset)
    overrides = [*ONLY_SEGMENT, f"segmenter={body.segmenter}", *body.overrides]
    if body.entity:
        columns = dataset["summary"]["columns_mapped"]
        if body.entity not in columns and body.entity not in dataset["summary"]["columns"]:
            raise HTTPException(422, f"dataset {dataset['id']} has no column {body.entity!r}; "
                                     f"columns: {', '.join(sorted(columns))}.")
        overrides.append(f"segment.entity={body.entity}")
    run_id = api.jobs.submit("segmentation", dataset, overrides,
                             lambda rid, result: register_segmenter(api.store, rid, result))
    return {"job": run_id, "status": "queued", "status_url": f"/api/runs/{run_id}"}


@router.post("/segmentation/predict", summary="The segment of each named entity")
def segmentation_predict(request: Request, body: SegmentPredict) -> dict[str, Any]:
    api = state(request)
    record = model_record(api.store, body.model, "segmentation")
    table = pd.read_csv(model_path(api.store, record), dtype={"entity": str})
    found = table.set_index("entity")[["segment_id", "segment_name"]]
    asked = pd.Index([str(e) for e in body.entities], name="entity")
    rows = found.reindex(asked).reset_index()
    rows["known"] = rows["segment_id"].notna()
    rows["segment_id"] = rows["segment_id"].astype("Int64")
    return {"model": record["id"], "entity": record["entity"], "rows": frame_records(rows)}


@router.post("/anomaly/detect", summary="Flag anomalous transactions of a dataset")
def anomaly_detect(request: Request, body: AnomalyDetect) -> dict[str, Any]:
    api = state(request)
    dataset = find(api.store, "datasets", body.dataset)
    run_id, result = api.jobs.run_now(
        "anomaly", dataset, [*ONLY_DETECT, f"detector={body.detector}", *body.overrides],
        server=side_tables(api.store, labels=body.labels))
    path = RunLayout(result.run_dir).path(RunLayout.ANOMALIES)
    flagged = pd.read_csv(path) if path.is_file() else pd.DataFrame()
    if "anomaly_score" in flagged:  # most severe first; raw_score breaks ties, as in the file
        keys = [c for c in ("anomaly_score", "raw_score") if c in flagged]
        flagged = flagged.sort_values(keys, ascending=False, kind="stable")
    manifest = read_manifest(api.store, run_id) or {}
    return {"run": run_id, "detector": body.detector, "flagged": len(flagged),
            "summary": manifest.get("anomalies"), "warnings": run_warnings(manifest),
            "rows": frame_records(flagged.head(body.limit))}

