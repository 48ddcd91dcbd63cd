"""Which model forecasts each series (``forecast.select``), gated by the baseline.

* ``global``: one model for every series (the lowest overall metric if it beats the
  baseline); series of the intermittent classes, when intermittent-demand methods ran,
  get the model with the lowest mean metric over those series among the global choice and
  those methods, again only if it beats the baseline there.
* ``per_series``: each series gets the model with its own lowest metric if that beats
  its baseline, else the baseline. Its backtest is scored out of sample: window k's choice
  comes from the other windows (from all of them with one window); the future forecast's
  choice from every window.

The chosen rows form the model :data:`SELECTION` (backtest and forecast rows of the
chosen models, intervals included), scored like any other model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError

MODES = ("global", "per_series")
#: The model name of the per-series choice in backtest.csv, forecast.csv and the manifest.
SELECTION = "selection"


def select_mode(value: object) -> str:
    """``forecast.select``, checked."""
    mode = "global" if value is None else str(value)
    if mode not in MODES:
        raise ConfigError(f"config key forecast.select must be one of {', '.join(MODES)}, "
                          f"not {mode!r}.")
    return mode


def gated_choice(values: pd.DataFrame, baseline: str) -> pd.Series:
    """Per row of ``values`` (columns: models, NaN where a model has no value), the model
    with the lowest value if it is below the baseline's, else the baseline (also when
    the baseline has no finite value)."""
    base = values[baseline].to_numpy("float64") if baseline in values else \
        np.full(len(values), np.nan)
    others = values.drop(columns=[baseline], errors="ignore")
    if others.shape[1] == 0:
        return pd.Series(baseline, index=values.index, dtype=object)
    table = others.to_numpy("float64")
    table = np.where(np.isfinite(table), table, np.inf)
    best = table.argmin(axis=1)
    lowest = table[np.arange(len(table)), best]
    chosen = np.where(lowest < base, others.columns.to_numpy(dtype=object)[best], baseline)
    return pd.Series(chosen, index=values.index, dtype=object)


def out_of_window(window_values: pd.Series) -> pd.DataFrame:
    """Per series and window (index ``series_id, cutoff``) and model (columns), the mean
    metric of the *other* windows; the window's own when it is the only one."""
    table = window_values.unstack("model")
    finite = table.where(np.isfinite(table))
    totals = finite.groupby(level="series_id").transform("sum")
    counts = finite.notna().groupby(level="series_id").transform("sum")
    own = finite.fillna(0.0)
    others = counts - finite.notna()
    loo = (totals - own) / others.where(others > 0)
    single = table.index.get_level_values("cutoff").nunique() == 1
    return finite if single else loo


def per_series_choice(window_values: pd.Series, baseline: str) -> tuple[pd.Series, pd.Series]:
    """``(backtest, future)`` choices of ``per_series``: per ``series_id, cutoff`` (out of
    window) and per ``series_id`` (all windows), gated by the baseline."""
    backtest = gated_choice(out_of_window(window_values), baseline)
    overall = window_values.replace([np.inf, -np.inf], np.nan).groupby(
        level=["series_id", "model"]).mean().unstack("model")
    return backtest, gated_choice(overall, baseline)


def class_choice(window_values: pd.Series, classes: pd.Series, best: str, baseline: str,
                 methods: Sequence[str]) -> dict[str, str]:
    """Per routed class (values of ``classes``, by series_id): among ``best`` and the
    intermittent ``methods``, the model with the lowest mean metric over the class's
    series, if it beats the baseline there (else the baseline)."""
    wanted = [best, *[m for m in methods if m != best]]
    per_series = window_values.replace([np.inf, -np.inf], np.nan).groupby(
        level=["series_id", "model"]).mean().unstack("model")
    per_series = per_series.reindex(columns=list(dict.fromkeys([*wanted, baseline])))
    means = per_series.groupby(classes.reindex(per_series.index)).mean()
    chosen = gated_choice(means, baseline)
    return {str(k): str(v) for k, v in chosen.items()}


def selected_rows(frames: Sequence[pd.DataFrame], choice: pd.Series,
                  keys: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frames`` (each with ``model`` and ``keys``) whose model is the
    ``choice`` for their keys (``choice`` indexed by ``keys``), renamed to
    :data:`SELECTION`; in the order of ``frames``' rows."""
    rows = pd.concat(frames, ignore_index=True)
    wanted = choice.rename("model").reset_index()
    for key in keys:
        wanted[key] = wanted[key].astype(rows[key].dtype)
    picked = rows.merge(wanted, on=[*keys, "model"], how="inner")
    return picked.assign(model=SELECTION)


@dataclass
class Choice:
    """What :func:`choose` decided: the best model, why, and (when series differ) the
    rows of :data:`SELECTION`."""

    best: str
    reason: str
    future: pd.Series                     # series_id -> model of its future forecast
    how: pd.Series                        # series_id -> global | class | per_series | gate
    global_best: str                      # the global choice (== best without SELECTION)
    backtest: pd.DataFrame | None = None  # SELECTION's backtest rows
    forecast: pd.DataFrame | None = None  # SELECTION's forecast rows


def choose(mode: str, window_values: pd.Series, overall: dict[str, dict[str, float]],
           regular: Sequence[str], baseline: str, metric: str, classes: pd.Series,
           methods: Sequence[str], backtests: Sequence[pd.DataFrame],
           forecasts: Sequence[pd.DataFrame]) -> Choice:
    """The model of every series under ``mode`` (see the module docstring).

    :param window_values: ``metric`` per ``model, series_id, cutoff``.
    :param overall: model -> overall metrics; the global choice is among ``regular``.
    :param classes: demand class per series_id; routed classes may get ``methods``.
    :param backtests: every model's scored backtest (with ``model``); ``forecasts`` alike.
    """
    from salesforge.forecast.evaluation import select_best
    from salesforge.forecast.intermittent import ROUTED

    best, reason = select_best({m: overall[m] for m in regular if m in overall}, baseline,
                               metric)
    ids = classes.index
    future = pd.Series(best, index=ids, dtype=object)
    how = pd.Series("global", index=ids, dtype=object)
    if mode == "per_series":
        in_window, future = per_series_choice(window_values, baseline)
        future = future.reindex(ids).fillna(baseline)
        how = pd.Series(np.where(future == baseline, "gate", "per_series"), index=ids,
                        dtype=object)
    elif methods and classes.isin(ROUTED).any():
        picked = class_choice(window_values, classes, best, baseline, methods)
        routed = classes.isin(ROUTED) & classes.map(picked).notna()
        future = future.where(~routed, classes.map(picked))
        how = how.where(~routed, "class")
        if (future == best).all():
            return Choice(best, reason, future, how, best)
        in_window = None
    else:
        return Choice(best, reason, future, how, best)
    if in_window is None:
        cutoffs = window_values.index.get_level_values("cutoff").unique()
        in_window = pd.Series(
            np.repeat(future.to_numpy(), len(cutoffs)), dtype=object,
            index=pd.MultiIndex.from_product([future.index, cutoffs],
                                             names=["series_id", "cutoff"]))
    rows = selected_rows(backtests, in_window, ["series_id", "cutoff"])
    ahead = selected_rows(forecasts, future.rename_axis("series_id"), ["series_id"])
    counts = future.value_counts().to_dict()
    described = ", ".join(f"{m} {n}" for m, n in counts.items())
    text = (f"forecast.select={mode}: " if mode == "per_series" else
            f"{reason}; series of the intermittent classes take their class's model: ")
    return Choice(SELECTION, f"{text}series per model: {described}", future, how, best, rows,
                  ahead)


def selection_table(classes: pd.DataFrame, picked: Choice, short: Sequence[str],
                    baseline: str, by_series: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``forecast/selection.csv``: per series its demand class (``adi``, ``cv2``), the model
    of its future forecast, ``how`` it was chosen (``global``, ``class``, ``per_series``,
    ``gate`` — the baseline kept — or ``too short``), and ``metric`` with the chosen
    model's and the baseline's backtest value."""
    model = pd.concat([picked.future, pd.Series(baseline, index=list(short), dtype=object)])
    how = pd.concat([picked.how, pd.Series("too short", index=list(short), dtype=object)])
    table = classes.reindex(model.index).assign(model=model, how=how)
    table.index.name = "series_id"
    table = table.reset_index()
    values = by_series[by_series["metric"] == metric].set_index(["series_id", "model"])["value"]
    keys = pd.MultiIndex.from_arrays([table["series_id"], table["model"]])
    base = pd.MultiIndex.from_arrays([table["series_id"], [baseline] * len(table)])
    table["metric"] = metric
    table["value"] = values.reindex(keys).to_numpy()
    table["baseline_value"] = values.reindex(base).to_numpy()
    return table[["series_id", "demand_class", "adi", "cv2", "model", "how", "metric",
                  "value", "baseline_value"]]


def selection_summary(table: pd.DataFrame, picked: Choice, mode: str,
                      path: str) -> dict[str, object]:
    """The manifest entry ``forecast.selection``: which series went where."""
    by_class = table.groupby(["demand_class", "model"]).size()
    return {
        "mode": mode, "model": picked.best, "global_best": picked.global_best,
        "chosen": {str(k): int(v) for k, v in table["model"].value_counts().items()},
        "how": {str(k): int(v) for k, v in table["how"].value_counts().items()},
        "by_class": {str(c): {str(m): int(n) for m, n in group.droplevel(0).items()}
                     for c, group in by_class.groupby(level=0)},
        "file": path,
    }
