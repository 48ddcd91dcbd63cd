"""What a salesforge manifest becomes in MLflow: params, metrics and tags (pure functions).

- params: the resolved config, flattened to dotted keys (``forecast.horizon`` -> ``"28"``);
- metrics: backtest metrics per model (``backtest.<model>.<metric>``), the best model's
  (``best.<metric>``), forecast value added (``value_added_pct.<model>``), data rows
  (``data.rows_in`` ...), anomaly counts and scores (``anomalies.*``), segment figures
  (``segments.*``), KPIs (``kpi.<name>``) and stage timings (``timing.<stage>``);
- tags: ``salesforge.*`` — run id, status, config and data hashes, version, best model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

#: MLflow's limit on a param value (characters); longer values are cut with an ellipsis.
MAX_PARAM_LENGTH = 6000
_INVALID_NAME = re.compile(r"[^\w\-. /:]")


def metric_name(*parts: object) -> str:
    """A dotted MLflow metric/param name; characters MLflow rejects become ``_``."""
    return _INVALID_NAME.sub("_", ".".join(str(p) for p in parts))


def flatten(config: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, leaf value)`` for every leaf of nested mappings; lists are leaves."""
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{name}.")
        else:
            yield name, value


def params_from_config(config: Mapping[str, Any]) -> dict[str, str]:
    """The resolved run config as MLflow params (strings; JSON for non-strings)."""
    params = {}
    for key, value in flatten(config):
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        if len(text) > MAX_PARAM_LENGTH:
            text = text[: MAX_PARAM_LENGTH - 3] + "..."
        params[metric_name(key)] = text
    return params


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _numbers(prefix: str, values: Mapping[str, Any] | None) -> dict[str, float]:
    out = {}
    for key, value in (values or {}).items():
        number = _number(value)
        if number is not None:
            out[metric_name(prefix, key)] = number
    return out


def metrics_from_manifest(manifest: Mapping[str, Any]) -> dict[str, float]:
    """Every finite number worth comparing across runs, by metric name."""
    metrics: dict[str, float] = {}
    forecast = manifest.get("forecast") or {}
    for model, scores in (forecast.get("models") or {}).items():
        metrics.update(_numbers(f"backtest.{model}", scores))
    best = forecast.get("best")
    if best:
        metrics.update(_numbers("best", (forecast.get("models") or {}).get(best)))
    metrics.update(_numbers("value_added_pct", forecast.get("value_added_pct")))
    data = manifest.get("data") or {}
    metrics.update(_numbers("data", {k: data.get(k) for k in
                                     ("rows_in", "rows_clean", "rows_rejected", "rows_duplicate")}))
    anomalies = manifest.get("anomalies") or {}
    metrics.update(_numbers("anomalies", {k: anomalies.get(k) for k in
                                          ("rows_scored", "flagged", "rate")}))
    evaluation = anomalies.get("evaluation") or {}
    metrics.update(_numbers("anomalies", {k: evaluation.get(k) for k in
                                          ("precision", "recall", "f1", "roc_auc", "pr_auc")}))
    series = anomalies.get("series")
    if isinstance(series, Mapping):
        metrics.update(_numbers("anomalies.series", {k: series.get(k)
                                                     for k in ("flagged", "periods")}))
    segments = manifest.get("segments") or {}
    metrics.update(_numbers("segments", {k: segments.get(k)
                                         for k in ("n_segments", "silhouette")}))
    metrics.update(_numbers("kpi", ((manifest.get("analytics") or {}).get("kpis"))))
    timings = manifest.get("timings") or {}
    metrics.update(_numbers("timing", timings))
    if timings:
        metrics["timing.total"] = float(sum(timings.values()))
    return metrics


def tags_from_manifest(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``salesforge.*`` tags naming the run, its inputs and its outcome."""
    forecast = manifest.get("forecast") or {}
    error = manifest.get("error") or {}
    tags = {
        "salesforge.run_id": manifest.get("run_id"),
        "salesforge.status": manifest.get("status"),
        "salesforge.version": manifest.get("salesforge_version"),
        "salesforge.config_hash": manifest.get("config_hash"),
        "salesforge.data_hash": manifest.get("data_hash"),
        "salesforge.best_model": forecast.get("best"),
        "salesforge.error": (f"{error.get('type')}: {error.get('message')}" if error else None),
        "salesforge.failed_stage": error.get("stage"),
    }
    return {k: str(v)[:MAX_PARAM_LENGTH] for k, v in tags.items() if v is not None}
