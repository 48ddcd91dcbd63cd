"""Forecast forward from a saved model: ``salesforge predict model=<path> forecast.horizon=H``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from salesforge.errors import ConfigError
from salesforge.forecast.intervals import add_intervals, bound_columns, clip_bounds
from salesforge.forecast.persistence import MODEL_FILE, load_model
from salesforge.layout import RunLayout
from salesforge.manifest import MANIFEST_NAME, read_manifest


def model_folder(path: str | Path) -> Path:
    """The model folder ``path`` points at: a model folder, its model.json, or a run
    directory (its best forecaster, ``manifest.forecast.best``)."""
    path = Path(path)
    if path.is_file() and path.name == MODEL_FILE:
        return path.parent
    if (path / MODEL_FILE).is_file():
        return path
    if (path / MANIFEST_NAME).is_file():
        manifest = read_manifest(path)
        best = (manifest.get("forecast") or {}).get("best")
        folder = RunLayout(path).model_dir(str(best))
        if best and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}", str(best)):
            raise ConfigError(f"run directory {path} names a best forecaster that is not a "
                              "plain name; refusing to follow it.")
        if best and (folder / MODEL_FILE).is_file() and folder.resolve().is_relative_to(
                RunLayout(path).path(RunLayout.MODELS).resolve()):
            return folder
        raise ConfigError(f"run directory {path} has no saved model for its best forecaster "
                          f"{best!r}; rerun it with forecast.save_models=true.")
    raise ConfigError(f"model={path} is neither a run directory nor a saved model folder "
                      f"(no {MANIFEST_NAME} or {MODEL_FILE} there).")


def future_exog(model: Any, document: dict[str, Any], horizon: int, registry: Any,
                exog_future: str | None) -> pd.DataFrame | None:
    """Future covariate values of a model fitted with ``forecast.exog``: calendar ones
    recomputed, the others from the ``exog_future`` file (a one-sentence error without
    it); ``None`` for a model without covariates."""
    from salesforge.forecast.exog import future_values, spec_from_saved

    saved = document.get("exog")
    if not getattr(model, "exog_", None) or not saved:
        return None
    spec = spec_from_saved(saved, exog_future)
    given = [c for c in spec.columns if c not in spec.calendar]
    if given and not exog_future:
        raise ConfigError(f"model {document['name']!r} was trained with the covariates "
                          f"{', '.join(given)}; pass exog_future=<CSV or Parquet with ds, "
                          f"{', '.join([*document.get('by', []), *given])}> covering the "
                          f"{horizon} periods to forecast.")
    ends = model.last_ds_
    series = pd.DataFrame({"series_id": ends.index.astype(str), "ds": ends.to_numpy()})
    return future_values(spec, registry, series, document["freq"], horizon,
                         list(document.get("by") or []))


def predict_saved(path: str | Path, horizon: int | None, registry: Any,
                  exog_future: str | None = None) -> pd.DataFrame:
    """series_id, ds, model, y_pred, y_lo, y_hi (+ y_lo_<pct>, y_hi_<pct>) for the
    ``horizon`` periods after the training end (default: the horizon it was trained for).
    Intervals are the model's own or the conformal half-widths saved with it. A model
    trained with covariates reads their future values from ``exog_future`` (calendar
    covariates are recomputed)."""
    selection = selection_choice(Path(path))
    if selection is not None:
        return predict_selection(Path(path), selection, horizon, registry, exog_future)
    folder = model_folder(path)
    model, document = load_model(folder, registry)
    horizon = int(horizon or document.get("horizon") or 0)
    if horizon < 1:
        raise ConfigError(f"config key forecast.horizon must be at least 1, not {horizon}.")
    saved = document.get("intervals") or {}
    levels = [float(level) for level in saved.get("levels", [])]
    if getattr(model, "combines_forecasts", False):
        future, exog = None, None
        points = combine_saved(model, folder, horizon, registry, exog_future)
    else:
        exog = future_exog(model, document, horizon, registry, exog_future)
        future = model.predict_interval(horizon, levels, exog=exog) if levels else None
        points = model.predict(horizon, exog=exog) if future is None else None
    if future is None:
        widths = pd.DataFrame.from_dict(saved.get("halfwidths", {}), orient="index",
                                        dtype="float64")
        widths.columns = [int(c) / 100 for c in widths.columns]
        future = add_intervals(points, widths[[lv for lv in levels if lv in widths.columns]])
    future = clip_bounds(future.drop(columns="step", errors="ignore")
                         .assign(model=document["name"]), document.get("floor"))
    columns = ["series_id", "ds", "model", "y_pred"]
    if levels:
        lower, upper = bound_columns(levels[0])
        future = future.rename(columns={lower: "y_lo", upper: "y_hi"})
        columns += ["y_lo", "y_hi", *[c for lv in levels[1:] for c in bound_columns(lv)]]
    return future[columns]


def combine_saved(model: Any, folder: Path, horizon: int, registry: Any,
                  exog_future: str | None) -> pd.DataFrame:
    """series_id, ds, y_pred of a saved combination: its members' saved models (folders
    beside its own) forecast, then combined with its saved weights."""
    parts = []
    for member in model.members_:
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}", str(member)):
            raise ConfigError(f"model {folder} combines {member!r}, which is not a plain "
                              "model name; refusing to follow it.")
        ahead = predict_saved(folder.parent / str(member), horizon, registry, exog_future)
        parts.append(ahead.assign(model=str(member)))
    return model.combine(pd.concat(parts, ignore_index=True), ["series_id", "ds"],
                         model.weights_)


def selection_choice(path: Path) -> pd.DataFrame | None:
    """``series_id, model`` of a run directory whose best is the per-series selection
    (``forecast/selection.csv``); ``None`` for any other path."""
    from salesforge.forecast.selection import SELECTION

    if not (path / MANIFEST_NAME).is_file():
        return None
    manifest = read_manifest(path)
    if (manifest.get("forecast") or {}).get("best") != SELECTION:
        return None
    relative = (manifest.get("artifacts") or {}).get("selection")
    table = path / str(relative) if relative else None
    if table is None or not table.is_file() or \
            not table.resolve().is_relative_to(path.resolve()):
        raise ConfigError(f"run directory {path} chose a model per series but has no "
                          f"{RunLayout.SELECTION}; rerun it.")
    choice = pd.read_csv(table, dtype={"series_id": str, "model": str})
    bad = [m for m in choice["model"].unique()
           if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}", str(m))]
    if bad:
        raise ConfigError(f"run directory {path} names a model {bad[0]!r} that is not a plain "
                          f"name in {RunLayout.SELECTION}; refusing to follow it.")
    return choice[["series_id", "model"]]


def predict_selection(path: Path, choice: pd.DataFrame, horizon: int | None, registry: Any,
                      exog_future: str | None = None) -> pd.DataFrame:
    """The forecast of a run whose models were chosen per series: each chosen model's
    saved forecast for its own series, all named after the selection."""
    from salesforge.forecast.selection import SELECTION

    parts = []
    for name, rows in choice.groupby("model", sort=True):
        ahead = predict_saved(RunLayout(path).model_dir(str(name)), horizon, registry,
                              exog_future)
        parts.append(ahead[ahead["series_id"].astype(str).isin(rows["series_id"])])
    future = pd.concat(parts, ignore_index=True).assign(model=SELECTION)
    order = {sid: k for k, sid in enumerate(choice["series_id"])}
    return future.sort_values(["series_id", "ds"], key=lambda c: c.map(order)
                              if c.name == "series_id" else c, kind="stable"
                              ).reset_index(drop=True)
