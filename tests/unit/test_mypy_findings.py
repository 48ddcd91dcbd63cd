"""Bugs the mypy pass found (each test fails without its fix)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesforge.charts import anomaly_scatter


def _points(quantities: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"product": [f"p{k}" for k in range(len(quantities))],
                         "quantity": quantities, "price": [10.0] * len(quantities),
                         "status": ["normal", "flagged"] * (len(quantities) // 2)})


@pytest.mark.parametrize("quantities", [[0.1, 0.2], [], [2e10, 3e10]])
def test_the_anomaly_scatter_without_fitting_ticks_leaves_them_to_vega_lite(quantities):
    """No tick of 1, 2, 5, 10, ... falls in the quantities' range (fractional units, no
    points, huge counts): the axis was given ``values=None``, which Altair refuses
    (SchemaValidationError: the report stage and the Anomaly tab failed)."""
    spec = anomaly_scatter(_points(quantities)).to_dict()
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert "values" not in axis and "labelExpr" in axis  # compact amounts, not d3 SI


def test_the_anomaly_scatter_keeps_its_log_ticks():
    axis = anomaly_scatter(_points([3.0, 40.0])).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["values"] == [2, 5, 10, 20, 50]


@pytest.fixture()
def page(tmp_path):
    from salesforge.app.main import SalesforgeApp

    return SalesforgeApp(tmp_path / "runs")


def test_an_emptied_horizon_box_is_refused_with_a_message(page):
    """An IntInput emptied in the browser holds ``None``: ``int(None)`` raised TypeError in
    the button's callback (nothing happened on the page); now the override check refuses
    it with its sentence."""
    page.horizon.value = None
    assert page.start([]) is None and page.job is None
    assert page.message.visible and "forecast.horizon" in page.message.object


def test_a_retrain_with_an_emptied_horizon_box_is_refused_with_a_message(page):
    tab = next(t for t in page.tabs_list if t.title == "Forecasting")
    tab.retrain_models.value, tab.horizon.value = ["seasonal_naive"], None
    overrides = tab.retrain_overrides()
    assert overrides[-1] == "forecast.horizon=None"
    assert page.start([], options=False, client=overrides) is None and page.job is None
    assert "forecast.horizon" in page.message.object


def test_the_anomaly_tab_of_a_run_without_clean_rows_shows_its_anomalies(tmp_path):
    """A run folder whose clean rows are gone: the other tabs show what they can, the
    Anomaly tab failed drawing the scatter (it samples the clean rows)."""
    from salesforge.app.filters import GlobalFilters
    from salesforge.app.runs import RunData
    from salesforge.app.tabs.anomaly import AnomalyTab

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text(json.dumps({
        "run_id": "r1", "status": "ok", "artifacts": {"anomalies": "anomalies.csv"},
        "anomalies": {"detector": "mad", "flagged": 1, "rows_scored": 10}}))
    pd.DataFrame({"date": ["2024-01-02"], "product": ["a"], "quantity": [3.0],
                  "price": [9.0], "anomaly_score": [0.9], "reason": ["price 5x usual"]}
                 ).to_csv(run_dir / "anomalies.csv", index=False)
    run = RunData(run_dir)
    assert run.clean is None
    parts = AnomalyTab(GlobalFilters(), plugins=None).render(run)
    assert "1 flagged transactions" in parts[0].object
