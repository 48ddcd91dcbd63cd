"""The forecast stage's own settings: interval levels, reconciliation and tuning keys are
checked and named in one sentence; a run with them fills the manifest."""

from __future__ import annotations

import pandas as pd
import pytest
from omegaconf import OmegaConf

from salesforge import run
from salesforge.composition import compose
from salesforge.errors import ConfigError
from salesforge.settings import ForecastSettings
from salesforge.stages.forecast import interval_levels

QUICK = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "forecaster=[seasonal_naive,linear]", "forecast.horizon=7"]


def config(*overrides: str):
    return compose([*QUICK, *overrides])


def _forecast_settings(**values):
    return OmegaConf.merge(OmegaConf.structured(ForecastSettings), values)


def test_interval_levels_primary_first_without_repeats():
    cfg = _forecast_settings(interval_level=0.8, interval_levels=[0.95, 0.8, 0.5])
    assert interval_levels(cfg) == [0.8, 0.95, 0.5]
    with pytest.raises(ConfigError, match=r"forecast\.interval_levels must be between 0 and 1"):
        interval_levels(_forecast_settings(interval_level=0.8, interval_levels=[95]))
    with pytest.raises(ConfigError, match=r"forecast\.interval_level must be between"):
        interval_levels(_forecast_settings(interval_level=1.0))


@pytest.mark.parametrize(("overrides", "message"), [
    (["forecast.reconcile=mint"], r"forecast\.reconcile needs forecast\.by"),
    (["forecast.reconcile=mint", "forecast.by=[category]", "forecast.fill=gap"],
     r"forecast\.reconcile needs forecast\.fill=zero"),
    (["forecast.reconcile=sideways", "forecast.by=[category]"],
     r"forecast\.reconcile must be one of none, bottom_up, ols, mint"),
    (["tuning.enabled=true", "tuning.models=[prophet_typo]"],
     r"tuning\.models names 'prophet_typo'"),
    (["tuning.enabled=true", "tuning.n_trials=0"], r"tuning\.n_trials must be a whole number"),
    (["tuning.enabled=true", "+tuning.space.linear.alpha={type:float,low:2,high:1}"],
     r"tuning\.space\.linear\.alpha needs low <= high"),
])
def test_bad_settings_name_their_config_key(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        run(config(*overrides), tmp_path / "run")


def test_weekly_category_run_with_ols_and_extra_levels(tmp_path):
    result = run(config("forecast.freq=W", "forecast.by=[category]", "forecast.horizon=4",
                        "forecast.reconcile=ols", "forecast.interval_levels=[0.5,0.95]",
                        "forecast.save_models=false"), tmp_path / "run")
    forecast = result.manifest["forecast"]
    assert forecast["interval_levels"] == [0.8, 0.5, 0.95]
    assert forecast["reconcile"]["coherent"] is True and forecast["series"] == 5
    assert set(forecast["models"]["linear"]) >= {"coverage", "coverage_50", "coverage_95"}
    assert forecast["saved_models"] == {} and not (tmp_path / "run/models").exists()
    columns = list(pd.read_csv(tmp_path / "run/forecast/forecast.csv").columns)
    assert columns[-4:] == ["y_lo_50", "y_hi_50", "y_lo_95", "y_hi_95"]
