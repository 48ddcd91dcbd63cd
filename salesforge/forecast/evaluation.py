"""Scoring backtests: metrics per model and per series, forecast value added, selection."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesforge.forecast.backtest import score
from salesforge.forecast.intervals import bound_columns, pct


def model_metrics(scored: pd.DataFrame, scale: pd.Series,
                  levels: Sequence[float]) -> dict[str, float]:
    """Overall metrics of one model's backtest rows: MAE, RMSE, R2, MAPE, sMAPE, bias,
    MASE, ``coverage`` (primary level, the first) and ``coverage_<pct>`` per level."""
    primary = bound_columns(levels[0]) if levels else None
    frame = scored.rename(columns=dict(zip(primary, ("y_lo", "y_hi"), strict=True))) \
        if primary and primary[0] in scored else scored
    result = score(frame, scale)
    for level in levels:
        lower, upper = bound_columns(level)
        if lower in scored:
            inside = (scored["y_true"] >= scored[lower]) & (scored["y_true"] <= scored[upper])
            known = scored[lower].notna() & scored[upper].notna()
            result[f"coverage_{pct(level)}"] = float(inside[known].mean()) if known.any() \
                else math.nan
    return result


def series_metrics(scored: pd.DataFrame, scale: pd.Series,
                   levels: Sequence[float]) -> pd.DataFrame:
    """Long table ``model, series_id, metric, value`` of every model and series."""
    rows = []
    for (model, sid), group in scored.groupby(["model", "series_id"], sort=True):
        for metric, value in model_metrics(group, scale, levels).items():
            rows.append((model, sid, metric, value))
    return pd.DataFrame(rows, columns=["model", "series_id", "metric", "value"])


def value_added(by_series: pd.DataFrame, overall: dict[str, dict[str, float]],
                baseline: str, metric: str) -> pd.DataFrame:
    """Forecast value added of each model over ``baseline`` on ``metric``, per series and
    overall (``series_id == "all"``): ``fva_pct = 100 * (1 - model / baseline)``, positive
    when the model beats the baseline."""
    picked = by_series[by_series["metric"] == metric].pivot(
        index="series_id", columns="model", values="value")
    picked.loc["all"] = pd.Series({m: v.get(metric, math.nan) for m, v in overall.items()})
    rows = []
    for model in picked.columns:
        base, value = picked[baseline], picked[model]
        fva = np.where(base > 0, 100 * (1 - value / base.where(base > 0)), np.nan)
        rows.append(pd.DataFrame({"model": model, "series_id": picked.index, "metric": metric,
                                  "value": value.to_numpy(), "baseline_value": base.to_numpy(),
                                  "fva_pct": fva}))
    return pd.concat(rows, ignore_index=True)


#: Metrics a model can be selected or tuned on: lower is better for each of them.
SELECTION_METRICS: tuple[str, ...] = ("mase", "mae", "rmse", "mape", "smape")


def select_best(models: dict[str, dict[str, float]], baseline: str,
                metric: str) -> tuple[str, str]:
    """``(best, reason)``: the model with the lowest ``metric`` if it beats the baseline,
    else the baseline, with a sentence saying why."""
    reference = models.get(baseline, {}).get(metric, math.nan)
    if reference is None or not math.isfinite(reference):
        return baseline, (f"the baseline {baseline} has no finite {metric}, so no model can "
                          "be shown to beat it; the baseline is kept")
    scores = {name: m.get(metric, math.nan) for name, m in models.items() if name != baseline}
    finite = {n: v for n, v in scores.items() if v is not None and math.isfinite(v)}
    if not finite:
        return baseline, f"no other model has a finite {metric}; the baseline is kept"
    winner = min(finite, key=finite.get)
    if finite[winner] < reference:
        return winner, (f"{winner} has the lowest {metric} ({finite[winner]:.4g}), "
                        f"below the baseline {baseline} ({reference:.4g})")
    return baseline, (f"no model beats the baseline {baseline} on {metric} "
                      f"({reference:.4g}; the best other, {winner}, has {finite[winner]:.4g})")
