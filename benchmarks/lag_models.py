"""Accuracy and speed of the global lag models on real weekly retail panels.

    python benchmarks/lag_models.py [--panel superstore|online_retail|synthetic]
        [--models seasonal_naive,linear,xgboost] [--set xgboost.strategy=direct ...]
        [--horizon 13] [--windows 4] [--series N]

For each panel: rolling-origin backtest (``--windows`` windows of ``--horizon`` weeks, one
``--horizon`` apart), one fresh fit per window, and per model the mean over series and
windows of each series' MASE (M4 convention: scaled by the seasonal-naive MAE of the
window's own training part, the naive MAE when it is not longer than a season; series
whose scale is 0 are left out), its per-window means, the median, its ratio to the
seasonal naive's, the seconds of fit + predict over all windows plus a final fit +
predict on the whole panel (the forecast stage's work for one model, in this process) and
how many series the divergence guard replaced in that final forecast (``diverged``).
Panels (loaded with pandas; nothing is written):

* ``superstore``: Superstore (Tableau's demo data) weekly sales by sub-category x region;
* ``online_retail``: UCI Online Retail weekly revenue of the 500 best-selling products
  (lines with a positive quantity and price);
* ``synthetic``: ``--series`` (3,000) weekly series of 143 weeks with level shifts,
  yearly seasonality, holiday spikes and a share of intermittent series.

Never used in tests; timings depend on the machine's load (print ``uptime`` with them).
"""

from __future__ import annotations

import argparse
import ast
import time
from pathlib import Path

import numpy as np
import pandas as pd

from salesforge.forecast.backtest import backtest_windows, cutoffs
from salesforge.forecast.seasonality import season_length
from salesforge.plugin.manager import build_plugin_manager

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
FREQ = "W-SUN"


def _weekly(frame: pd.DataFrame) -> pd.DataFrame:
    """series_id, ds, y summed per week, every series on the same grid (0 without sales)."""
    frame = frame.assign(ds=frame["ds"].dt.to_period(FREQ).dt.end_time.dt.normalize())
    table = frame.pivot_table(index="series_id", columns="ds", values="y", aggfunc="sum",
                              fill_value=0.0)
    grid = pd.date_range(table.columns.min(), table.columns.max(), freq=FREQ)
    table = table.reindex(columns=grid, fill_value=0.0)
    long = table.stack().rename("y").reset_index()
    long.columns = ["series_id", "ds", "y"]
    return long.astype({"series_id": "string", "y": "float64"})


def superstore() -> pd.DataFrame:
    raw = pd.read_csv(DATASETS / "superstore" / "sample_superstore.csv", encoding="utf-8-sig",
                      usecols=["Order Date", "Sub-Category", "Region", "Sales"])
    return _weekly(pd.DataFrame({
        "series_id": raw["Sub-Category"] + " | " + raw["Region"],
        "ds": pd.to_datetime(raw["Order Date"], format="%d/%m/%y"), "y": raw["Sales"]}))


def online_retail(top: int = 500) -> pd.DataFrame:
    raw = pd.read_csv(DATASETS / "online_retail" / "online_retail_full.csv.gz",
                      usecols=["StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
                      dtype={"StockCode": "string"})
    raw = raw[(raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)]
    revenue = raw["Quantity"] * raw["UnitPrice"]
    best = revenue.groupby(raw["StockCode"]).sum().nlargest(top).index
    keep = raw["StockCode"].isin(best)
    return _weekly(pd.DataFrame({"series_id": raw.loc[keep, "StockCode"],
                                 "ds": pd.to_datetime(raw.loc[keep, "InvoiceDate"]),
                                 "y": revenue[keep]}))


def synthetic(n_series: int = 3000, weeks: int = 143, seed: int = 0) -> pd.DataFrame:
    """Weekly panel: log-normal levels, a level shift in a third of the series, yearly
    seasonality with a random phase and strength, a spike before Christmas, noise and 20%
    intermittent series (mostly zero weeks)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2021-01-03", periods=weeks, freq=FREQ)
    t = np.arange(weeks)
    level = rng.lognormal(6, 1.2, (n_series, 1))
    shift_at = rng.integers(20, weeks - 10, (n_series, 1))
    shifted = rng.random((n_series, 1)) < 0.33
    shift = np.where(shifted & (t >= shift_at), rng.lognormal(0, 0.4, (n_series, 1)), 1.0)
    phase = rng.uniform(0, 2 * np.pi, (n_series, 1))
    season = 1 + rng.uniform(0, 0.5, (n_series, 1)) * np.sin(2 * np.pi * t / 52.18 + phase)
    week = ds.isocalendar().week.to_numpy().astype(int)
    spike = 1 + rng.uniform(0, 1.5, (n_series, 1)) * np.isin(week, [50, 51])
    trend = 1 + rng.normal(0, 0.15, (n_series, 1)) * t / 52
    y = level * shift * season * spike * np.clip(trend, 0.2, None)
    y = y * rng.lognormal(0, 0.25, (n_series, weeks))
    sparse = rng.random(n_series) < 0.2
    y[sparse] *= rng.random((int(sparse.sum()), weeks)) < 0.25
    ids = pd.array([f"s{i:05d}" for i in range(n_series)], dtype="string")
    return pd.DataFrame({"series_id": np.repeat(ids, weeks), "ds": np.tile(ds, n_series),
                         "y": y.ravel()})


PANELS = {"superstore": superstore, "online_retail": online_retail, "synthetic": synthetic}


def window_scale(train: pd.DataFrame, m: int) -> pd.Series:
    """Per series, the in-sample MAE of the seasonal naive (naive when too short)."""
    table = train.pivot(index="series_id", columns="ds", values="y").to_numpy()
    lag = m if table.shape[1] > m else 1
    return pd.Series(np.nanmean(np.abs(table[:, lag:] - table[:, :-lag]), axis=1),
                     index=train.pivot(index="series_id", columns="ds", values="y").index)


def mase_table(scored: pd.DataFrame, scales: dict) -> pd.Series:
    """Per (cutoff, series) MASE."""
    errors = (scored["y_true"] - scored["y_pred"]).abs()
    mae = errors.groupby([scored["cutoff"], scored["series_id"]]).mean()
    scale = pd.Series([scales[c][s] for c, s in mae.index], index=mae.index)
    return (mae / scale.where(scale > 0)).dropna()


def run(panel: pd.DataFrame, models: list[str], settings: dict, horizon: int,
        windows: int) -> pd.DataFrame:
    pm = build_plugin_manager()
    m = season_length(FREQ)
    points = cutoffs(panel, horizon, windows, horizon)
    scales = {c: window_scale(panel[panel["ds"] <= c], m) for c in points}
    rows = []
    for name in models:
        params = settings.get(name, {})
        started = time.perf_counter()
        scored = pd.concat(backtest_windows(lambda n=name, p=params: pm.create(
            "forecaster", n, p), panel, FREQ, horizon, points), ignore_index=True)
        final = pm.create("forecaster", name, params).fit(panel, FREQ)  # the stage's 5th fit
        final.predict(horizon)
        seconds = time.perf_counter() - started
        per = mase_table(scored, scales)
        by_window = per.groupby(level=0).mean().round(3).tolist()
        rows.append({"model": name + (f" {params}" if params else ""), "mase": per.mean(),
                     "windows": by_window, "median": per.median(), "seconds": seconds,
                     "diverged": len(getattr(final, "diverged_series_", []))})
        print(f"  {rows[-1]['model']:<60} MASE {per.mean():.3f}  {by_window}  "
              f"{seconds:6.1f} s", flush=True)
    table = pd.DataFrame(rows)
    naive = table.loc[table["model"] == "seasonal_naive", "mase"]
    if len(naive):
        table["vs_naive"] = table["mase"] / naive.iloc[0]
    return table


def _settings(pairs: list[str]) -> dict:
    out: dict = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        model, name = key.split(".", 1)
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        out.setdefault(model, {})[name] = parsed
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default="superstore,online_retail")
    parser.add_argument("--models", default="seasonal_naive,linear,random_forest,xgboost")
    parser.add_argument("--set", nargs="*", default=[], help="model.setting=value")
    parser.add_argument("--horizon", type=int, default=13)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--series", type=int, default=3000)
    options = parser.parse_args()
    settings = _settings(options.set)
    for name in options.panel.split(","):
        panel = synthetic(options.series) if name == "synthetic" else PANELS[name]()
        print(f"{name}: {panel['series_id'].nunique()} series x {panel['ds'].nunique()} weeks, "
              f"{options.windows} windows of {options.horizon}", flush=True)
        table = run(panel, options.models.split(","), settings, options.horizon,
                    options.windows)
        print(table.to_string(index=False, float_format="%.3f"), flush=True)


if __name__ == "__main__":
    main()
