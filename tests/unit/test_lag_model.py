"""The global lag models' strategies, transforms, scaling and divergence guard: leak-free
per strategy, the guard stopping a linear recursion that diverges on a real panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.backtest import backtest, cutoffs
from salesforge.forecast.lag_model import (
    GlobalLagForecaster,
    default_direct_steps,
    default_scale_window,
)
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.persistence import load_model, save_model
from salesforge.forecast.random_forest import RandomForestForecaster
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import example_series

#: Small forests: the same code paths in a fraction of the time.
FOREST = {"n_estimators": 15, "n_jobs": 1}


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return example_series("W")


def _scramble_after(frame: pd.DataFrame, cutoff: pd.Timestamp, seed: int = 0) -> pd.DataFrame:
    out = frame.copy()
    after = out["ds"] > cutoff
    out.loc[after, "y"] = np.random.default_rng(seed).permutation(
        out.loc[after, "y"].to_numpy()) * 7.0 + 1e6
    return out


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
@pytest.mark.parametrize("variant", [{"target_transform": "log1p"},
                                     {"normalize": "window", "target_transform": "diff"}],
                         ids=["log1p", "window-diff"])
@pytest.mark.parametrize("make", [
    lambda **kw: LinearForecaster(**kw),
    lambda **kw: RandomForestForecaster(**FOREST, **kw),
], ids=["linear", "random_forest"])
def test_future_actuals_never_leak(weekly, strategy, variant, make):
    """Scrambling every actual after a cutoff leaves that window's forecasts bit for bit
    unchanged (and the next window, which trains on them, changes)."""
    horizon, windows = 13, 2
    points = cutoffs(weekly, horizon, windows, horizon)
    settings = {"strategy": strategy, **variant}
    honest = backtest(lambda: make(**settings), weekly, "W", horizon, windows)
    tampered = backtest(lambda: make(**settings), _scramble_after(weekly, points[0]), "W",
                        horizon, windows)
    first = honest["cutoff"] == points[0]
    np.testing.assert_array_equal(tampered.loc[first, "y_pred"], honest.loc[first, "y_pred"])
    assert not np.allclose(tampered.loc[first, "y_true"], honest.loc[first, "y_true"])
    assert not np.allclose(tampered.loc[~first, "y_pred"], honest.loc[~first, "y_pred"])


class _Shifted:
    """A fitted regressor whose output is moved by ``shift`` (to see who reads it)."""

    def __init__(self, inner, shift: float) -> None:
        self.inner, self.shift = inner, shift

    def predict(self, design: np.ndarray) -> np.ndarray:
        return self.inner.predict(design) + self.shift


def test_direct_steps_read_only_values_up_to_the_origin(weekly):
    """Under direct, no step of the first block reads an earlier step's forecast: moving
    the step-1 model's output changes step 1 only. Recursive steps do read it."""
    direct = LinearForecaster(strategy="direct", guard=None).fit(weekly, "W")
    assert direct.offsets_ == default_direct_steps("W") == [1, 2, 4, 8, 13]
    assert len(direct.model_) == 5
    before = direct.predict(13)
    direct.model_[0] = _Shifted(direct.model_[0], 5.0)
    after = direct.predict(13)
    moved = ~np.isclose(after["y_pred"], before["y_pred"])
    np.testing.assert_array_equal(moved, before["step"] == 1)
    # beyond the last group (13) the next block starts from the forecasts: step 14 reads
    # step 13's
    longer = LinearForecaster(strategy="direct", guard=None).fit(weekly, "W")
    plain = longer.predict(15)
    longer.model_[4] = _Shifted(longer.model_[4], 5.0)
    shifted = longer.predict(15)
    assert not np.allclose(shifted.loc[shifted["step"] == 14, "y_pred"],
                           plain.loc[plain["step"] == 14, "y_pred"])

    recursive = LinearForecaster(guard=None).fit(weekly, "W")
    assert recursive.offsets_ == [1] and not isinstance(recursive.model_, list)
    before = recursive.predict(13)
    recursive.model_ = _Shifted(recursive.model_, 5.0)
    after = recursive.predict(13)
    assert not np.isclose(after["y_pred"], before["y_pred"])[before["step"] > 1].any()


def test_recursive_windows_are_recomputed_from_the_buffer(weekly):
    """A recursive step h equals the one-step model applied to the training data followed
    by the forecasts of steps < h (rolling means and deviations included)."""
    horizon = 8
    cutoff = cutoffs(weekly, horizon, 1, horizon)[0]
    train = weekly[weekly["ds"] <= cutoff]
    model = LinearForecaster(normalize="series", target_transform="none", guard=None).fit(
        train, "W")  # so that the regressor's output times scale_ is the forecast
    forecast = model.predict(horizon)
    extended = pd.concat([train, forecast.rename(columns={"y_pred": "y"})[
        ["series_id", "ds", "y"]]], ignore_index=True)
    rows = extended.index[len(train):]
    design = model.features(extended).loc[rows].to_numpy("float32")
    scale = extended.loc[rows, "series_id"].map(model.scale_).to_numpy("float64")
    np.testing.assert_allclose(model.model_.predict(design) * scale, forecast["y_pred"],
                               rtol=1e-5)
    assert {"mean_4", "std_4", "mean_13", "season_mean"} <= set(model.feature_names_)


@pytest.mark.parametrize("settings", [
    {"target_transform": "none"}, {"target_transform": "log1p"},
    {"target_transform": "diff"}, {"normalize": "series"},
    {"strategy": "direct", "direct_steps": [1, 3]}])
def test_settings_give_finite_scale_equivariant_forecasts(weekly, settings):
    model = RandomForestForecaster(**FOREST, **settings).fit(weekly, "W")
    forecast = model.predict(6)
    assert np.isfinite(forecast["y_pred"]).all() and (forecast["y_pred"] >= 0).all()
    doubled = RandomForestForecaster(**FOREST, **settings).fit(
        weekly.assign(y=weekly["y"] * 2), "W").predict(6)
    np.testing.assert_allclose(doubled["y_pred"], forecast["y_pred"] * 2, rtol=1e-5)


def test_the_level_is_recent_not_the_whole_history():
    """After a level shift the scale is the new level: the newest scaled values are near
    1 (the whole-history mean would put them near 2)."""
    ds = pd.date_range("2021-01-03", periods=150, freq="W")
    rng = np.random.default_rng(3)
    y = np.where(np.arange(150) < 100, 100.0, 400.0) * rng.lognormal(0, 0.05, 150)
    frame = pd.DataFrame({"series_id": "s", "ds": ds, "y": y})
    model = LinearForecaster().fit(frame, "W")
    assert model.scale_window_ == default_scale_window("W") == 52
    assert model.scale_["s"] == pytest.approx(np.abs(y[-52:]).mean())
    assert model.scale_["s"] > 1.8 * np.abs(y).mean()
    np.testing.assert_allclose(model.history_[0, -20:], 1.0, atol=0.25)


def test_a_late_launch_is_forecast_from_its_own_sales():
    """Zeros before a product's first sale are no history: its level is its sales."""
    ds = pd.date_range("2022-01-02", periods=80, freq="W")
    old = 200.0 + 20 * np.sin(np.arange(80))
    new = np.where(np.arange(80) < 70, 0.0, 50.0)
    frame = pd.DataFrame({"series_id": np.repeat(["old", "new"], 80),
                          "ds": np.tile(ds, 2), "y": np.concatenate([old, new])})
    model = RandomForestForecaster(**FOREST).fit(frame, "W")
    assert model.scale_["new"] == pytest.approx(50.0)
    new_forecast = model.predict(4).query("series_id == 'new'")["y_pred"]
    assert new_forecast.between(25, 100).all()


def test_bad_settings_are_refused_when_fitting(weekly):
    for settings, message in [({"strategy": "sideways"}, "strategy must be one of"),
                              ({"target_transform": "sqrt"}, "target_transform must be"),
                              ({"normalize": "global"}, "normalize must be one of"),
                              ({"direct_steps": [0, 2], "strategy": "direct"},
                               "direct_steps must be at least 1"),
                              ({"windows": [-1]}, "windows must be at least 1"),
                              ({"guard": -1.0}, "guard must be at least 0"),
                              ({"scale_window": 0}, "scale_window must be at least 1")]:
        model = LinearForecaster(**settings)  # stored unchanged, checked when used
        with pytest.raises(ValueError, match=message):
            model.fit(weekly, "W")


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_saved_models_predict_the_same(weekly, tmp_path, strategy):
    registry = build_plugin_manager().registry
    for name, model in [("linear", LinearForecaster(strategy=strategy)),
                        ("random_forest", RandomForestForecaster(**FOREST,
                                                                 strategy=strategy))]:
        model.fit(weekly, "W")
        save_model(model, name, tmp_path / name, {"freq": "W"})
        loaded, _ = load_model(tmp_path / name, registry)
        pd.testing.assert_frame_equal(loaded.predict(13), model.predict(13))


# --- the divergence guard on a real panel -------------------------------------------------


@pytest.fixture(scope="module")
def retail(shared_dataset) -> pd.DataFrame:
    """UCI Online Retail: weekly revenue of its 100 best-selling products (CC0)."""
    raw = pd.read_csv(shared_dataset("online_retail/online_retail_full.csv.gz"),
                      usecols=["StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
                      dtype={"StockCode": "string"})
    raw = raw[(raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)]
    revenue = raw["Quantity"] * raw["UnitPrice"]
    best = revenue.groupby(raw["StockCode"]).sum().nlargest(100).index
    keep = raw["StockCode"].isin(best)
    week = pd.to_datetime(raw.loc[keep, "InvoiceDate"]).dt.to_period("W-SUN").dt.end_time
    table = revenue[keep].groupby([raw.loc[keep, "StockCode"], week.dt.normalize()]).sum()
    table = table.unstack(fill_value=0.0)
    table = table.reindex(columns=pd.date_range(table.columns.min(), table.columns.max(),
                                                freq="W-SUN"), fill_value=0.0)
    long = table.stack().rename("y").reset_index()
    long.columns = ["series_id", "ds", "y"]
    return long


def test_the_guard_stops_a_linear_recursion_that_diverges_on_real_data(retail):
    """Issue #15's linear lags on Online Retail (28 weeks of history): unguarded, the
    recursion runs away to over five times some products' highest week; guarded, those
    series are found, forecast by their recent mean, and the error drops."""
    cutoff = pd.Timestamp("2011-06-12")
    train = retail[retail["ds"] <= cutoff]
    actual = retail[(retail["ds"] > cutoff)].set_index(["series_id", "ds"])["y"]
    lags = [1, 2, 3, 4, 13, 26, 52]
    free = LinearForecaster(lags=lags, guard=None).fit(train, "W")
    guarded = LinearForecaster(lags=lags).fit(train, "W")
    unguarded = free.predict(13).set_index(["series_id", "ds"])["y_pred"]
    forecast = guarded.predict(13).set_index(["series_id", "ds"])["y_pred"]
    peak = train.groupby("series_id")["y"].max()
    runaway = unguarded.groupby(level=0).max() / peak
    assert runaway.max() > 5, "this slice should diverge without the guard"
    assert free.diverged_series_ == [] and free.replaced_ == 0

    # every diverged series is reported, and only those change
    band = pd.DataFrame(guarded.band_, index=guarded.series_, columns=["low", "high"])
    scaled = unguarded / unguarded.index.get_level_values(0).map(guarded.scale_)
    outside = (scaled < band["low"].reindex(scaled.index, level=0)) | \
        (scaled > band["high"].reindex(scaled.index, level=0))
    diverged = sorted(outside[outside].index.get_level_values(0).unique())
    assert guarded.diverged_series_ == diverged and len(diverged) >= 1
    assert guarded.replaced_ == 13 * len(diverged)
    recent = train.groupby("series_id")["y"].apply(  # since the first sale
        lambda y: y[y.ne(0).cummax()].tail(52).mean()).fillna(0.0)  # 0: never sold
    for sid in diverged:
        np.testing.assert_allclose(forecast.loc[sid], recent[sid], rtol=1e-9)
    kept = ~forecast.index.get_level_values(0).isin(diverged)
    np.testing.assert_allclose(forecast[kept], unguarded[kept])
    assert (forecast.groupby(level=0).max() / peak).max() <= 2.0 + 1e-9

    error = (forecast - actual.reindex(forecast.index)).abs().mean()
    free_error = (unguarded - actual.reindex(unguarded.index)).abs().mean()
    assert error < 0.9 * free_error


def test_lag_models_share_one_public_base():
    assert issubclass(LinearForecaster, GlobalLagForecaster)
    assert issubclass(RandomForestForecaster, GlobalLagForecaster)
    import salesforge.forecast as forecast

    assert forecast.GlobalLagForecaster is GlobalLagForecaster
