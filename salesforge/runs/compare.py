"""Runs side by side: descriptive rows, then metrics with the best run of each marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesforge.runs.summary import INFO_KEYS, KEY_METRICS, best_runs

#: Forecast metrics in the order they are shown (others follow alphabetically).
FORECAST_ORDER = ("mase", "rmse", "mae", "mape", "smape", "wape", "bias", "r2", "coverage")


@dataclass
class Comparison:
    """``info[key][run_id]`` (``overrides``: those not shared by every compared run),
    ``metrics[name][run_id]`` (``None`` where a run lacks it) and ``best[name]``
    = the run ids with the best value (empty when no value is better)."""

    run_ids: list[str]
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    best: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"runs": self.run_ids, "info": self.info, "metrics": self.metrics,
                "best": {k: v for k, v in self.best.items() if v}}


def metric_order(names: set[str], everything: bool) -> list[str]:
    """Metric names in display order: the best model's forecast metrics, the key metrics,
    then (``everything``) KPIs and every model's own metrics."""
    per_model = sorted(n for n in names if "." in n)
    forecast = {n.rsplit(".", 1)[1] for n in per_model}
    head = [n for n in FORECAST_ORDER if n in names]
    head += sorted(n for n in names if n in forecast and n not in head)
    head += [n for n in KEY_METRICS if n in names and n not in head]
    if not everything:
        return head
    rest = sorted(n for n in names if n not in head and "." not in n and n != "interval_level")
    return head + rest + per_model


def compare(runs: list[dict[str, Any]], everything: bool = False) -> Comparison:
    """Compare index rows (``RunIndex.runs``/``resolve`` results, each with ``metrics``)."""
    ids = [r["run_id"] for r in runs]
    result = Comparison(ids)
    for key in INFO_KEYS:
        result.info[key] = {r["run_id"]: _info(r, key) for r in runs}
    shared = set.intersection(*(set(r.get("overrides") or []) for r in runs)) if runs else set()
    result.info["overrides"] = {r["run_id"]: " ".join(o for o in r.get("overrides") or []
                                                      if o not in shared) for r in runs}
    names = set().union(*(r["metrics"] for r in runs)) if runs else set()
    levels = {r["run_id"]: r["metrics"].get("interval_level") for r in runs}
    for name in metric_order(names, everything):
        values = {r["run_id"]: r["metrics"].get(name) for r in runs}
        result.metrics[name] = values
        result.best[name] = best_runs(name, values, levels)
    return result


def _info(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if key == "started_at" and value:
        return str(value)[:19].replace("T", " ")
    return value
