"""Per-series metrics, forecast value added and baseline-gated selection."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from salesforge.forecast.evaluation import (
    model_metrics,
    select_best,
    series_metrics,
    value_added,
)


@pytest.fixture
def scored() -> pd.DataFrame:
    rows = []
    for model, error in (("naive", 2.0), ("good", 1.0)):
        for sid, y in (("a", 10.0), ("b", 20.0)):
            pred = y + (error if sid == "a" else 2.0)
            for t in range(4):
                rows.append({"model": model, "series_id": sid, "cutoff": 0, "ds": t,
                             "y_true": y, "y_pred": pred,
                             "y_lo_80": pred - 1.5, "y_hi_80": pred + 1.5,
                             "y_lo_95": pred - 3.0, "y_hi_95": pred + 3.0})
    return pd.DataFrame(rows)


def test_model_metrics_report_coverage_per_level(scored):
    scale = pd.Series({"a": 2.0, "b": 2.0})
    metrics = model_metrics(scored[scored["model"] == "good"], scale, [0.8, 0.95])
    assert metrics["mae"] == pytest.approx(1.5)
    assert metrics["mase"] == pytest.approx(0.75)
    assert metrics["coverage"] == metrics["coverage_80"] == pytest.approx(0.5)
    assert metrics["coverage_95"] == 1.0


def test_series_metrics_and_value_added(scored):
    scale = pd.Series({"a": 2.0, "b": 2.0})
    table = series_metrics(scored, scale, [0.8])
    assert set(table.columns) == {"model", "series_id", "metric", "value"}
    mase = table[table["metric"] == "mase"].set_index(["model", "series_id"])["value"]
    assert mase[("good", "a")] == 0.5 and mase[("naive", "a")] == 1.0
    overall = {m: model_metrics(g, scale, [0.8]) for m, g in scored.groupby("model")}
    fva = value_added(table, overall, "naive", "mase").set_index(["model", "series_id"])
    assert fva.loc[("good", "a"), "fva_pct"] == pytest.approx(50.0)
    assert fva.loc[("good", "b"), "fva_pct"] == pytest.approx(0.0)
    assert fva.loc[("good", "all"), "fva_pct"] == pytest.approx(25.0)
    assert fva.loc[("naive", "all"), "fva_pct"] == 0.0


def test_a_single_series_has_one_value_added_row_per_model(scored):
    one = scored[scored["series_id"] == "a"]
    scale = pd.Series({"a": 2.0})
    table = series_metrics(one, scale, [0.8])
    overall = {m: model_metrics(g, scale, [0.8]) for m, g in one.groupby("model")}
    fva = value_added(table, overall, "naive", "mase")
    assert list(fva["series_id"]) == ["all"] * fva["model"].nunique()
    assert fva.set_index("model").loc["good", "fva_pct"] == pytest.approx(50.0)


def test_selection_is_gated_by_the_baseline():
    models = {"naive": {"mase": 1.0}, "a": {"mase": 0.8}, "b": {"mase": 0.9}}
    best, reason = select_best(models, "naive", "mase")
    assert best == "a" and "lowest mase" in reason
    worse = {"naive": {"mase": 1.0}, "a": {"mase": 1.2}}
    best, reason = select_best(worse, "naive", "mase")
    assert best == "naive" and "no model beats the baseline" in reason and "a" in reason
    broken = {"naive": {"mase": math.nan}, "a": {"mase": 0.5}}
    best, reason = select_best(broken, "naive", "mase")
    assert best == "naive" and "no finite mase" in reason
    alone = {"naive": {"mase": 1.0}, "a": {"mase": math.nan}}
    assert select_best(alone, "naive", "mase")[0] == "naive"
