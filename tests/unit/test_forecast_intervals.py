"""Conformal intervals at several levels: the math, and their coverage on the sample data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.backtest import backtest, cutoffs
from salesforge.forecast.intervals import (
    add_backtest_intervals,
    add_intervals,
    bound_columns,
    clip_bounds,
    conformal_quantile,
    halfwidths,
)
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.series import sample_series


def test_conformal_quantile_is_the_finite_sample_rank():
    errors = np.arange(1.0, 20.0)  # 19 errors: rank ceil(20 * 0.8) = 16
    assert conformal_quantile(errors, 0.8) == 16.0
    assert conformal_quantile(errors, 0.95) == 19.0  # rank 19 of 19
    assert conformal_quantile(np.array([3.0]), 0.5) == 3.0
    assert np.isnan(conformal_quantile(np.array([]), 0.8))
    assert conformal_quantile(np.array([np.nan, 2.0, 1.0]), 0.5) == 2.0


def test_halfwidths_per_series_and_level_and_their_columns():
    scored = pd.DataFrame({"series_id": ["a"] * 4 + ["b"] * 4,
                           "y_true": [1, 2, 3, 4, 10, 10, 10, 10.0],
                           "y_pred": [1, 1, 1, 1, 9, 11, 10, 14.0]})
    widths = halfwidths(scored, [0.5, 0.9])
    assert widths.loc["a", 0.5] == 2.0 and widths.loc["a", 0.9] == 3.0
    assert widths.loc["b", 0.9] == 4.0
    future = add_intervals(pd.DataFrame({"series_id": ["a", "b", "c"],
                                         "y_pred": [5.0, 6.0, 7.0]}), widths)
    assert bound_columns(0.9) == ("y_lo_90", "y_hi_90")
    assert future["y_lo_90"].tolist()[:2] == [2.0, 2.0]
    assert future["y_hi_50"].tolist()[:2] == [7.0, 7.0]
    assert future.loc[2, ["y_lo_50", "y_hi_90"]].isna().all(), "unknown series: no interval"
    assert clip_bounds(future, 0.0)["y_lo_90"].min() >= 0
    assert clip_bounds(future, None).equals(future)


def test_backtest_intervals_are_calibrated_on_the_other_windows():
    scored = pd.DataFrame({
        "series_id": "s", "cutoff": np.repeat([1, 2], 3),
        "y_true": [0.0] * 6, "y_pred": [1.0, 1.0, 1.0, 5.0, 5.0, 5.0]})
    out = add_backtest_intervals(scored, [0.8])
    # window 1 is calibrated on window 2's errors (5) and vice versa (1)
    assert out["y_hi_80"].tolist() == [6.0, 6.0, 6.0, 6.0, 6.0, 6.0]
    assert out["y_lo_80"].tolist() == [-4.0] * 3 + [4.0] * 3
    single = add_backtest_intervals(scored[scored["cutoff"] == 1], [0.8])
    assert single["y_hi_80"].tolist() == [2.0] * 3


@pytest.mark.parametrize("level", [0.8, 0.95])
def test_cross_conformal_coverage_on_the_sample_data(level):
    """Out-of-sample coverage over 6 rolling windows of the sample's category series is
    close to the nominal level (a few points either side on 6 x 14 x 4 forecasts)."""
    series = sample_series(by=["category"])
    scored = backtest(lambda: LinearForecaster(), series, "D", 14, windows=6)
    lower, upper = bound_columns(level)
    out = add_backtest_intervals(scored, [level])
    inside = ((out["y_true"] >= out[lower]) & (out["y_true"] <= out[upper])).mean()
    assert level - 0.1 <= inside <= min(1.0, level + 0.1)
    assert len(cutoffs(series, 14, 6, 14)) == 6
