"""The model index: list trained models, load one as the default for its type."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from salesforge.forecast.persistence import load_model

from .app import state
from .records import model_path, model_record
from .schemas import LoadModel

router = APIRouter(prefix="/api/models", tags=["models"])
ModelType = Literal["forecast", "segmentation"]


@router.get("/list", summary="Every trained model, with the loaded one of each type")
def list_models(request: Request) -> dict[str, Any]:
    store = state(request).store
    return {"models": store.list("models"),
            "loaded": {kind: store.active(kind) for kind in ("forecast", "segmentation")}}


@router.post("/load/{type}", summary="Make a model the default for its type")
def load(request: Request, type: ModelType, body: LoadModel) -> dict[str, Any]:
    api = state(request)
    record = model_record(api.store, body.model, type)
    if type == "forecast":  # refuse a model this environment cannot load (versions, features)
        load_model(model_path(api.store, record), api.plugins.registry)
    api.store.set_active(type, record["id"])
    return {"loaded": record}
