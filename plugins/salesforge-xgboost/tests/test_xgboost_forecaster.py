"""The xgboost forecaster, tested the way a third-party plugin tests itself: installed, found
through its entry point, held to the core's contract suite, leak-free and accurate."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd
import pytest
from salesforge_xgboost.forecaster import XGBoostConfig, XGBoostForecaster

from salesforge.composition import compose
from salesforge.config import choices, conf_dir, register_component_configs
from salesforge.contract import parametrize_with_checks
from salesforge.errors import ConfigError
from salesforge.forecast.backtest import backtest, cutoffs, naive_scale, score
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import example_series, modules_loaded_by_core

DIST = "salesforge-xgboost"
#: Fewer, larger steps than the defaults: same code paths, a fraction of the time.
FAST = {"n_estimators": 60, "learning_rate": 0.1}


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return example_series("D")


# 1. discovery ---------------------------------------------------------------------------


def test_found_through_its_entry_point(plugins):
    advertised = {ep.name: ep for ep in importlib.metadata.entry_points(group="salesforge")}
    assert "xgboost" in advertised
    assert advertised["xgboost"].dist.name == DIST
    assert advertised["xgboost"].value == "salesforge_xgboost.plugin"

    info = plugins.registry.get("forecaster", "xgboost")
    assert (info.distribution, info.version) == (DIST, importlib.metadata.version(DIST))
    assert info.cls is XGBoostForecaster and info.config is XGBoostConfig
    assert "xgboost" in plugins.distributions
    assert not plugins.failures

    assert ("forecaster", "xgboost") not in build_plugin_manager(entry_points=False).registry


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_never_imports_the_plugin():
    assert modules_loaded_by_core(('salesforge_xgboost', 'xgboost')) == []


def test_selectable_without_a_yaml_file(plugins):
    stored = register_component_configs(plugins.registry)
    assert ("forecaster", "xgboost") in stored
    assert not (conf_dir() / "forecaster" / "xgboost.yaml").exists()
    cfg = compose(["forecaster=[seasonal_naive,xgboost]",
                                       "forecaster.xgboost.n_estimators=50"])
    selected = dict(choices(cfg, "forecaster"))
    assert list(selected) == ["seasonal_naive", "xgboost"]
    assert selected["xgboost"] == {**plugins.registry.get("forecaster", "xgboost").settings(),
                                   "n_estimators": 50}
    model = plugins.create("forecaster", "xgboost", selected["xgboost"])
    assert model.n_estimators == 50 and model.lags == []


# 2. the contract (no future actuals: its no_peeking check) ---------------------------------


@parametrize_with_checks([build_plugin_manager().registry.get("forecaster", "xgboost")])
def test_passes_the_component_contract(check, tmp_path):
    check(tmp_path)


def test_feature_importances_by_name(daily):
    model = XGBoostForecaster(**FAST).fit(daily, "D")
    importances = model.feature_importances_
    assert isinstance(importances, pd.Series)
    assert list(importances.index) == [
        *[f"lag_{k}" for k in (1, 2, 3, 4, 5, 6, 7, 14, 28, 364)], "mean_7", "std_7",
        "mean_28", "std_28", "season_mean", "day_of_week", "month", "day_of_year", "trend",
        "series", "age"]
    assert (importances >= 0).all() and importances.sum() == pytest.approx(1.0, abs=1e-5)
    weekly = XGBoostForecaster(**FAST).fit(example_series("W"), "W")
    assert [n for n in weekly.feature_importances_.index if n.startswith("lag_")] == \
        ["lag_1", "lag_2", "lag_3", "lag_4", "lag_13", "lag_26", "lag_52"]
    assert "week_of_year" in weekly.feature_importances_.index
    custom = XGBoostForecaster(lags=[3, 1], **FAST).fit(daily, "D")
    assert custom.lags == [3, 1] and custom.lags_ == [1, 3]


def test_same_seed_same_forecast_with_threads(daily):
    recent = daily[daily["ds"] >= "2023-07-01"]  # threads are slow on a busy 2-core box
    params = {"n_estimators": 20, "n_jobs": 2}
    first = XGBoostForecaster(**params).fit(recent, "D").predict(7)
    again = XGBoostForecaster(**params).fit(recent, "D").predict(7)
    pd.testing.assert_frame_equal(first, again)
    other = XGBoostForecaster(**params, random_state=1).fit(recent, "D").predict(7)
    assert not np.allclose(first["y_pred"], other["y_pred"])  # the seed is used


def test_bad_lags_are_refused_when_fitting(daily):
    model = XGBoostForecaster(lags=[0, 7], **FAST)  # stored unchanged, checked when used
    with pytest.raises(ValueError, match="lags must be at least 1"):
        model.fit(daily, "D")


# 3. accuracy ----------------------------------------------------------------------------


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_beats_seasonal_naive_in_a_backtest(daily):
    # The run's defaults: 28 days ahead, two windows. Measured with xgboost 3.2:
    # xgboost MASE 0.73, seasonal naive 1.60 (ratio 0.46).
    horizon, windows = 28, 2
    scale = naive_scale(daily, cutoffs(daily, horizon, windows, horizon)[0], "D")
    boosted = backtest(XGBoostForecaster, daily, "D", horizon, windows)
    naive = backtest(SeasonalNaiveForecaster, daily, "D", horizon, windows)
    assert len(boosted) == daily["series_id"].nunique() * horizon * windows
    assert np.isfinite(boosted["y_pred"]).all()
    boosted_mase = score(boosted, scale)["mase"]
    naive_mase = score(naive, scale)["mase"]
    assert boosted_mase < 1.0, boosted_mase
    assert boosted_mase < 0.75 * naive_mase, (boosted_mase, naive_mase)


# 4. settings ----------------------------------------------------------------------------


def test_ill_typed_setting_names_its_config_key(plugins):
    with pytest.raises(ConfigError, match=r"forecaster\.xgboost\.n_estimators"):
        plugins.registry.create("forecaster", "xgboost", {"n_estimators": "abc"},
                                key="forecaster.xgboost")
    with pytest.raises(ConfigError, match=r"forecaster\.xgboost\.depth is not a setting"):
        plugins.registry.create("forecaster", "xgboost", {"depth": 3}, key="forecaster.xgboost")
    model = plugins.registry.create("forecaster", "xgboost", {"n_estimators": "40"},
                                    key="forecaster.xgboost")
    defaults = XGBoostForecaster(lags=[], windows=[], direct_steps=[]).get_params()
    assert model.get_params() == {**defaults, "n_estimators": 40}


# 5. covariates (forecast.exog) ----------------------------------------------------------


def test_covariates_are_features_and_survive_saving(daily, plugins, tmp_path):
    from salesforge.data.sample import RAMADAN_PERIODS
    from salesforge.forecast.persistence import load_model, save_model

    days = daily["ds"]
    mudik = pd.Series(0, index=daily.index)  # the two weeks before Lebaran sell more
    for period in RAMADAN_PERIODS:
        lebaran = pd.Timestamp(period.lebaran)
        mudik[(days >= lebaran - pd.Timedelta(days=14)) & (days < lebaran)] = 1
    model = XGBoostForecaster(**FAST).fit(daily.assign(mudik=mudik), "D")
    assert model.exog_ == ["mudik"] and model.feature_names_[-1] == "exog_mudik"
    assert model.feature_importances_["exog_mudik"] > 0
    future = model.future_frame(14)[["series_id", "ds"]]
    plain = model.predict(14, exog=future.assign(mudik=0))
    surge = model.predict(14, exog=future.assign(mudik=1))
    assert surge["y_pred"].sum() > 1.1 * plain["y_pred"].sum()
    save_model(model, "xgboost", tmp_path / "xgb", {"freq": "D"})
    loaded, _ = load_model(tmp_path / "xgb", plugins.registry)
    pd.testing.assert_frame_equal(loaded.predict(14, exog=future.assign(mudik=1)), surge)
    with pytest.raises(ValueError, match="mudik"):
        loaded.predict(14)
