"""Time the forecast engine: backtest every family on the sample data, then fit + forecast
a synthetic panel.

    python benchmarks/forecast.py [--windows 2] [--horizon 28] [--panel 1000]

Prints, per model, seconds to backtest the sample's total daily revenue and its
per-product series (``backtest.windows`` fits each, default settings) with MASE against
the seasonal naive; the all-family total; then series/s for a fit + forecast of a
``--panel``-series synthetic daily panel (Prophet, being local, on ``--prophet-panel``
series). Never used in tests.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from salesforge.forecast.backtest import backtest, cutoffs, naive_scale, score
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import synthetic_panel

FAMILIES = ("seasonal_naive", "linear", "random_forest", "xgboost", "prophet")


def time_backtests(pm, series: pd.DataFrame, label: str, horizon: int, windows: int,
                   names: list[str]) -> float:
    points = cutoffs(series, horizon, windows, horizon)
    scale = naive_scale(series, points[0], "D")
    total, naive = 0.0, None
    for name in names:
        started = time.perf_counter()
        scored = backtest(lambda n=name: pm.create("forecaster", n, {}), series, "D", horizon,
                          windows)
        seconds = time.perf_counter() - started
        total += seconds
        mase = score(scored, scale)["mase"]
        naive = mase if name == "seasonal_naive" else naive
        print(f"  {label:<12} {name:<15} {seconds:7.2f} s   MASE {mase:.3f}   "
              f"vs naive {mase / naive:.3f}")
    print(f"  {label:<12} {'all families':<15} {total:7.2f} s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--windows", type=int, default=2)
    parser.add_argument("--panel", type=int, default=1000)
    parser.add_argument("--prophet-panel", type=int, default=50)
    options = parser.parse_args()
    pm = build_plugin_manager()
    names = [n for n in FAMILIES if ("forecaster", n) in pm.registry]
    print(f"backtests: horizon {options.horizon}, {options.windows} windows; models {names}")
    time_backtests(pm, sample_series(), "total", options.horizon, options.windows, names)
    products = sample_series(by=["product"])
    time_backtests(pm, products, f"{products['series_id'].nunique()} products",
                   options.horizon, options.windows, names)
    print(f"fit + {options.horizon}-day forecast of a synthetic daily panel (365 days):")
    for name in names:
        n = options.prophet_panel if name == "prophet" else options.panel
        panel = synthetic_panel(n)
        started = time.perf_counter()
        pm.create("forecaster", name, {}).fit(panel, "D").predict(options.horizon)
        seconds = time.perf_counter() - started
        print(f"  {name:<15} {n:5d} series {seconds:7.2f} s   {n / seconds:8.1f} series/s")


if __name__ == "__main__":
    main()
