"""Intermittent demand: Syntetos-Boylan classes (ADI / CV2) on a constructed panel, and the
routing of intermittent and lumpy series to intermittent-demand methods."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesforge import run
from salesforge.composition import compose
from salesforge.config import register_component_configs
from salesforge.errors import ConfigError
from salesforge.forecast import intermittent
from salesforge.forecast.intermittent import classify, intermittent_summary, routing_methods
from salesforge.forecast.selection import SELECTION
from salesforge.plugin.manager import build_plugin_manager

QUICK = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "forecast.save_models=false", "forecaster=[seasonal_naive,linear]",
         "forecast.by=[product]", "forecast.freq=W", "forecast.horizon=4",
         "backtest.windows=2"]


def config(*overrides: str):
    register_component_configs(build_plugin_manager().registry)
    return compose([*QUICK, *overrides])


def panel() -> pd.DataFrame:
    """Weekly demand, 40 weeks: one series per Syntetos-Boylan class and one without any
    demand before its last week."""
    weeks = pd.date_range("2023-01-01", periods=40, freq="W")
    sparse = np.zeros(40)
    sparse[::4] = 10.0                                      # every 4th week, always 10
    lumpy = np.zeros(40)
    lumpy[1::3] = np.tile([1.0, 30.0, 4.0, 60.0], 4)[:len(lumpy[1::3])]
    series = {
        "smooth": 20.0 + np.tile([1.0, -1.0, 2.0, -2.0], 10),
        "erratic": np.tile([1.0, 40.0, 3.0, 80.0], 10),
        "intermittent": sparse,
        "lumpy": lumpy,
        "new": np.r_[np.zeros(39), [5.0]],
    }
    return pd.concat([pd.DataFrame({"series_id": sid, "ds": weeks, "y": y})
                      for sid, y in series.items()], ignore_index=True)


def test_classes_follow_syntetos_boylan():
    table = classify(panel(), before=pd.Timestamp("2023-09-30"))
    assert table["demand_class"].to_dict() == {
        "erratic": "erratic", "intermittent": "intermittent", "lumpy": "lumpy",
        "new": "intermittent", "smooth": "smooth"}
    # intermittent: up to 2023-09-30 (weeks 0..38), demand in weeks 0, 4, ..., 36: 10 of 39
    assert table.loc["intermittent", "adi"] == pytest.approx(39 / 10)
    assert table.loc["intermittent", "cv2"] == 0.0
    sizes = np.tile([1.0, 40.0, 3.0, 80.0], 10)[:39]
    assert table.loc["erratic", "adi"] == 1.0
    assert table.loc["erratic", "cv2"] == pytest.approx((sizes.std(ddof=1) / sizes.mean()) ** 2)
    # lumpy: the first demand is in week 1, so 38 periods over its 13 demands
    assert table.loc["lumpy", "adi"] == pytest.approx(38 / 13)
    assert table.loc["lumpy", "cv2"] >= intermittent.CV2_CUTOFF
    assert math.isinf(table.loc["new", "adi"])  # no demand before the cut-off


def test_routing_methods_setting():
    registered = ["seasonal_naive", "croston_optimized", "tsb"]
    assert routing_methods("auto", registered) == ["croston_optimized", "tsb"]
    assert routing_methods("auto", ["seasonal_naive"]) == []
    assert routing_methods([], registered) == [] and routing_methods(None, registered) == []
    assert routing_methods(["tsb"], registered) == ["tsb"]
    with pytest.raises(ConfigError, match=r"forecast\.intermittent names 'adida'"):
        routing_methods(["adida"], registered)


def test_without_an_intermittent_method_the_manifest_says_so(tmp_path, monkeypatch):
    """As without plugins/salesforge-statsforecast: ``auto`` finds no registered method."""
    monkeypatch.setattr(intermittent, "STATSFORECAST_METHODS", ("not_installed_method",))
    frame = panel().rename(columns={"series_id": "product", "ds": "date", "y": "revenue"})
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    result = run(config(f"data.path={path}"), tmp_path / "run")
    assert result.ok, result.manifest.get("error")
    forecast = result.manifest["forecast"]
    info = forecast["intermittent"]
    assert info["methods"] == [] and info["routed_series"] == 0
    assert info["note"].startswith("no intermittent method installed")
    assert info["classes"] == {"smooth": 1, "erratic": 1, "intermittent": 2, "lumpy": 1}
    table = pd.read_csv(tmp_path / "run/forecast/selection.csv").set_index("series_id")
    assert table.loc["lumpy", "demand_class"] == "lumpy"
    assert forecast["selection"]["by_class"]["intermittent"] == {forecast["best"]: 2}
    assert intermittent_summary(table.rename(columns={}), [], ["tsb"], 3, False)["note"] == \
        "forecast.intermittent names no method"


def test_intermittent_and_lumpy_series_are_routed_to_installed_methods(tmp_path):
    pytest.importorskip("salesforge_statsforecast")
    frame = panel().rename(columns={"series_id": "product", "ds": "date", "y": "revenue"})
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    result = run(config(f"data.path={path}", "forecast.intermittent=[croston_optimized,tsb]"),
                 tmp_path / "run")
    assert result.ok, result.manifest.get("error")
    forecast = result.manifest["forecast"]
    info = forecast["intermittent"]
    assert info["methods"] == ["croston_optimized", "tsb"] and info["routed_series"] == 3
    backtest = pd.read_csv(tmp_path / "run/forecast/backtest.csv")
    for method in info["methods"]:
        assert set(backtest[backtest["model"] == method]["series_id"]) == \
            {"intermittent", "lumpy", "new"}
        assert method in forecast["models"]
    table = pd.read_csv(tmp_path / "run/forecast/selection.csv").set_index("series_id")
    global_best = forecast["selection"]["global_best"]
    for sid in ("smooth", "erratic"):
        assert table.loc[sid, "model"] == global_best and table.loc[sid, "how"] == "global"
    routed = table.loc[["intermittent", "lumpy", "new"]]
    assert set(routed["model"]) <= {"croston_optimized", "tsb", global_best, "seasonal_naive"}
    if (routed["how"] == "class").any() and (routed["model"] != global_best).any():
        assert forecast["best"] == SELECTION
        future = pd.read_csv(tmp_path / "run/forecast/forecast.csv")
        assert set(future[future["model"] == SELECTION]["series_id"]) == set(table.index)
