"""Hierarchical reconciliation: summing matrix, bottom-up, OLS and MinT give coherent
forecasts (every level adds up) on the sample data and on Superstore."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import ConfigError, DataError
from salesforge.forecast import reconcile as rec
from salesforge.forecast.backtest import backtest
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.random_forest import RandomForestForecaster
from salesforge.forecast.series import sample_clean
from tests.unit.conftest import require_dataset


@pytest.fixture(scope="module")
def hierarchy():
    series, keys = rec.hierarchy_series(sample_clean(), "revenue", "D", ["category", "product"])
    return series, keys


@pytest.fixture(scope="module")
def base(hierarchy):
    """Incoherent base forecasts and backtest rows of a global random forest."""
    series, _ = hierarchy
    make = lambda: RandomForestForecaster(n_estimators=10)  # noqa: E731
    forecast = make().fit(series, "D").predict(14).drop(columns="step")
    scored = backtest(make, series, "D", 14, windows=1)
    return forecast, scored


def test_summing_matrix_of_the_sample_hierarchy(hierarchy):
    _, keys = hierarchy
    S, ids, bottom = rec.summing_matrix(keys)
    assert ids[0] == "total" and S.shape == (20, 15) and len(bottom) == 15
    assert (S[0] == 1).all(), "the total sums every product"
    assert (S[-15:] == np.eye(15)).all(), "products are the bottom, last"
    assert (S[1:5].sum(axis=0) == 1).all(), "each product is in exactly one category"


def test_series_of_every_level_add_up(hierarchy):
    series, keys = hierarchy
    assert rec.is_coherent(series.rename(columns={"y": "y_pred"}), keys)


@pytest.mark.parametrize("method", ["bottom_up", "ols", "mint"])
def test_reconciled_forecasts_are_coherent(hierarchy, base, method):
    _, keys = hierarchy
    forecast, scored = base
    S, ids, _ = rec.summing_matrix(keys)
    assert not rec.is_coherent(forecast, keys), "base forecasts of a global model"
    matrix = rec.projection(S, method, rec.residual_matrix(scored, ids))
    reconciled = rec.reconcile_frame(forecast, ids, matrix)
    assert rec.is_coherent(reconciled, keys)
    assert len(reconciled) == len(forecast)
    backtested = rec.reconcile_frame(scored, ids, matrix, ["cutoff", "ds"])
    for _, window in backtested.groupby("cutoff"):
        assert rec.is_coherent(window, keys)


def test_bottom_up_keeps_the_bottom_and_projections_keep_coherent_input(hierarchy, base):
    _, keys = hierarchy
    forecast, scored = base
    S, ids, bottom = rec.summing_matrix(keys)
    up = rec.reconcile_frame(forecast, ids, rec.projection(S, "bottom_up"))
    is_bottom = forecast["series_id"].isin(bottom)
    np.testing.assert_allclose(up.loc[is_bottom, "y_pred"], forecast.loc[is_bottom, "y_pred"])
    for method in ("ols", "mint"):
        matrix = rec.projection(S, method, rec.residual_matrix(scored, ids))
        np.testing.assert_allclose(matrix @ S, S, atol=1e-8)  # S P S = S


def test_bounds_move_with_their_point_forecast(hierarchy, base):
    _, keys = hierarchy
    forecast, _ = base
    S, ids, _ = rec.summing_matrix(keys)
    framed = forecast.assign(y_lo=forecast["y_pred"] - 5, y_hi=forecast["y_pred"] + 5)
    out = rec.reconcile_frame(framed, ids, rec.projection(S, "ols"))
    np.testing.assert_allclose(out["y_hi"] - out["y_pred"], 5.0)


def test_shrunk_covariance_is_positive_definite_with_few_periods():
    rng = np.random.default_rng(1)
    residuals = rng.normal(size=(10, 30))  # fewer periods than series: raw cov is singular
    shrunk = rec.shrunk_covariance(residuals)
    assert np.linalg.eigvalsh(shrunk).min() > 0


def test_bad_reconciliation_settings_are_named(hierarchy):
    _, keys = hierarchy
    S, _, _ = rec.summing_matrix(keys)
    with pytest.raises(ConfigError, match=r"forecast\.reconcile"):
        rec.projection(S, "magic")
    with pytest.raises(DataError, match="mint needs backtest residuals"):
        rec.projection(S, "mint", None)


def test_superstore_category_hierarchy_reconciles_with_mint():
    path = require_dataset("superstore/sample_superstore.csv")
    raw = pd.read_csv(path, encoding="utf-8-sig")
    clean = pd.DataFrame({"date": pd.to_datetime(raw["Order Date"], format="%d/%m/%y"),
                          "revenue": raw["Sales"], "category": raw["Category"],
                          "subcategory": raw["Sub-Category"]})
    series, keys = rec.hierarchy_series(clean, "revenue", "W", ["category", "subcategory"])
    assert len(keys) == 1 + 3 + 17
    S, ids, _ = rec.summing_matrix(keys)
    scored = backtest(lambda: LinearForecaster(), series, "W", 8, windows=3)
    forecast = LinearForecaster().fit(series, "W").predict(8).drop(columns="step")
    matrix = rec.projection(S, "mint", rec.residual_matrix(scored, ids))
    assert rec.is_coherent(rec.reconcile_frame(forecast, ids, matrix), keys)
