"""The prophet forecaster, tested the way a third-party plugin tests itself: installed, found
through its entry point, held to the core's contract suite, with its own intervals,
holidays from config and JSON persistence."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from salesforge_prophet.forecaster import ProphetForecaster

from salesforge.composition import compose
from salesforge.config import choices, register_component_configs
from salesforge.contract import parametrize_with_checks
from salesforge.errors import ConfigError
from salesforge.forecast.backtest import backtest
from salesforge.forecast.persistence import load_model, save_model
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import modules_loaded_by_core

DIST = "salesforge-prophet"
#: The real monthly series the Prophet docs use (../shared/datasets, skipped when absent).
RETAIL = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / \
    "us_retail_sales_monthly" / "example_retail_sales.csv"


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


def test_found_through_its_entry_point(plugins):
    advertised = {ep.name: ep for ep in importlib.metadata.entry_points(group="salesforge")}
    assert advertised["prophet"].value == "salesforge_prophet.plugin"
    info = plugins.registry.get("forecaster", "prophet")
    assert (info.distribution, info.version) == (DIST, importlib.metadata.version(DIST))


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_never_imports_the_plugin():
    assert modules_loaded_by_core(('salesforge_prophet', 'prophet')) == []


def test_selectable_without_a_yaml_file_and_settings_are_checked(plugins):
    stored = register_component_configs(plugins.registry)
    assert ("forecaster", "prophet") in stored
    cfg = compose(["forecaster=[seasonal_naive,prophet]",
                                       "forecaster.prophet.country_holidays=US"])
    selected = dict(choices(cfg, "forecaster"))
    model = plugins.create("forecaster", "prophet", selected["prophet"])
    assert model.country_holidays == "US" and model.seasonality_mode == "additive"
    with pytest.raises(ConfigError, match=r"forecaster\.prophet\.changepoint_prior_scale"):
        plugins.create("forecaster", "prophet", {"changepoint_prior_scale": "big"},
                       key="forecaster.prophet")


@parametrize_with_checks([build_plugin_manager().registry.get("forecaster", "prophet")])
def test_passes_the_component_contract(check, tmp_path):
    check(tmp_path)


def test_own_intervals_on_the_real_monthly_retail_series():
    """Prophet's intervals are nested and wider at 95%; on this real series they are known
    to under-cover (48 months: about 52% at 80%, 69% at 95%; see docs/forecasting.md),
    which is why salesforge reports coverage per level."""
    if not RETAIL.is_file():
        pytest.skip(f"../shared/datasets not present: {RETAIL} does not exist")
    raw = pd.read_csv(RETAIL, parse_dates=["ds"])
    series = raw.assign(series_id="total", y=raw["y"].astype("float64"))
    scored = backtest(lambda: ProphetForecaster(country_holidays=None,
                                                uncertainty_samples=200),
                      series, "MS", 12, windows=4, levels=[0.8, 0.95])
    assert (scored["y_lo_95"] <= scored["y_lo_80"]).all()
    assert (scored["y_hi_80"] <= scored["y_hi_95"]).all()
    def covered(level: int) -> float:
        return float(((scored["y_true"] >= scored[f"y_lo_{level}"]) &
                      (scored["y_true"] <= scored[f"y_hi_{level}"])).mean())

    assert 0.4 <= covered(80) < covered(95) <= 1.0
    mape = (abs(scored["y_true"] - scored["y_pred"]) / scored["y_true"]).mean()
    assert mape < 0.05, f"Prophet's monthly retail MAPE {mape:.1%}"


def test_intervals_are_seeded_and_switch_off_without_samples():
    total = sample_series().tail(300)
    one = ProphetForecaster(uncertainty_samples=50).fit(total, "D")
    first, again = one.predict_interval(7, [0.8]), one.predict_interval(7, [0.8])
    np.testing.assert_allclose(first["y_lo_80"], again["y_lo_80"])
    assert ProphetForecaster(uncertainty_samples=0).fit(total, "D").predict_interval(7, [0.8]) \
        is None


def test_saved_as_prophet_json_and_loaded_back(plugins, tmp_path):
    total = sample_series().tail(300)
    model = ProphetForecaster(uncertainty_samples=20).fit(total, "D")
    save_model(model, "prophet", tmp_path, {"horizon": 7})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "prophet_models.json"]
    loaded, _ = load_model(tmp_path, plugins.registry)
    np.testing.assert_allclose(loaded.predict(7)["y_pred"], model.predict(7)["y_pred"])


def test_bad_seasonality_mode_is_refused_when_fitting():
    with pytest.raises(ValueError, match="seasonality_mode"):
        ProphetForecaster(seasonality_mode="cubic").fit(sample_series().tail(60), "D")
