"""The forecast stage's work as independent, picklable tasks for an executor.

One flat task list per stage: for every model, one task per backtest window and one for
the final fit; a forecaster that fits each series alone (``per_series = True``) is also
split into groups of at most :data:`SERIES_PER_TASK` series. Tasks carry an unfitted
forecaster (copied, never shared), handles of the series they need and the window's
cutoff; never the run context or the plugin manager. The grouping depends on the data
only, never on the executor, so every executor gives the same results.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.executor import Executor, Progress
from salesforge.base.forecaster import Forecaster
from salesforge.forecast.backtest import backtest_windows

#: Series per task for forecasters that fit each series alone (``per_series = True``).
SERIES_PER_TASK = 256


def series_groups(series: pd.DataFrame, size: int | None = None) -> list[pd.DataFrame]:
    """``series`` split into consecutive groups of at most ``size`` (default
    :data:`SERIES_PER_TASK`) series by sorted series_id, rows in their original order;
    one group when there are few series."""
    size = int(size or SERIES_PER_TASK)
    codes, _ = pd.factorize(series["series_id"], sort=True)
    if codes.max(initial=0) < size:
        return [series]
    return [part for _, part in series.groupby(codes // size, sort=True)]


def _frame(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def run_forecast_task(task: Mapping[str, Any]) -> Any:
    """One task (module level, so any executor can ship it). ``task["kind"]``:

    * ``"window"``: the scored frame of one backtest window (see
      :func:`~salesforge.forecast.backtest.backtest_windows`);
    * ``"final"``: ``(fitted model, forecast, own_intervals)`` — the model fitted on the
      whole series and its forecast, with its own intervals when it has them.
    """
    template: Forecaster = task["model"]
    series = _frame(task["data"])
    freq, horizon, levels = task["freq"], int(task["horizon"]), list(task["levels"])
    if task["kind"] == "window":
        windows = backtest_windows(lambda: copy.deepcopy(template), series, freq, horizon,
                                   [task["cutoff"]], levels)
        return next(iter(windows))
    exog = task.get("exog")
    if exog is not None:
        exog = exog[exog["series_id"].isin(series["series_id"].unique())]
    model = copy.deepcopy(template).fit(series, freq)
    future = model.predict_interval(horizon, levels, exog=exog)
    if future is not None:
        return model, future, True
    return model, model.predict(horizon, exog=exog), False


def combine_fitted(parts: Sequence[Forecaster]) -> Forecaster:
    """One fitted model from models of the same class fitted on disjoint groups of series
    (``per_series = True``): dicts and series-indexed pandas objects are joined,
    ``feature_importances_`` is averaged weighted by each group's series count, anything
    else must be equal in every part (else ``ValueError``)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    combined = copy.copy(first)
    sizes = np.array([len(p.last_ds_) for p in parts], dtype="float64")
    for attr, value in vars(first).items():
        if not attr.endswith("_") or attr.startswith("_"):
            continue
        values = [getattr(p, attr) for p in parts]
        if attr == "feature_importances_" and isinstance(value, pd.Series):
            table = pd.concat(values, axis=1, sort=False).fillna(0.0)
            merged = table.to_numpy() @ sizes / sizes.sum()
            setattr(combined, attr, pd.Series(merged, index=table.index, name=value.name))
        elif isinstance(value, dict):
            setattr(combined, attr, {k: v for part in values for k, v in part.items()})
        elif isinstance(value, pd.Series | pd.DataFrame) and all(
                v.index.isin(p.last_ds_.index).all() for v, p in zip(values, parts, strict=True)):
            setattr(combined, attr, pd.concat(values))
        elif not all(_same(value, v) for v in values[1:]):
            raise ValueError(f"{type(first).__name__} has per_series = True but its fitted "
                             f"attribute {attr} differs between groups of series; set "
                             "per_series = False (or keep per-series state in dicts or "
                             "series-indexed pandas objects)")
    return combined


def _same(a: Any, b: Any) -> bool:
    try:
        if isinstance(a, pd.Series | pd.DataFrame | pd.Index):
            return bool(a.equals(b))
        if isinstance(a, np.ndarray):
            return bool(np.array_equal(a, b))
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def run_models(models: Mapping[str, Forecaster], plan: Any, executor: Executor | None = None,
               progress: Progress | None = None
               ) -> dict[str, tuple[list[pd.DataFrame], Forecaster, pd.DataFrame, bool]]:
    """Backtest and fit every unfitted model of ``models`` on ``plan`` through ``executor``
    (``None`` = in this process): name -> (scored window frames oldest first, fitted model,
    forecast, own_intervals), in the same order and with the same values as running each
    model alone."""
    from salesforge.exec.local import LocalExecutor

    executor = executor or LocalExecutor()
    local = [bool(getattr(m, "per_series", False)) for m in models.values()]
    groups = series_groups(plan.series) if any(local) else [plan.series]
    split = [[executor.share(g)] for g in groups]
    whole = split[0]  # global models need every series at once
    if len(groups) > 1 and not all(local):
        whole = [executor.share(plan.series)]
    exog = getattr(plan, "exog_future", None)
    exog = None if exog is None else executor.share(exog)
    common = {"freq": plan.freq, "horizon": plan.horizon, "levels": list(plan.levels)}
    tasks: list[dict[str, Any]] = []
    owners: list[tuple[str, int | None]] = []  # (model, backtest window; None: the final fit)
    for name, template in models.items():
        parts = split if getattr(template, "per_series", False) else [whole]
        for k, cutoff in enumerate(plan.cutoffs):
            for data in parts:
                tasks.append({"kind": "window", "model": template, "data": data,
                              "cutoff": cutoff, **common})
                owners.append((name, k))
        for data in parts:
            tasks.append({"kind": "final", "model": template, "data": data, "exog": exog,
                          **common})
            owners.append((name, None))
    results = executor.map(run_forecast_task, tasks, progress=progress)
    windows: dict[str, list[list[pd.DataFrame]]] = {
        name: [[] for _ in plan.cutoffs] for name in models}
    finals: dict[str, list[tuple[Forecaster, pd.DataFrame, bool]]] = {n: [] for n in models}
    for (name, window), result in zip(owners, results, strict=True):
        if window is None:
            finals[name].append(result)
        else:
            windows[name][window].append(result)
    out = {}
    for name in models:
        scored = [_frame(parts) for parts in windows[name]]
        fitted = combine_fitted([f[0] for f in finals[name]])
        future = _frame([f[1] for f in finals[name]])
        out[name] = (scored, fitted, future, all(f[2] for f in finals[name]))
    return out
