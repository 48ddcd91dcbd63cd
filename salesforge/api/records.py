"""Looking records up by id (404 when unknown) and turning frames into JSON-safe lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from starlette.exceptions import HTTPException

from salesforge.layout import RunLayout
from salesforge.manifest import Manifest
from salesforge.manifest import read_manifest as read_run_manifest

from .store import Store

_WHAT = {"datasets": "dataset", "models": "model", "runs": "run"}


def find(store: Store, section: str, item_id: str | None) -> dict[str, Any]:
    """The record ``item_id`` of ``section``; 404 with one sentence when unknown."""
    record = store.get(section, item_id) if item_id else None
    if record is None:
        what = _WHAT[section]
        raise HTTPException(404, f"no {what} with id {item_id!r}; list them with "
                                 f"GET /api/{'models/list' if what == 'model' else section}.")
    return record


def model_record(store: Store, model_id: str | None, kind: str) -> dict[str, Any]:
    """The model ``model_id`` (default: the active model of ``kind``), which must be of
    ``kind``."""
    model_id = model_id or store.active(kind)
    if model_id is None:
        raise HTTPException(404, f"no {kind} model is loaded; train one or call "
                                 f"POST /api/models/load/{kind}.")
    record = find(store, "models", model_id)
    if record["type"] != kind:
        raise HTTPException(422, f"model {model_id} is a {record['type']} model, not a "
                                 f"{kind} model.")
    return record


def model_path(store: Store, record: dict[str, Any]) -> Path:
    return store.run_dir(record["run"]) / record["path"]


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (NaN -> null, timestamps -> ISO text)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def read_manifest(store: Store, run_id: str) -> Manifest | None:
    """The manifest of the store's run ``run_id``, ``None`` when it has none yet."""
    layout = RunLayout(store.run_dir(run_id))
    if not layout.manifest.is_file():
        return None
    return read_run_manifest(layout.run_dir)


def side_tables(store: Store, labels: str | None = None,
                exog_future: str | None = None) -> list[str]:
    """Server-side overrides pointing at uploaded side tables named by dataset id: anomaly
    labels (``data.labels``) and future covariates (``forecast.exog_future``). Each id must
    name a dataset uploaded with the matching ``kind``."""
    overrides = []
    for key, item_id, kind in (("data.labels", labels, "labels"),
                               ("forecast.exog_future", exog_future, "covariates")):
        if item_id is None:
            continue
        record = find(store, "datasets", item_id)
        if record.get("kind", "sales") != kind:
            raise HTTPException(422, f"dataset {item_id} was uploaded as "
                                     f"{record.get('kind', 'sales')} data, not {kind}; upload "
                                     f"it with POST /api/upload?kind={kind}.")
        overrides.append(f"{key}={quote(store.dataset_path(record))}")
    return overrides


def quote(path: Path) -> str:
    """``path`` as a quoted Hydra override value."""
    text = str(path).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"
