"""Unit tests for salesforge.forecast.metrics, checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from salesforge.forecast import metrics

Y_TRUE = np.array([10.0, 20.0, 30.0, 40.0])
Y_PRED = np.array([12.0, 18.0, 33.0, 40.0])
# errors (pred - true): +2, -2, +3, 0


def test_mae():
    assert metrics.mae(Y_TRUE, Y_PRED) == pytest.approx((2 + 2 + 3 + 0) / 4)


def test_rmse():
    assert metrics.rmse(Y_TRUE, Y_PRED) == pytest.approx(math.sqrt((4 + 4 + 9 + 0) / 4))


def test_rmse_is_at_least_mae():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=50), rng.normal(size=50)
    assert metrics.rmse(y, p) >= metrics.mae(y, p)


def test_r2():
    # mean 25; total SS = 225 + 25 + 25 + 225 = 500; residual SS = 17
    assert metrics.r2(Y_TRUE, Y_PRED) == pytest.approx(1 - 17 / 500)


def test_r2_perfect_and_mean_forecasts():
    assert metrics.r2(Y_TRUE, Y_TRUE.copy()) == pytest.approx(1.0)
    assert metrics.r2(Y_TRUE, np.full(4, Y_TRUE.mean())) == pytest.approx(0.0)
    assert metrics.r2(Y_TRUE, Y_TRUE[::-1].copy()) < 0


def test_r2_of_constant_actuals_is_nan():
    assert math.isnan(metrics.r2(np.array([5.0, 5.0, 5.0]), np.array([4.0, 5.0, 6.0])))


def test_mape():
    # |2/10| + |2/20| + |3/30| + 0 = 0.2 + 0.1 + 0.1 + 0 -> mean 0.1 -> 10 %
    assert metrics.mape(Y_TRUE, Y_PRED) == pytest.approx(10.0)


def test_mape_skips_zero_actuals():
    y_true = np.array([0.0, 10.0, 0.0, 50.0])
    y_pred = np.array([7.0, 12.0, -3.0, 40.0])
    # only 10 -> 12 (20 %) and 50 -> 40 (20 %) count
    assert metrics.mape(y_true, y_pred) == pytest.approx(20.0)
    assert np.isfinite(metrics.mape(y_true, y_pred))


def test_mape_of_all_zero_actuals_is_nan():
    assert math.isnan(metrics.mape(np.zeros(3), np.array([1.0, 2.0, 3.0])))


def test_mape_uses_absolute_actuals_for_negative_values():
    assert metrics.mape(np.array([-10.0]), np.array([-12.0])) == pytest.approx(20.0)


def test_smape():
    y_true = np.array([100.0, 50.0])
    y_pred = np.array([110.0, 40.0])
    expected = (2 * 10 / 210 + 2 * 10 / 90) / 2 * 100
    assert metrics.smape(y_true, y_pred) == pytest.approx(expected)


def test_smape_both_zero_counts_as_zero_error():
    y_true = np.array([0.0, 10.0])
    y_pred = np.array([0.0, 10.0])
    assert metrics.smape(y_true, y_pred) == 0.0
    assert metrics.smape(np.array([0.0, 10.0]), np.array([0.0, 30.0])) == pytest.approx(
        (0 + 2 * 20 / 40) / 2 * 100)


def test_smape_bounds():
    assert metrics.smape(Y_TRUE, Y_TRUE.copy()) == 0.0
    # one side zero, the other not: the maximum 200 %
    assert metrics.smape(np.array([0.0, 0.0]), np.array([5.0, 1e9])) == pytest.approx(200.0)
    assert metrics.smape(np.array([3.0]), np.array([0.0])) == pytest.approx(200.0)
    rng = np.random.default_rng(1)
    for _ in range(20):
        y, p = rng.normal(size=30) * 100, rng.normal(size=30) * 100
        assert 0.0 <= metrics.smape(y, p) <= 200.0


def test_smape_is_symmetric_in_its_arguments():
    assert metrics.smape(Y_TRUE, Y_PRED) == pytest.approx(metrics.smape(Y_PRED, Y_TRUE))


def test_bias_sign():
    assert metrics.bias(Y_TRUE, Y_PRED) == pytest.approx((2 - 2 + 3 + 0) / 4)
    assert metrics.bias(Y_TRUE, Y_TRUE + 5) == pytest.approx(5.0)  # over-forecast: positive
    assert metrics.bias(Y_TRUE, Y_TRUE - 5) == pytest.approx(-5.0)


def test_mase_with_a_scalar_scale():
    assert metrics.mase(Y_TRUE, Y_PRED, 2.0) == pytest.approx((2 + 2 + 3 + 0) / 4 / 2.0)


def test_mase_with_a_per_row_scale():
    scale = np.array([1.0, 2.0, 3.0, 4.0])
    # 2/1 + 2/2 + 3/3 + 0/4 = 4 -> mean 1.0
    assert metrics.mase(Y_TRUE, Y_PRED, scale) == pytest.approx(1.0)


def test_mase_leaves_out_rows_with_zero_or_missing_scale():
    scale = np.array([1.0, 0.0, np.nan, 4.0])
    # only rows 0 (2/1) and 3 (0/4) count
    assert metrics.mase(Y_TRUE, Y_PRED, scale) == pytest.approx(1.0)


def test_mase_with_no_usable_scale_is_nan():
    assert math.isnan(metrics.mase(Y_TRUE, Y_PRED, 0.0))
    assert math.isnan(metrics.mase(Y_TRUE, Y_PRED, np.array([0.0, np.nan, -1.0, 0.0])))


def test_coverage():
    y_true = np.array([1.0, 5.0, 10.0, 20.0])
    lower = np.array([0.0, 5.0, 11.0, 0.0])
    upper = np.array([2.0, 6.0, 12.0, 19.0])
    # inside, on the lower bound (inside), below, above
    assert metrics.coverage(y_true, lower, upper) == pytest.approx(0.5)


def test_coverage_bounds_are_inclusive():
    y = np.array([3.0, 4.0])
    assert metrics.coverage(y, np.array([3.0, 0.0]), np.array([9.0, 4.0])) == 1.0


def test_coverage_leaves_out_nan_bounds():
    y_true = np.array([1.0, 5.0, 10.0, 20.0])
    lower = np.array([0.0, np.nan, 11.0, 0.0])
    upper = np.array([2.0, 6.0, 12.0, np.nan])
    # rows 1 and 3 have a NaN bound; of rows 0 and 2 one is inside
    assert metrics.coverage(y_true, lower, upper) == pytest.approx(0.5)


def test_coverage_with_only_nan_bounds_is_nan():
    nan = np.full(3, np.nan)
    assert math.isnan(metrics.coverage(np.ones(3), nan, nan))


def test_point_metrics_registry():
    assert set(metrics.POINT_METRICS) == {"mae", "rmse", "r2", "mape", "smape", "bias"}
    for name, function in metrics.POINT_METRICS.items():
        value = function(Y_TRUE, Y_PRED)
        assert isinstance(value, float), name
        assert value == getattr(metrics, name)(Y_TRUE, Y_PRED)


def test_perfect_forecast_scores():
    for name in ("mae", "rmse", "mape", "smape", "bias"):
        assert metrics.POINT_METRICS[name](Y_TRUE, Y_TRUE.copy()) == 0.0, name
    assert metrics.mase(Y_TRUE, Y_TRUE.copy(), 3.0) == 0.0
