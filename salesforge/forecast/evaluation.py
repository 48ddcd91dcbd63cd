"""Scoring backtests: metrics per model, per series and per window, forecast value added,
and the baseline-gated choice of the best model.

Scaled metrics follow the forecasting competitions. Each backtest window has its own
scales, computed from its training part (:func:`salesforge.forecast.backtest.window_scales`):

* ``mase`` (M4): per series, the mean of |error| / the window's seasonal-naive in-sample
  MAE over its backtest rows; a model's MASE is the mean of its series' MASE;
* ``rmsse`` (M5): per series and window, sqrt(mean squared error / the window's mean
  squared one-step naive difference); per series the mean over windows; a model's RMSSE
  is the mean over series;
* ``wrmsse`` (M5): per window, the RMSSE of each series weighted by its share of the
  target over the last ``horizon`` periods before the cutoff; the mean over windows;
* ``pinball_<pct>``: the mean pinball loss of ``y_lo``/``y_hi`` of level ``pct`` read as
  the (1 - level) / 2 and (1 + level) / 2 quantiles; ``coverage_<pct>`` the share of
  actuals inside them.

A scale given as a Series by ``series_id`` (one scale per series for every window) still
works for MASE; RMSSE and WRMSSE then are NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from salesforge.forecast import metrics
from salesforge.forecast.intervals import bound_columns, pct

#: Metrics a model can be selected or tuned on: lower is better for each of them.
SELECTION_METRICS: tuple[str, ...] = ("mase", "rmsse", "mae", "rmse", "mape", "smape")

Scales: TypeAlias = pd.Series | pd.DataFrame


def _bounds(scored: pd.DataFrame, levels: Sequence[float]) -> list[tuple[str, float, str, str]]:
    """``(metric suffix, level, lower column, upper column)`` of every level with bounds:
    ``""`` for the primary level (``coverage``), ``"_<pct>"`` for every level; the
    primary level may come as ``y_lo``/``y_hi`` (the files' names)."""
    out: list[tuple[str, float, str, str]] = []
    plain = {"y_lo", "y_hi"} <= set(scored.columns)
    for k, level in enumerate(levels):
        lower, upper = bound_columns(level)
        if lower not in scored.columns and k == 0 and plain:
            lower, upper = "y_lo", "y_hi"
        if lower in scored.columns and upper in scored.columns:
            if k == 0:
                out.append(("", level, lower, upper))
            out.append((f"_{pct(level)}", level, lower, upper))
    if not levels and plain:
        out.append(("", math.nan, "y_lo", "y_hi"))
    return out


def _scales(scored: pd.DataFrame, scale: Scales) -> pd.DataFrame:
    """The ``mase``, ``rmsse`` and ``weight`` scale of every row of ``scored``."""
    if isinstance(scale, pd.DataFrame):
        keys = pd.MultiIndex.from_arrays([scored["series_id"].astype(object),
                                          pd.DatetimeIndex(scored["cutoff"]).as_unit("ns")])
        table = scale.copy()
        table.index = pd.MultiIndex.from_arrays(
            [table.index.get_level_values(0).astype(object),
             pd.DatetimeIndex(table.index.get_level_values(1)).as_unit("ns")])
        found = table.reindex(keys)
        return pd.DataFrame({c: found[c].to_numpy("float64") if c in found else np.nan
                             for c in ("mase", "rmsse", "weight")}, index=scored.index)
    mapped = scored["series_id"].map(scale).to_numpy("float64")
    return pd.DataFrame({"mase": mapped, "rmsse": np.nan, "weight": np.nan}, index=scored.index)


def row_terms(scored: pd.DataFrame, scale: Scales, levels: Sequence[float]) -> pd.DataFrame:
    """One row per backtest row: keys (``model``, ``series_id``, ``cutoff``) and the terms
    every metric averages (errors, scaled errors, interval hits and pinball losses)."""
    y = scored["y_true"].to_numpy("float64")
    p = scored["y_pred"].to_numpy("float64")
    error = p - y
    absolute = np.abs(error)
    scales = _scales(scored, scale)
    mase_scale = scales["mase"].to_numpy()
    denominator = np.abs(y) + np.abs(p)
    out = pd.DataFrame({
        "model": scored["model"].to_numpy() if "model" in scored else "",
        "series_id": scored["series_id"].to_numpy(),
        "cutoff": scored["cutoff"].to_numpy() if "cutoff" in scored else 0,
        "y": y, "error": error, "abs": absolute, "sq": error ** 2,
        "ape": np.divide(absolute, np.abs(y), out=np.full_like(y, np.nan), where=y != 0),
        "sape": np.divide(2 * absolute, denominator, out=np.zeros_like(y),
                          where=denominator != 0),
        "scaled": np.divide(absolute, mase_scale, out=np.full_like(y, np.nan),
                            where=mase_scale > 0),
        "rmsse_scale": scales["rmsse"].to_numpy(), "weight": scales["weight"].to_numpy(),
    }, index=scored.index)
    for suffix, level, lower, upper in _bounds(scored, levels):
        lo, hi = scored[lower].to_numpy("float64"), scored[upper].to_numpy("float64")
        known = ~(np.isnan(lo) | np.isnan(hi))
        out[f"inside{suffix}"] = np.where(known, (y >= lo) & (y <= hi), np.nan)
        if suffix and math.isfinite(level):
            out[f"pinball{suffix}"] = np.where(known, metrics.interval_pinball(y, lo, hi, level),
                                               np.nan)
    return out


def _pooled(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Metrics over all rows of each ``keys`` group: MAE, RMSE, R2, MAPE, sMAPE, bias,
    the mean scaled error, coverage and pinball losses."""
    grouped = rows.groupby(keys, sort=True)
    means = grouped[[c for c in rows.columns if c not in (*keys, "model", "series_id",
                                                           "cutoff", "rmsse_scale", "weight")
                     ]].mean()
    centred = rows["y"] - grouped["y"].transform("mean")
    total = (centred ** 2).groupby([rows[k] for k in keys], sort=True).sum()
    sse = grouped["sq"].sum()
    out = pd.DataFrame({
        "mae": means["abs"], "rmse": np.sqrt(means["sq"]),
        "r2": (1.0 - sse / total.where(total != 0)),
        "mape": means["ape"] * 100, "smape": means["sape"] * 100, "bias": means["error"],
        "mase": means["scaled"]}, index=means.index)
    for column in means.columns:
        if column.startswith("inside"):
            out[column.replace("inside", "coverage")] = means[column]
        elif column.startswith("pinball"):
            out[column] = means[column]
    return out


def _window_rmsse(rows: pd.DataFrame) -> pd.DataFrame:
    """Per model, series and window: RMSSE and the window weight."""
    grouped = rows.groupby(["model", "series_id", "cutoff"], sort=True)
    table = grouped.agg(sq=("sq", "mean"), scale=("rmsse_scale", "first"),
                        weight=("weight", "first"))
    table["rmsse"] = np.sqrt(table["sq"] / table["scale"].where(table["scale"] > 0))
    return table[["rmsse", "weight"]]


def _weighted(window: pd.DataFrame) -> pd.Series:
    """Per model, WRMSSE: per window the weight-averaged RMSSE of its series (weights over
    the series with a finite RMSSE), then the mean over windows."""
    usable = window[np.isfinite(window["rmsse"]) & (window["weight"] > 0)]
    if usable.empty:
        return pd.Series(dtype="float64")
    product = (usable["rmsse"] * usable["weight"]).groupby(level=["model", "cutoff"]).sum()
    weights = usable["weight"].groupby(level=["model", "cutoff"]).sum()
    return (product / weights).groupby(level="model").mean()


def metric_tables(scored: pd.DataFrame, scale: Scales,
                  levels: Sequence[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(overall, by_series)``: metrics per model (index ``model``) and per model and
    series (index ``model, series_id``), columns in the order of the manifest."""
    rows = row_terms(scored, scale, levels)
    series = _pooled(rows, ["model", "series_id"])
    window = _window_rmsse(rows)
    series["rmsse"] = window["rmsse"].groupby(level=["model", "series_id"]).mean()
    overall = _pooled(rows, ["model"])
    finite = series.replace([np.inf, -np.inf], np.nan)
    overall["mase"] = finite["mase"].groupby(level="model").mean()
    overall["rmsse"] = finite["rmsse"].groupby(level="model").mean()
    overall["wrmsse"] = _weighted(window)
    first = ["mae", "rmse", "r2", "mape", "smape", "bias", "mase", "rmsse"]
    rest = [c for c in overall.columns if c not in (*first, "wrmsse")]
    return overall[[*first, "wrmsse", *rest]], series[[*first, *rest]]


def _clean(value: object) -> float:
    value = float(value)  # type: ignore[arg-type]
    return value if math.isfinite(value) or math.isnan(value) else math.nan


def model_metrics(scored: pd.DataFrame, scale: Scales,
                  levels: Sequence[float]) -> dict[str, float]:
    """Overall metrics of one model's backtest rows: MAE, RMSE, R2, MAPE, sMAPE, bias,
    MASE, RMSSE, WRMSSE, ``coverage`` (the primary level, the first), and
    ``coverage_<pct>`` and ``pinball_<pct>`` per level."""
    if scored.empty:
        return {}
    overall, _ = metric_tables(scored.assign(model="_"), scale, levels)
    return {k: _clean(v) for k, v in overall.iloc[0].items()}


def series_metrics(scored: pd.DataFrame, scale: Scales,
                   levels: Sequence[float]) -> pd.DataFrame:
    """Long table ``model, series_id, metric, value`` of every model and series."""
    _, by_series = metric_tables(scored, scale, levels)
    long = by_series.rename_axis(columns="metric").stack(future_stack=True)
    return long.rename("value").reset_index()[["model", "series_id", "metric", "value"]]


def window_metric(scored: pd.DataFrame, scale: Scales, metric: str) -> pd.Series:
    """``metric`` of every model, series and backtest window (index ``model, series_id,
    cutoff``): the per-window values that selection and weighting average."""
    rows = row_terms(scored, scale, [])
    if metric == "rmsse":
        return _window_rmsse(rows)["rmsse"]
    return _pooled(rows, ["model", "series_id", "cutoff"])[metric]


def value_added(by_series: pd.DataFrame, overall: dict[str, dict[str, float]],
                baseline: str, metric: str) -> pd.DataFrame:
    """Forecast value added of each model over ``baseline`` on ``metric``, per series and
    overall (``series_id == "all"``; a single series has only that row):
    ``fva_pct = 100 * (1 - model / baseline)``, positive when the model beats the
    baseline."""
    picked = by_series[by_series["metric"] == metric].pivot(
        index="series_id", columns="model", values="value")
    picked.loc["all"] = pd.Series({m: v.get(metric, math.nan) for m, v in overall.items()})
    if len(picked) == 2:  # a single series: its row would repeat the overall one
        picked = picked.loc[["all"]]
    rows = []
    for model in picked.columns:
        base, value = picked[baseline], picked[model]
        fva = np.where(base > 0, 100 * (1 - value / base.where(base > 0)), np.nan)
        rows.append(pd.DataFrame({"model": model, "series_id": picked.index, "metric": metric,
                                  "value": value.to_numpy(), "baseline_value": base.to_numpy(),
                                  "fva_pct": fva}))
    return pd.concat(rows, ignore_index=True)


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
    winner = min(finite, key=finite.__getitem__)
    if finite[winner] < reference:
        return winner, (f"{winner} has the lowest {metric} ({finite[winner]:.4g}), "
                        f"below the baseline {baseline} ({reference:.4g})")
    return baseline, (f"no model beats the baseline {baseline} on {metric} "
                      f"({reference:.4g}; the best other, {winner}, has {finite[winner]:.4g})")
