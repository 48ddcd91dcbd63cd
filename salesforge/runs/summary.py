"""What the run index keeps of a manifest: the run's row and its key metrics.

The same functions feed the index, ``salesforge runs compare`` and the app's Comparison
tab, so a figure means the same thing everywhere.

Metric names (see docs/runs.md):

* the best forecaster's backtest metrics under their own names (``mase``, ``rmse``, ``mae``,
  ``coverage``, ...), and every model's as ``<model>.<metric>`` (``linear.mase``);
* ``rows_in``, ``rows_clean``, ``rows_rejected``, ``rows_duplicate`` (data);
* ``segments`` (count), ``silhouette``;
* ``anomalies`` (rows flagged), ``anomaly_rate`` and, with labels, ``anomaly_precision``,
  ``anomaly_recall``, ``anomaly_f1``;
* every numeric KPI under its own name (``revenue``, ``orders``, ``units``, ...);
* ``seconds`` (all stages) and ``interval_level``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from salesforge.config import GROUP_KINDS, LIST_GROUPS
from salesforge.forecast.evaluation import SELECTION_METRICS
from salesforge.runs.status import effective_status

#: Lower is better for the forecast error metrics a model is selected on, and ``seconds``.
LOWER_IS_BETTER = frozenset({*SELECTION_METRICS, "seconds"})
#: Higher is better.
HIGHER_IS_BETTER = frozenset({"r2", "silhouette", "anomaly_precision", "anomaly_recall",
                              "anomaly_f1"})
#: Metrics shown by default in comparisons (besides the best model's forecast metrics).
KEY_METRICS = ("rows_clean", "rows_rejected", "segments", "silhouette", "anomalies",
               "anomaly_rate", "anomaly_f1", "revenue", "orders", "seconds")
#: Descriptive rows shown above the metrics in comparisons.
INFO_KEYS = ("status", "started_at", "source", "best_model", "horizon", "freq", "overrides")


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (bools, text and NaN are not metrics)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def key_metrics(manifest: Mapping[str, Any]) -> dict[str, float]:
    """The numeric figures of a run, by metric name (module docstring lists them)."""
    out: dict[str, float] = {}

    def put(name: str, value: Any) -> None:
        number = _number(value)
        if number is not None and name not in out:
            out[name] = number

    forecast = manifest.get("forecast") or {}
    models = forecast.get("models") or {}
    for name, value in (models.get(forecast.get("best")) or {}).items():
        put(name, value)
    put("interval_level", forecast.get("interval_level"))
    data = manifest.get("data") or {}
    for name in ("rows_in", "rows_clean", "rows_rejected", "rows_duplicate"):
        put(name, data.get(name))
    segments = manifest.get("segments") or {}
    put("segments", segments.get("n_segments"))
    put("silhouette", segments.get("silhouette"))
    anomalies = manifest.get("anomalies") or {}
    put("anomalies", anomalies.get("flagged"))
    put("anomaly_rate", anomalies.get("rate"))
    evaluation = anomalies.get("evaluation") or {}
    for name in ("precision", "recall", "f1"):
        put(f"anomaly_{name}", evaluation.get(name))
    for name, value in ((manifest.get("analytics") or {}).get("kpis") or {}).items():
        put(str(name), value)
    timings = manifest.get("timings") or {}
    if timings:
        put("seconds", round(sum(float(t) for t in timings.values()), 4))
    for model, scores in models.items():
        for name, value in (scores or {}).items():
            put(f"{model}.{name}", value)
    return out


def read_overrides(run_dir: str | Path) -> list[str]:
    """The Hydra overrides the run was launched with (``.hydra/overrides.yaml``), or ``[]``."""
    path = Path(run_dir) / ".hydra" / "overrides.yaml"
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    return [str(o) for o in loaded] if isinstance(loaded, list) else []


def components(config: dict[str, Any]) -> dict[str, str]:
    """The component chosen in each config group, e.g. ``{"forecaster": "linear,
    seasonal_naive", "detector": "mad"}``."""
    out = {}
    for group in GROUP_KINDS:
        node = config.get(group)
        if not isinstance(node, dict):
            continue
        if group in LIST_GROUPS:
            out[group] = ",".join(str(k) for k in node)
        elif node.get("name") is not None:
            out[group] = str(node["name"])
    return out


def run_row(manifest: Mapping[str, Any], run_dir: str | Path) -> dict[str, Any]:
    """The index row of a run: identity, status, hashes, headline settings and path."""
    forecast = manifest.get("forecast") or {}
    config = manifest.get("config") or {}
    source = (manifest.get("data") or {}).get("source")
    timings = manifest.get("timings") or {}
    return {
        "run_id": str(manifest.get("run_id") or Path(run_dir).name),
        "started_at": manifest.get("started_at"),
        "finished_at": manifest.get("finished_at"),
        "status": effective_status(manifest),
        "config_hash": manifest.get("config_hash"),
        "data_hash": manifest.get("data_hash"),
        "source": Path(str(source)).name if source else None,
        "best_model": forecast.get("best"),
        "horizon": forecast.get("horizon", (config.get("forecast") or {}).get("horizon")),
        "freq": forecast.get("freq", (config.get("forecast") or {}).get("freq")),
        "error": (manifest.get("error") or {}).get("message"),
        "seconds": round(sum(float(t) for t in timings.values()), 4) if timings else None,
        "overrides": read_overrides(run_dir),
        "path": str(Path(run_dir).resolve()),
    }


def summarize(manifest: Mapping[str, Any], run_dir: str | Path) -> dict[str, Any]:
    """The index row of a run with its ``metrics`` (what :class:`RunIndex` returns)."""
    return {**run_row(manifest, run_dir), "metrics": key_metrics(manifest)}


def direction(name: str) -> str | None:
    """How to pick the best value of metric ``name``: ``"min"``, ``"max"``, ``"abs"``
    (closest to zero), ``"level"`` (coverage: closest to its nominal level) or ``None``
    (a fact about the data, not a quality: no best)."""
    base = name.rsplit(".", 1)[-1]
    if base in LOWER_IS_BETTER or name == "seconds":
        return "min"
    if base in HIGHER_IS_BETTER:
        return "max"
    if base == "bias":
        return "abs"
    if base == "coverage" or base.startswith("coverage_"):
        return "level"
    return None


def coverage_level(name: str, interval_level: float | None) -> float | None:
    """The nominal level a coverage metric should hit: ``coverage_95`` -> 0.95,
    ``coverage`` -> the run's ``interval_level``."""
    base = name.rsplit(".", 1)[-1]
    suffix = base.removeprefix("coverage").lstrip("_")
    if suffix.isdigit():
        return int(suffix) / 100
    return interval_level


def best_runs(name: str, values: dict[str, float | None],
              levels: dict[str, float | None] | None = None) -> list[str]:
    """The run ids holding the best value of metric ``name`` among ``values`` (ties all
    count); empty when the metric has no better direction or fewer than two runs have it."""
    how = direction(name)
    present = {k: v for k, v in values.items() if v is not None}
    if how is None or len(present) < 2:
        return []
    if how == "level":
        scores = {}
        for run_id, value in present.items():
            level = coverage_level(name, (levels or {}).get(run_id))
            if level is not None:
                scores[run_id] = abs(value - level)
        how = "min"
    elif how == "abs":
        scores, how = {k: abs(v) for k, v in present.items()}, "min"
    else:
        scores = present
    if len(scores) < 2 or len(set(scores.values())) == 1:
        return []
    target = min(scores.values()) if how == "min" else max(scores.values())
    return [k for k, v in scores.items() if math.isclose(v, target, rel_tol=1e-12, abs_tol=0)]
