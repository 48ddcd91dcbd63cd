"""Every forecaster family: registered, leak-free, accurate on the sample, with importances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.backtest import backtest, cutoffs, naive_scale, score
from salesforge.forecast.lag_model import CALENDAR, default_lags
from salesforge.forecast.random_forest import RandomForestForecaster
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager

FAMILIES = ["seasonal_naive", "linear", "random_forest", "xgboost", "prophet"]
#: Smaller models: the same code paths in a fraction of the time.
FAST = {"random_forest": {"n_estimators": 40}, "xgboost": {"n_estimators": 60,
                                                          "learning_rate": 0.1},
        "prophet": {"uncertainty_samples": 50}}


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    """The sample's daily revenue: the total and one series per category."""
    return pd.concat([sample_series(), sample_series(by=["category"])], ignore_index=True)


def _make(plugins, name):
    if ("forecaster", name) not in plugins.registry:
        pytest.skip(f"forecaster {name} is not installed (pip install -e plugins/salesforge-"
                    f"{name})")
    return lambda: plugins.create("forecaster", name, FAST.get(name, {}))


def test_all_five_families_are_registered_with_a_search_space(plugins):
    for name in FAMILIES:
        make = _make(plugins, name)
        space = type(make()).search_space
        assert name == "seasonal_naive" or space, f"{name} has no search space"
        for param in space:
            assert param in make().get_params(), f"{name}: {param} is not a setting"


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_shuffled_future_actuals_leave_backtest_forecasts_unchanged(plugins, daily, name):
    """The leakage test: forecasts of a window depend only on data up to its cutoff."""
    make = _make(plugins, name)
    if name == "prophet":  # local: one series shows it as well as five, five times faster
        daily = daily[daily["series_id"] == "total"]
    horizon, windows = 14, 2
    points = cutoffs(daily, horizon, windows, horizon)
    first = backtest(make, daily, "D", horizon, windows)
    rng = np.random.default_rng(0)
    shuffled = daily.copy()
    after = shuffled["ds"] > points[0]
    shuffled.loc[after, "y"] = rng.permutation(shuffled.loc[after, "y"].to_numpy()) * 3.0
    second = backtest(make, shuffled, "D", horizon, windows)
    one = first[first["cutoff"] == points[0]]
    two = second[second["cutoff"] == points[0]]
    np.testing.assert_allclose(one["y_pred"], two["y_pred"], rtol=1e-9)
    assert not np.allclose(one["y_true"], two["y_true"]), "the shuffle changed nothing"
    later = first[first["cutoff"] == points[1]]["y_pred"].to_numpy()
    assert not np.allclose(later, second[second["cutoff"] == points[1]]["y_pred"]), \
        "a later window must see the changed history"


def test_random_forest_beats_the_seasonal_naive_on_the_sample_total(plugins):
    total = sample_series()
    points = cutoffs(total, 28, 2, 28)
    scale = naive_scale(total, points[0], "D")
    naive = score(backtest(_make(plugins, "seasonal_naive"), total, "D", 28, 2), scale)
    forest = score(backtest(_make(plugins, "random_forest"), total, "D", 28, 2), scale)
    assert forest["mase"] < 0.9 * naive["mase"]


def test_random_forest_importances_and_features(daily):
    model = RandomForestForecaster(n_estimators=30).fit(daily, "D")
    assert model.feature_names_ == [
        *[f"lag_{k}" for k in (1, 2, 3, 4, 5, 6, 7, 14, 28, 364)],
        "mean_7", "std_7", "mean_28", "std_28", "season_mean", *CALENDAR]
    assert model.feature_names_ == model.expected_features()
    importances = model.feature_importances_
    assert list(importances.index) == model.feature_names_
    assert importances.sum() == pytest.approx(1.0) and (importances >= 0).all()
    assert importances["lag_7"] > importances["month"], "weekly sales repeat; months barely"


def test_default_lags_follow_the_frequency():
    assert default_lags("D") == [1, 2, 3, 4, 5, 6, 7, 14, 28, 364]
    assert default_lags("W") == [1, 2, 3, 4, 13, 26, 52]
    assert default_lags("W-FRI") == [1, 2, 3, 4, 13, 26, 52]
    assert default_lags("MS") == [1, 2, 3, 12]


def test_random_forest_settings_change_the_model(daily):
    one = RandomForestForecaster(n_estimators=20, min_samples_leaf=1).fit(daily, "D")
    two = RandomForestForecaster(n_estimators=20, min_samples_leaf=30).fit(daily, "D")
    assert not np.allclose(one.predict(7)["y_pred"], two.predict(7)["y_pred"])
    with pytest.raises(ValueError, match="lags must be at least 1"):
        RandomForestForecaster(lags=[0, 1]).fit(daily, "D")


def test_linear_reports_importances_by_feature(daily):
    model = _make(build_plugin_manager(), "linear")().fit(daily, "D")
    assert list(model.feature_importances_.index) == model.feature_names_
    assert model.feature_names_[:3] == ["lag_1", "lag_2", "lag_3"]
    assert model.feature_importances_.sum() == pytest.approx(1.0)


def test_prophet_holidays_come_from_its_config(plugins):
    total = sample_series().tail(400)
    make = _make(plugins, "prophet")
    with_holidays = plugins.create("forecaster", "prophet", {"uncertainty_samples": 0})
    with_holidays.fit(total, "D")
    names = with_holidays.models_["total"].train_holiday_names
    assert names is not None and any("Independence" in n for n in names)
    without = plugins.create("forecaster", "prophet", {"country_holidays": None,
                                                       "uncertainty_samples": 0})
    assert without.fit(total, "D").models_["total"].train_holiday_names is None
    assert "holidays" in with_holidays.feature_importances_.index
    assert make().predict_interval is not None
