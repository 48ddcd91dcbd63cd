"""Realised accuracy: the forecasts of an earlier run scored against the actuals that a
new run's data now holds.

The earlier run is found through the run index (:mod:`salesforge.runs.lookup`): a run
that finished ``ok`` and forecast the same target at the same frequency with the same
grouping (``manifest.forecast.target``/``freq``/``by``), whose ``forecast/forecast.csv``
has at least one period the new data covers completely. Every model of that file is
scored on those periods: ``forecast/realized.csv`` (one row per series, period and model)
and ``manifest.forecast.realized`` (per model MASE, bias % and interval coverage).

MASE follows the backtest's convention: each series' absolute errors are scaled by its
seasonal-naive in-sample MAE over the data the earlier run was trained on (the actuals
up to the period before its first forecast), the mean over a series' periods, then over
series. A last period that the data covers only in part (weekly data ending on a
Wednesday) is not scored: it would look like a miss.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesforge.forecast.backtest import window_scales
from salesforge.forecast.evaluation import metric_tables
from salesforge.forecast.intervals import pct
from salesforge.layout import RunLayout
from salesforge.runs.lookup import EarlierRun, earlier_runs, pick_run, reference_setting

if TYPE_CHECKING:
    from salesforge.schema import RunContext

REALIZED = RunLayout.REALIZED
#: The earlier run's forecasts, relative to its folder (its manifest ``artifacts`` first).
FORECAST_FILE = RunLayout.FORECAST
COLUMNS = ["source_run", "series_id", "ds", "model", "y_pred", "y_lo", "y_hi", "y_true",
           "inside", "scaled_error"]
#: Earlier runs an ``auto`` search reads the forecast file of, newest first.
MAX_CANDIDATES = 20
log = logging.getLogger(__name__)


def same_forecast(target: str, freq: str, by: Sequence[str]) -> Callable[[dict], bool]:
    """Whether an earlier manifest forecast ``target`` at ``freq`` grouped by ``by``."""
    def accept(manifest: dict[str, Any]) -> bool:
        forecast = manifest.get("forecast") or {}
        return (forecast.get("target") == target and forecast.get("freq") == freq
                and [str(c) for c in forecast.get("by") or []] == [str(c) for c in by])
    return accept


def forecast_path(run: EarlierRun) -> Path:
    """The forecast file of an earlier run (its ``artifacts.forecast``, else the default)."""
    relative = (run.manifest.get("artifacts") or {}).get("forecast") or FORECAST_FILE
    return run.path / str(relative)


def complete_until(series: pd.DataFrame, date_max: pd.Timestamp | None, freq: str
                   ) -> pd.Timestamp | None:
    """The last period of ``series`` that the data covers completely: its last period,
    unless the data's last date (``date_max``) ends before that period does."""
    if series.empty:
        return None
    periods = pd.DatetimeIndex(np.sort(series["ds"].unique()))
    last = periods[-1]
    if date_max is None or pd.isna(date_max):
        return last
    offset = pd.tseries.frequencies.to_offset(freq)
    start_labelled = isinstance(offset, (pd.offsets.Day, pd.offsets.MonthBegin,
                                         pd.offsets.QuarterBegin, pd.offsets.YearBegin))
    period_end = (last + offset - pd.Timedelta(days=1)) if start_labelled else last
    if pd.Timestamp(date_max).normalize() >= period_end.normalize():
        return last
    return periods[-2] if len(periods) > 1 else None


def find_source(setting: Any, config: Any, run_id: str | None, target: str, freq: str,
                by: Sequence[str], until: pd.Timestamp | None) -> EarlierRun | None:
    """The earlier run ``forecast.realized`` names (``setting`` read by
    :func:`~salesforge.runs.lookup.reference_setting`; ``auto``: the newest matching run
    with a forecast period on or before ``until``)."""
    accept = same_forecast(target, freq, by)
    if setting != "auto":
        return pick_run(setting, "forecast.realized", config, run_id, accept)
    if until is None:
        return None
    for k, run in enumerate(earlier_runs(config, run_id, accept, where=[f"freq={freq}"])):
        if k >= MAX_CANDIDATES:
            break
        path = forecast_path(run)
        if not path.is_file():
            continue
        try:
            first = pd.to_datetime(pd.read_csv(path, usecols=["ds"])["ds"]).min()
        except (OSError, ValueError, KeyError):
            continue
        if pd.notna(first) and first <= until:
            return run
    return None


def read_forecast(run: EarlierRun) -> pd.DataFrame:
    frame = pd.read_csv(forecast_path(run), dtype={"series_id": "string", "model": "string"})
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


def score_realized(series: pd.DataFrame, forecast: pd.DataFrame, source_run: str,
                   freq: str, until: pd.Timestamp, source_model: str | None = None,
                   level: float | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``forecast`` (an earlier run's forecast.csv) scored against ``series`` (series_id,
    ds, y: the new run's actuals) on the periods up to ``until``: the rows of
    ``realized.csv`` and the summary of ``manifest.forecast.realized``. ``level`` is the
    interval level of the file's ``y_lo``/``y_hi`` (the earlier run's
    ``forecast.interval_level``); further levels come from its ``y_lo_<pct>`` columns."""
    rows = forecast[forecast["ds"] <= until]
    actuals = series[["series_id", "ds", "y"]].rename(columns={"y": "y_true"}).astype(
        {"series_id": "string"})
    merged = rows.merge(actuals, on=["series_id", "ds"], how="inner")
    if merged.empty:
        return pd.DataFrame(columns=COLUMNS), {
            "source_run": source_run, "note": f"run {source_run}'s forecasts cover no "
            "period and series that this run's data has"}
    first_forecast = forecast["ds"].min()
    history = series[series["ds"] < first_forecast]
    cutoff = history["ds"].max() if len(history) else first_forecast
    extra = sorted({int(c.rsplit("_", 1)[1]) / 100 for c in merged.columns
                    if c.startswith("y_lo_") and c.rsplit("_", 1)[1].isdigit()})
    has_bounds = {"y_lo", "y_hi"} <= set(merged.columns)
    levels = ([float(level)] if level is not None and has_bounds else []) + \
        [lv for lv in extra if level is None or pct(lv) != pct(level)]
    horizon = int(merged.groupby(["series_id", "model"])["ds"].nunique().max())
    scales = window_scales(series[series["ds"] <= cutoff], [cutoff], freq, horizon)
    scored = merged.assign(cutoff=cutoff)
    overall, _ = metric_tables(scored, scales, levels)
    scale = scales["mase"].droplevel("cutoff")
    error = (merged["y_pred"] - merged["y_true"]).to_numpy("float64")
    per_row_scale = merged["series_id"].map(scale).to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(per_row_scale > 0, np.abs(error) / per_row_scale, np.nan)
    inside = pd.Series(pd.NA, index=merged.index, dtype="boolean")
    if {"y_lo", "y_hi"} <= set(merged.columns):
        known = merged["y_lo"].notna() & merged["y_hi"].notna()
        inside[known] = ((merged["y_true"] >= merged["y_lo"])
                         & (merged["y_true"] <= merged["y_hi"]))[known]
    table = merged.assign(source_run=source_run, inside=inside, scaled_error=scaled)
    for column in ("y_lo", "y_hi"):
        if column not in table:
            table[column] = np.nan
    table = table[COLUMNS].sort_values(["model", "series_id", "ds"], ignore_index=True)
    models = {}
    for model, part in table.groupby("model", sort=True):
        truth = float(part["y_true"].sum())
        bias = 100 * (float(part["y_pred"].sum()) - truth) / abs(truth) if truth else math.nan
        figures = overall.loc[model] if model in overall.index else pd.Series(dtype=float)
        coverage = {str(pct(lv)): _number(figures.get(f"coverage_{pct(lv)}")) for lv in levels}
        models[str(model)] = {"mase": _number(figures.get("mase")), "bias_pct": _number(bias),
                              "mae": _number(figures.get("mae")), "coverage": coverage,
                              "rows": len(part)}
    summary = {
        "source_run": source_run, "model": source_model,
        "periods": int(table["ds"].nunique()), "series": int(table["series_id"].nunique()),
        "first": table["ds"].min().date().isoformat(),
        "last": table["ds"].max().date().isoformat(),
        "cutoff": pd.Timestamp(cutoff).date().isoformat(), "rows": len(table),
        "interval_level": levels[0] if levels else None, "models": models}
    return table, summary


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None


def realize(ctx: RunContext, series: pd.DataFrame, target: str, freq: str, by: Sequence[str]
            ) -> dict[str, Any] | None:
    """Score the forecasts of the earlier run ``forecast.realized`` names against
    ``series``; writes :data:`REALIZED`, returns ``manifest.forecast.realized`` (a note
    when nothing could be scored) or ``None`` when the setting is off."""
    setting = reference_setting(ctx.config.forecast.realized,
                                "forecast.realized")
    if setting is None:
        return None
    date_max = ctx.manifest.get("data", {}).get("date_max")
    until = complete_until(series, pd.Timestamp(date_max) if date_max else None, freq)
    source = find_source(setting, ctx.config, ctx.manifest.get("run_id"), target, freq, by,
                         until)
    if source is None:
        return {"note": "no earlier run forecast this target, frequency and grouping for a "
                        "period this data covers"}
    try:
        forecast = read_forecast(source)
        earlier = source.manifest.get("forecast") or {}
        table, summary = score_realized(series, forecast, source.run_id, freq, until,
                                        earlier.get("best"), earlier.get("interval_level"))
    except (OSError, ValueError, KeyError) as error:
        log.warning("the forecasts of run %s could not be scored: %s", source.run_id, error)
        return {"source_run": source.run_id,
                "note": f"run {source.run_id}'s forecast file could not be read ({error})"}
    if len(table):
        table.to_csv(ctx.path(REALIZED), index=False)
        ctx.record_artifact("realized", REALIZED)
        best = summary["models"].get(summary["model"] or "", {})
        log.info("realised accuracy of run %s over %d period(s): %s MASE %s", source.run_id,
                 summary["periods"], summary["model"], best.get("mase"))
    return summary
