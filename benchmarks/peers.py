"""Forecasting against peers: salesforge and statsforecast / mlforecast on the same windows.

    python benchmarks/peers.py
        [--datasets synthetic,online_retail_weekly,online_retail_daily,superstore] [--windows 4]
        [--models lightgbm,xgboost,auto_theta,auto_ets,croston_optimized]
        [--peers seasonal_naive,auto_ets,auto_theta,mlforecast_lightgbm]
        [--series 3000] [--top 500] [--slow-above 1000] [--quick] [--data-dir DIR]

Every dataset is written as a sales CSV with canonical columns into a scratch folder (never
into the repository), then:

* **salesforge** runs through the real forecast stage (``salesforge.runner.run``: load,
  clean, forecast with backtest windows, intervals, selection, final fit and saved models):
  once with the default model set (its chosen model is the run's ``forecast.best``: the
  global best or the per-series selection), once per extra model of ``--models`` (the
  model alone, as its own baseline). Seconds are the forecast stage's.
* **peers** get the same series (``build_series`` of the run's clean data) and the same
  cutoffs: statsforecast's ``cross_validation`` (SeasonalNaive, AutoETS, AutoTheta) and
  mlforecast's ``cross_validation`` with LightGBM (``LGBMRegressor()`` defaults) on
  salesforge's default lags for the frequency (those shorter than half the first
  training window) plus date features, conformal intervals from two windows. Seconds
  are the backtest plus the final fit and forecast, as in the stage.

One function, :func:`score`, scores every model on the same rows: per series and window
the MASE (M4: MAE over the in-sample MAE of the seasonal naive on that window's training
part; the naive when the part is not longer than a season), the RMSSE (M5: RMSE over the
root mean squared one-step difference from the series' first sale on) and whether the
actual fell in the 80% interval; then the mean over windows per series and the mean over
series. Series whose scale is 0 in some window are left out for every model. Models that
forecast only some series (those the stage routes to intermittent-demand methods) are
scored on those, with the seasonal naive's MASE on the same rows as their reference.

Peers come from the optional ``bench`` extra: ``pip install -e ".[bench]"``. statsforecast
2.1 and mlforecast 1.1 declare pandas < 3; salesforge develops on pandas 3, where they run
(install them with ``--no-deps`` to keep pandas). Timings depend on the machine's load;
the script prints the load average before and after. Never used in tests.
"""

from __future__ import annotations

import os

# OpenMP threads (LightGBM's, XGBoost's) spin while they wait; on a machine shared with
# other work that made a 2-thread fit 10x slower than a 1-thread one. Passive waiting is
# set before anything loads OpenMP; it applies to salesforge and the peers alike.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import platform
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
LEVEL = 0.8
DATASETS = ("synthetic", "online_retail_weekly", "online_retail_daily", "superstore")
MODELS = ("lightgbm", "xgboost", "auto_theta", "auto_ets", "croston_optimized")
PEERS = ("seasonal_naive", "auto_ets", "auto_theta", "mlforecast_lightgbm")
#: Models whose cost grows fast with the number of series (skipped above --slow-above).
SLOW = ("auto_ets", "auto_arima")


@dataclass
class Dataset:
    """A benchmark panel: a canonical sales CSV and how to forecast it."""

    name: str
    path: Path
    freq: str
    horizon: int
    target: str
    by: list[str]
    note: str
    overrides: list[str] = field(default_factory=list)


# --- datasets: canonical sales CSVs in a scratch folder -----------------------------------


def synthetic(data_dir: Path, work: Path, options: argparse.Namespace) -> Dataset:
    from salesforge.data.weekly_panel import write_weekly_panel

    path, rows = write_weekly_panel(work / "synthetic.csv", n_series=options.series, seed=0)
    return Dataset("synthetic", path, "W", 13, "quantity", ["product"],
                   f"salesforge sample --panel {options.series} --seed 0: weekly units of "
                   f"{options.series} products, 143 weeks ({rows:,} rows)")


def _online_retail(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(data_dir / "online_retail" / "online_retail_full.csv.gz",
                      dtype={"StockCode": "string", "InvoiceNo": "string"})
    raw = raw[(raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)]
    return pd.DataFrame({
        "date": pd.to_datetime(raw["InvoiceDate"]), "product": raw["StockCode"],
        "category": "retail", "region": raw["Country"], "quantity": raw["Quantity"],
        "price": raw["UnitPrice"], "revenue": (raw["Quantity"] * raw["UnitPrice"]).round(2),
        "order_id": raw["InvoiceNo"]})


def online_retail_weekly(data_dir: Path, work: Path, options: argparse.Namespace) -> Dataset:
    """The ``--top`` products with the most revenue, chosen as a forecaster could choose them
    on the first backtest cutoff: from the weeks before it (``--top-by first-cutoff``), or
    from the whole year (``--top-by year``), which picks products for sales they make only
    inside the scored windows (launches, whose few earlier sales give near-zero scales)."""
    horizon = 8
    sales = _online_retail(data_dir)
    chosen = sales
    if options.top_by == "first-cutoff":
        weeks = sales["date"].dt.to_period("W-SUN").dt.end_time.dt.normalize()
        first_cutoff = weeks.max() - pd.Timedelta(weeks=options.windows * horizon)
        chosen = sales[weeks <= first_cutoff]
    best = chosen.groupby("product")["revenue"].sum().nlargest(options.top).index
    path = work / "online_retail_top.csv"
    sales[sales["product"].isin(best)].to_csv(path, index=False)
    period = "the weeks before the first cutoff" if options.top_by == "first-cutoff" \
        else "the whole year"
    return Dataset("online_retail_weekly", path, "W", horizon, "quantity", ["product"],
                   f"UCI Online Retail, weekly units of the {options.top} products with the "
                   f"most revenue in {period} (lines with quantity and price > 0), 54 weeks")


def online_retail_daily(data_dir: Path, work: Path, options: argparse.Namespace) -> Dataset:
    path = work / "online_retail.csv"
    _online_retail(data_dir).to_csv(path, index=False)
    return Dataset("online_retail_daily", path, "D", 28, "revenue", ["region"],
                   "UCI Online Retail, daily revenue by country (38), 374 days, no Saturdays")


def superstore(data_dir: Path, work: Path, options: argparse.Namespace) -> Dataset:
    raw = pd.read_csv(data_dir / "superstore" / "sample_superstore.csv", encoding="utf-8-sig")
    path = work / "superstore.csv"
    pd.DataFrame({
        "date": pd.to_datetime(raw["Order Date"], format="%d/%m/%y"),
        "product": raw["Product ID"], "category": raw["Sub-Category"], "region": raw["Region"],
        "quantity": raw["Quantity"], "price": (raw["Sales"] / raw["Quantity"]).round(4),
        "revenue": raw["Sales"], "order_id": raw["Order ID"]}).to_csv(path, index=False)
    return Dataset("superstore", path, "W", 13, "revenue", ["category", "region"],
                   "Tableau Superstore (demo data), weekly sales by sub-category x region "
                   "(68 series), 209 weeks")


PREPARE: dict[str, Callable[[Path, Path, argparse.Namespace], Dataset]] = {
    "synthetic": synthetic, "online_retail_weekly": online_retail_weekly,
    "online_retail_daily": online_retail_daily, "superstore": superstore}
NEEDS = {"online_retail_weekly": "online_retail/online_retail_full.csv.gz",
         "online_retail_daily": "online_retail/online_retail_full.csv.gz",
         "superstore": "superstore/sample_superstore.csv"}


# --- salesforge through the forecast stage ------------------------------------------------


@dataclass
class Result:
    """One model's backtest rows (series_id, cutoff, ds, y_pred, y_lo, y_hi) and seconds."""

    name: str
    source: str
    rows: pd.DataFrame
    seconds: float | None
    note: str = ""


def run_salesforge(data: Dataset, windows: int, work: Path, extra: list[str]) -> dict:
    """A real ``salesforge.runner.run`` (load, clean, forecast) of ``data``; returns the
    manifest, the backtest rows and the run folder."""
    from salesforge.composition import compose
    from salesforge.config import register_component_configs
    from salesforge.plugin.manager import build_plugin_manager
    from salesforge.runner import run

    plugins = build_plugin_manager()
    register_component_configs(plugins.registry)
    overrides = [f"data.path={data.path}", f"forecast.freq={data.freq}",
                 f"forecast.horizon={data.horizon}", f"forecast.target={data.target}",
                 f"forecast.by=[{','.join(data.by)}]", f"backtest.windows={windows}",
                 f"forecast.interval_level={LEVEL}", "stages.features=false",
                 "stages.segment=false", "stages.detect=false", "stages.analytics=false",
                 "stages.report=false", *data.overrides, *extra]
    cfg = compose(overrides)
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run(cfg, folder, plugins)
    manifest = result.manifest
    if manifest["status"] != "ok":
        raise RuntimeError(f"salesforge run failed: {manifest.get('error')}")
    backtest = pd.read_csv(folder / "forecast" / "backtest.csv",
                           parse_dates=["cutoff", "ds"], dtype={"series_id": "string"})
    return {"manifest": manifest, "backtest": backtest, "folder": folder,
            "seconds": float(manifest["timings"]["forecast"]),
            "forecasters": list(dict(cfg.forecaster or {}))}


def salesforge_results(run: dict) -> list[Result]:
    """The backtest rows of every model of a run; the chosen one (``forecast.best``)
    carries the stage's seconds; models the stage added for intermittent series are
    marked ``(routed)``."""
    backtest, best = run["backtest"], run["manifest"]["forecast"]["best"]
    out = []
    for name, rows in backtest.groupby("model", sort=False):
        label = " (chosen)" if name == best else ""
        if name not in run["forecasters"] and name != best:
            label = " (routed)"
        out.append(Result(f"{name}{label}", "salesforge", rows,
                          run["seconds"] if name == best else None))
    return out


def series_of(run: dict, data: Dataset) -> pd.DataFrame:
    """The tidy series the stage built, rebuilt from the run's clean data."""
    from salesforge.forecast.series import build_series

    clean = pd.read_parquet(run["folder"] / "data" / "clean.parquet")
    series = build_series(clean, data.target, data.freq, data.by, "zero")
    return series.astype({"series_id": "string"})


# --- peers -----------------------------------------------------------------------------


def _peer_rows(cv: pd.DataFrame, column: str) -> pd.DataFrame:
    pct = round(LEVEL * 100)
    out = pd.DataFrame({"series_id": cv["unique_id"].astype("string"),
                        "cutoff": pd.to_datetime(cv["cutoff"]), "ds": pd.to_datetime(cv["ds"]),
                        "y_pred": cv[column].to_numpy("float64")})
    if f"{column}-lo-{pct}" in cv:
        out["y_lo"] = cv[f"{column}-lo-{pct}"].to_numpy("float64")
        out["y_hi"] = cv[f"{column}-hi-{pct}"].to_numpy("float64")
    return out


def run_statsforecast(name: str, series: pd.DataFrame, data: Dataset,
                      windows: int) -> Result:
    """statsforecast's cross-validation of one model, then its final forecast."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive, SeasonalNaive

    from salesforge.forecast.seasonality import season_length

    m = season_length(data.freq)
    model = {"seasonal_naive": lambda: SeasonalNaive(season_length=m),
             "auto_ets": lambda: AutoETS(season_length=m),
             "auto_theta": lambda: AutoTheta(season_length=m)}[name]()
    df = series.rename(columns={"series_id": "unique_id"})
    engine = StatsForecast(models=[model], freq=data.freq, n_jobs=-1, fallback_model=Naive())
    level = [round(LEVEL * 100)]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = engine.cross_validation(df=df, h=data.horizon, n_windows=windows,
                                     step_size=data.horizon, level=level)
        engine.forecast(df=df, h=data.horizon, level=level)
    seconds = time.perf_counter() - started
    return Result(f"statsforecast {type(model).__name__}", "peer", _peer_rows(cv, repr(model)),
                  seconds)


def _week_of_year(dates: pd.DatetimeIndex) -> np.ndarray:
    return pd.DatetimeIndex(dates).isocalendar().week.to_numpy("int64")


def run_mlforecast(series: pd.DataFrame, data: Dataset, windows: int) -> Result:
    """mlforecast with LightGBM's defaults on salesforge's default lags (those shorter than
    half of the first training window) and date features; conformal intervals."""
    from lightgbm import LGBMRegressor
    from mlforecast import MLForecast
    from mlforecast.utils import PredictionIntervals

    from salesforge.forecast.lag_model import default_lags

    periods = series["ds"].nunique()
    first_train = periods - windows * data.horizon
    lags = [lag for lag in default_lags(data.freq) if lag <= first_train // 2]
    features = ["dayofweek", "month"] if data.freq == "D" else ["month", _week_of_year]
    df = series.rename(columns={"series_id": "unique_id"})
    level = [round(LEVEL * 100)]
    started = time.perf_counter()

    def engine() -> MLForecast:
        return MLForecast(models={"lgbm": LGBMRegressor(verbosity=-1)}, freq=data.freq,
                          lags=lags, date_features=features)

    intervals = PredictionIntervals(n_windows=2, h=data.horizon)
    note = f"lags {lags}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cv = engine().cross_validation(df=df, n_windows=windows, h=data.horizon,
                                           step_size=data.horizon, level=level,
                                           prediction_intervals=intervals)
        except ValueError as error:  # too little history for the conformal windows
            note += f"; no intervals ({error})"
            intervals = None
            cv = engine().cross_validation(df=df, n_windows=windows, h=data.horizon,
                                           step_size=data.horizon)
        final = engine().fit(df, prediction_intervals=intervals)
        final.predict(data.horizon, level=level if intervals else None)
    seconds = time.perf_counter() - started
    return Result("mlforecast LightGBM", "peer", _peer_rows(cv, "lgbm"), seconds, note)


# --- one scoring function for every model -------------------------------------------------


def window_scales(series: pd.DataFrame, cutoffs: list[pd.Timestamp], m: int) -> pd.DataFrame:
    """Per (series_id, cutoff): ``mase`` (the in-sample MAE of the seasonal naive on the
    training part, lag 1 when it is not longer than ``m``) and ``rmsse`` (the mean squared
    one-step difference from the series' first non-zero value on)."""
    table = series.pivot(index="series_id", columns="ds", values="y").sort_index(axis=1)
    values = table.to_numpy("float64")
    dates = table.columns
    frames = []
    for cutoff in cutoffs:
        train = values[:, : int(dates.searchsorted(cutoff, side="right"))]
        lag = m if train.shape[1] > m else 1
        mase = np.nanmean(np.abs(train[:, lag:] - train[:, :-lag]), axis=1)
        started = np.maximum.accumulate(train != 0, axis=1)[:, :-1]
        steps = np.where(started, np.diff(train, axis=1) ** 2, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # never sold: all NaN
            rmsse = np.nanmean(steps, axis=1)
        frames.append(pd.DataFrame({"series_id": table.index.astype("string"),
                                    "cutoff": cutoff, "mase": mase, "rmsse": rmsse}))
    return pd.concat(frames, ignore_index=True)


def score(rows: pd.DataFrame, series: pd.DataFrame, scales: pd.DataFrame) -> dict[str, float]:
    """Mean over series of each series' mean over windows of MASE and RMSSE, and the share
    of actuals inside [y_lo, y_hi]; only rows whose series has positive scales."""
    rows = rows[[c for c in ("series_id", "cutoff", "ds", "y_pred", "y_lo", "y_hi")
                 if c in rows]]  # the actuals come from the series, the same for everyone
    merged = rows.merge(series.rename(columns={"y": "y_true"}), on=["series_id", "ds"]) \
        .merge(scales, on=["series_id", "cutoff"])
    valid = (merged["mase"] > 0) & (merged["rmsse"] > 0)
    merged = merged[valid]
    error = merged["y_true"] - merged["y_pred"]
    keys = [merged["series_id"], merged["cutoff"]]
    per_window = pd.DataFrame({
        "mase": error.abs().groupby(keys).mean() / merged.groupby(keys)["mase"].first(),
        "rmsse": np.sqrt((error ** 2).groupby(keys).mean()
                         / merged.groupby(keys)["rmsse"].first())})
    per_series = per_window.groupby(level=0).mean()
    coverage = np.nan
    if "y_lo" in merged and merged["y_lo"].notna().any():
        known = merged["y_lo"].notna() & merged["y_hi"].notna()
        inside = (merged["y_true"] >= merged["y_lo"]) & (merged["y_true"] <= merged["y_hi"])
        coverage = float(inside[known].mean())
    return {"mase": float(per_series["mase"].mean()), "rmsse": float(per_series["rmsse"].mean()),
            "coverage": coverage, "series": len(per_series)}


# --- one dataset ---------------------------------------------------------------------------


def benchmark(data: Dataset, options: argparse.Namespace, work: Path) -> pd.DataFrame:
    from salesforge.forecast.seasonality import season_length

    results: list[Result] = []
    default = run_salesforge(data, options.windows, work, [])
    set_name = "+".join(default["forecasters"])
    results += salesforge_results(default)
    series = series_of(default, data)
    n_series = series["series_id"].nunique()
    cutoffs = sorted(default["backtest"]["cutoff"].unique())
    print(f"\n## {data.name}: {data.note}\n{n_series} series x {series['ds'].nunique()} "
          f"periods ({data.freq}), {len(cutoffs)} windows of {data.horizon}; default set "
          f"{set_name}: forecast stage {default['seconds']:.1f} s, chosen "
          f"{default['manifest']['forecast']['best']}", flush=True)
    for name in options.models:
        if name in default["forecasters"]:
            continue
        if name in SLOW and n_series > options.slow_above:
            print(f"  skipped salesforge {name}: {n_series} series > --slow-above", flush=True)
            continue
        alone = run_salesforge(data, options.windows, work,
                               [f"forecaster=[{name}]", f"forecast.baseline={name}",
                                "forecast.intermittent=[]"])
        rows = alone["backtest"][alone["backtest"]["model"] == name]
        results.append(Result(name, "salesforge", rows, alone["seconds"]))
        print(f"  salesforge {name}: {alone['seconds']:.1f} s", flush=True)
    for name in options.peers:
        if name in SLOW and n_series > options.slow_above:
            print(f"  skipped peer {name}: {n_series} series > --slow-above", flush=True)
            continue
        result = run_mlforecast(series, data, options.windows) if name == "mlforecast_lightgbm" \
            else run_statsforecast(name, series, data, options.windows)
        peer_cutoffs = sorted(result.rows["cutoff"].unique())
        if peer_cutoffs != cutoffs:
            raise RuntimeError(f"{result.name} used cutoffs {peer_cutoffs}, not {cutoffs}")
        results.append(result)
        print(f"  {result.name}: {result.seconds:.1f} s", flush=True)

    scales = window_scales(series, [pd.Timestamp(c) for c in cutoffs], season_length(data.freq))
    naive = next((r for r in results if r.name.startswith("seasonal_naive")), None)
    table = []
    for result in results:
        figures = score(result.rows, series, scales)
        reference = np.nan
        if naive is not None:  # the seasonal naive on the very same rows
            keys = result.rows[["series_id", "cutoff", "ds"]]
            reference = score(naive.rows.merge(keys, on=["series_id", "cutoff", "ds"]),
                              series, scales)["mase"]
        table.append({"model": result.name, "by": result.source, **figures,
                      "vs_naive": figures["mase"] / reference, "seconds": result.seconds,
                      "note": result.note})
    frame = pd.DataFrame(table)
    full = frame["series"].max()
    frame.loc[frame["series"] < full, "note"] += frame["series"].map(
        lambda n: f" only the {n} of {full} series routed to it; × naive on those")
    return frame


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| model | by | MASE | × seasonal naive | RMSSE | coverage 80% | seconds | note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in frame.sort_values("mase").itertuples():
        seconds = "" if row.seconds is None or pd.isna(row.seconds) else f"{row.seconds:.1f}"
        coverage = "" if pd.isna(row.coverage) else f"{row.coverage:.2f}"
        lines.append(f"| {row.model} | {row.by} | {row.mase:.3f} | {row.vs_naive:.3f} | "
                     f"{row.rmsse:.3f} | {coverage} | {seconds} | {row.note.strip()} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--models", default=",".join(MODELS),
                        help="salesforge models run alone besides the default set")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--series", type=int, default=3000, help="synthetic panel series")
    parser.add_argument("--top", type=int, default=500, help="Online Retail products")
    parser.add_argument("--top-by", choices=("first-cutoff", "year"), default="first-cutoff",
                        help="choose the Online Retail products by revenue before the first "
                             "backtest cutoff (no look-ahead) or over the whole year")
    parser.add_argument("--slow-above", type=int, default=1000,
                        help=f"skip {', '.join(SLOW)} on panels with more series")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: 300 synthetic series, 100 products, 2 windows, "
                             "AutoETS only below 100 series")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=None, help="also write the table (CSV)")
    options = parser.parse_args()
    if options.quick:
        options.series, options.top, options.windows = 300, 100, 2
        options.slow_above = min(options.slow_above, 100)
    options.models = [m for m in options.models.split(",") if m]
    options.peers = [p for p in options.peers.split(",") if p]
    print(f"# salesforge against peers\n{platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, OMP_WAIT_POLICY="
          f"{os.environ['OMP_WAIT_POLICY']}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="salesforge-peers-"))
    tables = []
    try:
        for name in options.datasets.split(","):
            needed = NEEDS.get(name)
            if needed and not (options.data_dir / needed).is_file():
                print(f"\n## {name}: skipped, {options.data_dir / needed} is missing")
                continue
            data = PREPARE[name](options.data_dir, work, options)
            frame = benchmark(data, options, work)
            print(markdown(frame), flush=True)
            tables.append(frame.assign(dataset=name))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if options.out and tables:
        pd.concat(tables, ignore_index=True).to_csv(options.out, index=False)


if __name__ == "__main__":
    main()
