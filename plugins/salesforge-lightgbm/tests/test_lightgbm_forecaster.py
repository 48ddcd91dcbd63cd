"""The lightgbm forecaster, tested the way a third-party plugin tests itself: installed, found
through its entry point, held to the core's contract suite, saved without pickle, leak-free
and accurate."""

from __future__ import annotations

import importlib.metadata
import json

import numpy as np
import pandas as pd
import pytest
from salesforge_lightgbm.forecaster import DIRECT_FILE, LightGBMConfig, LightGBMForecaster

from salesforge.composition import compose
from salesforge.config import choices, conf_dir, register_component_configs
from salesforge.contract import parametrize_with_checks
from salesforge.errors import ConfigError, DataError
from salesforge.forecast.backtest import backtest, cutoffs, naive_scale, score
from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig
from salesforge.forecast.persistence import load_model, save_model
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import example_series, modules_loaded_by_core

DIST = "salesforge-lightgbm"
#: Fewer, larger steps than the defaults and one thread: same code paths, a fraction of the
#: time on a shared machine.
FAST = {"n_estimators": 60, "learning_rate": 0.1, "n_jobs": 1}


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return example_series("D")


# 1. discovery ---------------------------------------------------------------------------


def test_found_through_its_entry_point(plugins):
    advertised = {ep.name: ep for ep in importlib.metadata.entry_points(group="salesforge")}
    assert advertised["lightgbm"].dist.name == DIST
    assert advertised["lightgbm"].value == "salesforge_lightgbm.plugin"

    info = plugins.registry.get("forecaster", "lightgbm")
    assert (info.distribution, info.version) == (DIST, importlib.metadata.version(DIST))
    assert info.cls is LightGBMForecaster and info.config is LightGBMConfig
    assert not [f for f in plugins.failures if f.distribution == DIST]
    assert ("forecaster", "lightgbm") not in build_plugin_manager(entry_points=False).registry


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_never_imports_the_plugin_and_discovery_never_imports_lightgbm():
    assert modules_loaded_by_core(("salesforge_lightgbm", "lightgbm")) == []
    assert modules_loaded_by_core(("lightgbm",), entry_points=True) == []


def test_selectable_without_a_yaml_file(plugins):
    assert ("forecaster", "lightgbm") in register_component_configs(plugins.registry)
    assert not (conf_dir() / "forecaster" / "lightgbm.yaml").exists()
    cfg = compose(["forecaster=[seasonal_naive,lightgbm]",
                                       "forecaster.lightgbm.objective=tweedie"])
    selected = dict(choices(cfg, "forecaster"))
    assert list(selected) == ["seasonal_naive", "lightgbm"]
    model = plugins.create("forecaster", "lightgbm", selected["lightgbm"])
    assert model.objective == "tweedie" and model.n_jobs is None and model.lags == []


# 2. the contract and the lag-model base ---------------------------------------------------


@parametrize_with_checks([build_plugin_manager().registry.get("forecaster", "lightgbm")])
def test_passes_the_component_contract(check, tmp_path):
    check(tmp_path)


def test_inherits_the_lag_model_features(daily):
    model = LightGBMForecaster(**FAST).fit(daily, "D")
    assert isinstance(model, GlobalLagForecaster) and issubclass(LightGBMConfig, LagModelConfig)
    assert model.feature_names_ == model.expected_features()
    importances = model.feature_importances_
    assert list(importances.index) == model.feature_names_
    assert (importances >= 0).all() and importances.sum() == pytest.approx(1.0, abs=1e-6)
    assert importances.filter(like="lag_").sum() > 0.2  # the lags carry the model
    custom = LightGBMForecaster(lags=[14, 1], **FAST).fit(daily, "D")
    assert custom.lags == [14, 1] and custom.lags_ == [1, 14]


def test_same_seed_same_forecast_and_the_seed_is_used(daily):
    params = {**FAST, "n_jobs": 2}
    first = LightGBMForecaster(**params).fit(daily, "D").predict(7)
    again = LightGBMForecaster(**params).fit(daily, "D").predict(7)
    pd.testing.assert_frame_equal(first, again)
    other = LightGBMForecaster(**params, random_state=1).fit(daily, "D").predict(7)
    assert not np.allclose(first["y_pred"], other["y_pred"])


def test_bad_settings_are_refused_when_fitting(daily):
    with pytest.raises(ValueError, match="objective must be one of"):
        LightGBMForecaster(objective="quantile", **FAST).fit(daily, "D")
    returns = daily.assign(y=daily["y"] - daily["y"].mean())  # negative values
    with pytest.raises(ValueError, match="needs y >= 0"):
        LightGBMForecaster(objective="tweedie", **FAST).fit(returns, "D")
    with pytest.raises(ValueError, match="lags must be at least 1"):
        LightGBMForecaster(lags=[0, 7], **FAST).fit(daily, "D")


def test_ill_typed_setting_names_its_config_key(plugins):
    with pytest.raises(ConfigError, match=r"forecaster\.lightgbm\.num_leaves"):
        plugins.registry.create("forecaster", "lightgbm", {"num_leaves": "many"},
                                key="forecaster.lightgbm")
    with pytest.raises(ConfigError, match=r"forecaster\.lightgbm\.max_depth is not a setting"):
        plugins.registry.create("forecaster", "lightgbm", {"max_depth": 3},
                                key="forecaster.lightgbm")


# 3. saved in LightGBM's own format, checked by salesforge ---------------------------------


def test_saved_as_a_lightgbm_text_model_and_loaded_back(daily, plugins, tmp_path):
    model = LightGBMForecaster(**FAST).fit(daily, "D")
    expected = model.predict(28)
    path = save_model(model, "lightgbm", tmp_path / "lgb", {"freq": "D"})
    document = json.loads(path.read_text())
    assert document["state"]["model_"] == {"__native__": "model.lgb.txt"}
    assert set(document["files"]) == {"model.lgb.txt"}  # the checksum covers the booster
    text = (tmp_path / "lgb" / "model.lgb.txt").read_text()
    assert text.startswith("tree\n") and "objective=regression_l1" in text
    assert not list((tmp_path / "lgb").glob("*.pkl"))

    loaded, _ = load_model(tmp_path / "lgb", plugins.registry)
    assert type(loaded.model_).__name__ == "Booster"
    pd.testing.assert_frame_equal(loaded.predict(28), expected)

    with open(tmp_path / "lgb" / "model.lgb.txt", "a") as stream:
        stream.write("\n")  # changed after saving
    with pytest.raises(DataError, match="does not match the checksum"):
        load_model(tmp_path / "lgb", plugins.registry)


def test_direct_strategy_saves_every_booster_in_one_file(daily, plugins, tmp_path):
    model = LightGBMForecaster(strategy="direct", direct_steps=[1, 7, 14], **FAST)
    model.fit(daily, "D")
    assert isinstance(model.model_, list) and len(model.model_) == 3
    expected = model.predict(14)
    path = save_model(model, "lightgbm", tmp_path / "direct", {"freq": "D"})
    assert json.loads(path.read_text())["state"]["model_"] == {"__native__": DIRECT_FILE}
    boosters = json.loads((tmp_path / "direct" / DIRECT_FILE).read_text())["boosters"]
    assert len(boosters) == 3 and all(text.startswith("tree\n") for text in boosters)
    loaded, _ = load_model(tmp_path / "direct", plugins.registry)
    pd.testing.assert_frame_equal(loaded.predict(14), expected)


# 4. accuracy (no future actuals: the contract's no_peeking) ---------------------------------


def test_beats_seasonal_naive_in_a_backtest(daily):
    # The run's defaults: 28 days ahead, two windows. Measured with lightgbm 4.7:
    # lightgbm MASE 0.73, seasonal naive 1.60.
    horizon, windows = 28, 2
    scale = naive_scale(daily, cutoffs(daily, horizon, windows, horizon)[0], "D")
    boosted = backtest(lambda: LightGBMForecaster(n_jobs=1), daily, "D", horizon, windows)
    naive = backtest(SeasonalNaiveForecaster, daily, "D", horizon, windows)
    assert len(boosted) == daily["series_id"].nunique() * horizon * windows
    boosted_mase, naive_mase = score(boosted, scale)["mase"], score(naive, scale)["mase"]
    assert boosted_mase < 1.0, boosted_mase
    assert boosted_mase < 0.75 * naive_mase, (boosted_mase, naive_mase)
