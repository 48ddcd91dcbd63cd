"""The statsforecast forecasters, tested the way a third-party plugin tests itself: installed,
found through its entry point, held to the core's contract suite, the panel fitted in one
statsforecast call, forecasts equal to statsforecast's own, saved without pickle."""

from __future__ import annotations

import importlib.metadata
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from salesforge_statsforecast import panel as panel_module
from salesforge_statsforecast.intermittent import (
    CrostonOptimizedForecaster,
    TSBForecaster,
)
from salesforge_statsforecast.plugin import FORECASTERS, INTERMITTENT
from salesforge_statsforecast.smooth import (
    AutoETSForecaster,
    AutoThetaForecaster,
    MSTLForecaster,
)

from salesforge.contract import parametrize_with_checks
from salesforge.errors import ConfigError, DataError
from salesforge.forecast.backtest import backtest, cutoffs
from salesforge.forecast.persistence import load_model, save_model
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import example_series, modules_loaded_by_core

DIST = "salesforge-statsforecast"


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return example_series("W")


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():  # statsforecast's numerical warnings on flat series
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def intermittent_panel(n_series: int = 40, weeks: int = 104, seed: int = 3) -> pd.DataFrame:
    """Weekly series that sell in about one week in four, a few units at a time."""
    rng = np.random.default_rng(seed)
    sells = rng.random((n_series, weeks)) < 0.25
    units = np.where(sells, rng.integers(1, 6, (n_series, weeks)), 0).astype("float64")
    ids = pd.array([f"p{i:03d}" for i in range(n_series)], dtype="string")
    return pd.DataFrame({"series_id": np.repeat(ids, weeks),
                         "ds": np.tile(pd.date_range("2022-01-02", periods=weeks, freq="W"),
                                       n_series),
                         "y": units.ravel()})


# 1. discovery ---------------------------------------------------------------------------


def test_every_model_is_found_through_the_entry_point(plugins):
    advertised = {ep.name: ep for ep in importlib.metadata.entry_points(group="salesforge")}
    assert advertised["statsforecast"].dist.name == DIST
    assert advertised["statsforecast"].value == "salesforge_statsforecast.plugin"
    assert list(FORECASTERS) == ["auto_ets", "auto_theta", "auto_arima", "mstl",
                                 "croston_optimized", "adida", "imapa", "tsb"]
    for name, (cls, config) in FORECASTERS.items():
        info = plugins.registry.get("forecaster", name)
        assert (info.cls, info.config, info.distribution) == (cls, config, DIST)
    assert not [f for f in plugins.failures if f.distribution == DIST]


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_never_imports_the_plugin_and_discovery_never_imports_statsforecast():
    assert modules_loaded_by_core(("salesforge_statsforecast", "statsforecast")) == []
    assert modules_loaded_by_core(("statsforecast", "numba"), entry_points=True) == []


# 2. the contract ------------------------------------------------------------------------


@parametrize_with_checks([build_plugin_manager().registry.get("forecaster", name)
                          for name in FORECASTERS],
                         slow=["auto_arima", "auto_ets", "auto_theta", "mstl"])
def test_passes_the_component_contract(check, tmp_path):
    check(tmp_path)


# 3. the panel in one call, forecasts as statsforecast's own ------------------------------


def test_the_whole_panel_is_fitted_in_one_statsforecast_call(weekly, monkeypatch):
    from statsforecast import StatsForecast

    calls = []
    fit = StatsForecast.fit

    def spy(self, df, *args, **kwargs):
        calls.append(df)
        return fit(self, df, *args, **kwargs)

    monkeypatch.setattr(StatsForecast, "fit", spy)
    AutoThetaForecaster(n_jobs=1).fit(weekly, "W").predict(8)
    (frame,) = calls
    assert frame["unique_id"].nunique() == weekly["series_id"].nunique()
    assert len(frame) == len(weekly)


def test_forecasts_and_intervals_equal_statsforecasts_own(weekly):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoTheta

    model = AutoThetaForecaster(n_jobs=1).fit(weekly, "W")
    ours = model.predict_interval(8, [0.8, 0.95])
    theirs = StatsForecast(models=[AutoTheta(season_length=52)], freq="W-SUN").forecast(
        df=weekly.rename(columns={"series_id": "unique_id"}), h=8, level=[80, 95])
    theirs = theirs.rename(columns={"unique_id": "series_id"}).astype({"series_id": "string"})
    joined = ours.astype({"series_id": "string"}).merge(theirs, on=["series_id", "ds"])
    assert len(joined) == len(ours) == weekly["series_id"].nunique() * 8
    np.testing.assert_allclose(joined["y_pred"], joined["AutoTheta"], rtol=1e-9)
    np.testing.assert_allclose(joined["y_lo_95"], joined["AutoTheta-lo-95"], rtol=1e-9)
    np.testing.assert_allclose(joined["y_hi_80"], joined["AutoTheta-hi-80"], rtol=1e-9)
    assert (ours["y_lo_95"] <= ours["y_lo_80"]).all() and (ours["y_lo_80"] <= ours["y_pred"]).all()
    assert (ours["y_pred"] <= ours["y_hi_80"]).all() and (ours["y_hi_80"] <= ours["y_hi_95"]).all()
    pd.testing.assert_frame_equal(ours[["series_id", "ds", "step", "y_pred"]], model.predict(8))


def test_intermittent_models_leave_intervals_to_the_stage():
    data = intermittent_panel()
    for name in INTERMITTENT:
        cls, _ = FORECASTERS[name]
        model = cls().fit(data, "W")
        assert model.predict_interval(6, [0.8]) is None
        forecast = model.predict(6)
        flat = forecast.groupby("series_id")["y_pred"].nunique()
        assert (flat == 1).all(), name  # a rate per period, the same every step
        assert forecast["y_pred"].between(0, 5).all(), name


def test_tsb_decays_after_sales_stop_where_croston_does_not():
    data = intermittent_panel(n_series=10)
    stopped = data["ds"] >= data["ds"].max() - pd.Timedelta(weeks=20)  # no sales for 21 weeks
    data.loc[stopped, "y"] = 0.0
    croston = CrostonOptimizedForecaster().fit(data, "W").predict(1)
    tsb = TSBForecaster().fit(data, "W").predict(1)
    before = TSBForecaster().fit(data[~stopped], "W").predict(1)
    assert (tsb["y_pred"] < 0.5 * before["y_pred"]).all()
    assert (tsb["y_pred"] < croston["y_pred"]).all()


def test_a_series_too_short_for_the_model_gets_its_last_value(weekly):
    tiny = pd.DataFrame({"series_id": "new product", "y": [3.0, 5.0, 4.0],
                         "ds": pd.date_range("2023-12-03", periods=3, freq="W")})
    data = pd.concat([weekly, tiny], ignore_index=True)
    forecast = AutoETSForecaster(n_jobs=1).fit(data, "W").predict_interval(4, [0.8])
    new = forecast[forecast["series_id"] == "new product"]
    np.testing.assert_allclose(new["y_pred"], 4.0)
    assert (new["y_hi_80"] > new["y_pred"]).all()
    assert np.isfinite(forecast["y_pred"]).all()


def test_mstl_default_seasons_follow_the_frequency(weekly):
    assert MSTLForecaster(n_jobs=1).fit(weekly, "W").seasons() == [52]
    daily = example_series("D")
    assert MSTLForecaster(n_jobs=1).fit(daily, "D").seasons() == [7, 365]
    assert MSTLForecaster(season_lengths=[14, 7], n_jobs=1).fit(daily, "D").seasons() == [7, 14]
    with pytest.raises(ValueError, match="at least 2"):
        MSTLForecaster(season_lengths=[1], n_jobs=1).fit(daily, "D")


def test_processes_follow_n_jobs_but_never_in_a_daemonic_worker(weekly, monkeypatch):
    model = AutoThetaForecaster(n_jobs=-1).fit(weekly, "W")
    assert model._jobs() == min(panel_module.os.cpu_count(), weekly["series_id"].nunique())

    class Daemon:
        daemon = True

    monkeypatch.setattr(panel_module.multiprocessing, "current_process", Daemon)
    assert model._jobs() == 1
    with pytest.raises(ValueError, match="n_jobs"):
        AutoThetaForecaster(n_jobs=0).fit(weekly, "W")


# 4. no future actuals -------------------------------------------------------------------


def test_forecasts_ignore_actuals_after_the_cutoff(weekly):
    horizon = 8
    after = weekly["ds"] > cutoffs(weekly, horizon, 1, horizon)[0]
    scrambled = weekly.copy()
    scrambled.loc[after, "y"] = scrambled.loc[after, "y"] * 10 + 1e6

    def make() -> AutoThetaForecaster:
        return AutoThetaForecaster(n_jobs=1)

    honest = backtest(make, weekly, "W", horizon)
    tampered = backtest(make, scrambled, "W", horizon)
    assert not np.allclose(honest["y_true"], tampered["y_true"])
    np.testing.assert_array_equal(honest["y_pred"], tampered["y_pred"])


# 5. saving: the training values as .npy, refitted on load; never pickled ------------------


def test_saved_without_pickle_and_refitted_to_the_same_forecast(weekly, plugins, tmp_path):
    model = AutoETSForecaster(n_jobs=1).fit(weekly, "W")
    expected = model.predict_interval(8, [0.8])
    path = save_model(model, "auto_ets", tmp_path / "ets", {"freq": "W"})
    document = json.loads(path.read_text())
    assert document["state"]["y_"] == {"__native__": "y.npy"}
    assert set(document["files"]) == {"y.npy"}  # checked by SHA-256 before loading
    assert sorted(p.name for p in (tmp_path / "ets").iterdir()) == ["model.json", "y.npy"]
    np.testing.assert_array_equal(np.load(tmp_path / "ets" / "y.npy", allow_pickle=False),
                                  weekly.sort_values(["series_id", "ds"])["y"].to_numpy())

    loaded, _ = load_model(tmp_path / "ets", plugins.registry)
    assert getattr(loaded, "_statsforecast", None) is None  # nothing fitted came from disk
    pd.testing.assert_frame_equal(loaded.predict_interval(8, [0.8]), expected)

    loaded.statsforecast_version_ = "0.1.0"
    loaded._statsforecast = None
    with pytest.raises(ConfigError, match=r"fitted with statsforecast 0\.1\.0"):
        loaded.predict(8)

    np.save(tmp_path / "ets" / "y.npy", np.zeros(len(weekly)))
    with pytest.raises(DataError, match="does not match the checksum"):
        load_model(tmp_path / "ets", plugins.registry)


# 6. a real run ----------------------------------------------------------------------------


def test_a_run_compares_them_with_the_baseline_and_saves_them(plugins, tmp_path):
    from salesforge.composition import compose
    from salesforge.config import register_component_configs
    from salesforge.runner import run

    register_component_configs(plugins.registry)  # forecaster=auto_theta without YAML

    overrides = ["forecaster=[seasonal_naive,auto_theta,croston_optimized]",
                 "forecast.freq=W", "forecast.horizon=8", "forecast.by=[category]",
                 "forecaster.auto_theta.n_jobs=1", "stages.segment=false",
                 "stages.detect=false", "stages.report=false"]
    cfg = compose(overrides)
    result = run(cfg, tmp_path / "run", plugins)
    assert result.manifest["status"] == "ok", result.manifest.get("error")
    models = result.manifest["forecast"]["models"]
    assert {"auto_theta", "croston_optimized"} <= set(models)
    assert 0.5 <= models["auto_theta"]["coverage"] <= 1.0  # its own 80% intervals
    assert np.isfinite(models["croston_optimized"]["coverage"])  # calibrated by the stage
    saved = result.manifest["forecast"]["saved_models"]
    assert (tmp_path / "run" / saved["auto_theta"]).is_file()
