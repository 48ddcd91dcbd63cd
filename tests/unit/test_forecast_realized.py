"""Realised accuracy on hand-made series: which periods count as covered, and the scoring
of an earlier forecast file against actuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.realized import COLUMNS, complete_until, score_realized


def weekly(values: list[float], start: str = "2024-01-07") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="W-SUN")
    return pd.DataFrame({"series_id": "a", "ds": ds, "y": values})


@pytest.mark.parametrize(("date_max", "expected"), [
    ("2024-03-31", "2024-03-31"),  # the data ends on the week's Sunday: complete
    ("2024-03-27", "2024-03-24"),  # ends on a Wednesday: the last week is partial
])
def test_a_partial_last_week_is_not_covered(date_max, expected):
    series = weekly([1.0] * 13)
    assert series["ds"].max() == pd.Timestamp("2024-03-31")
    assert complete_until(series, pd.Timestamp(date_max), "W-SUN") == pd.Timestamp(expected)


@pytest.mark.parametrize(("freq", "date_max", "expected"), [
    ("MS", "2024-03-31", "2024-03-01"),
    ("MS", "2024-03-15", "2024-02-01"),
    ("D", "2024-03-01", "2024-03-01"),
])
def test_month_starts_and_days(freq, date_max, expected):
    ds = pd.date_range("2024-01-01", "2024-03-01", freq=freq)
    series = pd.DataFrame({"series_id": "a", "ds": ds, "y": 1.0})
    assert complete_until(series, pd.Timestamp(date_max), freq) == pd.Timestamp(expected)


def test_scoring_an_earlier_forecast_by_hand():
    # 10 weeks of history (seasonal lag 52 > length: the naive lag-1 scale), 3 forecast weeks
    history = [10, 12, 11, 13, 12, 14, 13, 15, 14, 16]
    actual = [17, 15, 30]
    series = weekly(history + actual)
    future = series["ds"].iloc[10:].to_numpy()
    forecast = pd.DataFrame({
        "series_id": "a", "ds": np.concatenate([future, future]),
        "model": ["linear"] * 3 + ["seasonal_naive"] * 3,
        "y_pred": [16.0, 17.0, 18.0, 16.0, 16.0, 16.0],
        "y_lo": [14.0, 16.0, 16.0, 10.0, 10.0, 10.0],
        "y_hi": [18.0, 19.0, 20.0, 22.0, 22.0, 22.0]})
    until = series["ds"].iloc[11]  # the third forecast week is not covered yet
    table, summary = score_realized(series, forecast, "run-1", "W-SUN", until, "linear", 0.8)
    assert list(table.columns) == COLUMNS
    assert summary["periods"] == 2 and summary["rows"] == 4
    scale = np.mean(np.abs(np.diff(history)))
    linear = summary["models"]["linear"]
    assert linear["mase"] == pytest.approx((1 + 2) / 2 / scale)
    assert linear["bias_pct"] == pytest.approx(100 * (33 - 32) / 32)
    assert linear["coverage"] == {"80": pytest.approx(0.5)}
    rows = table[table["model"] == "linear"]
    assert list(rows["inside"]) == [True, False]  # 17 in [14, 18]; 15 below [16, 19]
    assert summary["models"]["seasonal_naive"]["coverage"] == {"80": 1.0}
    assert summary["cutoff"] == series["ds"].iloc[9].date().isoformat()


def test_nothing_to_score_is_a_note():
    series = weekly([1.0] * 5)
    later = pd.DataFrame({"series_id": "a", "ds": pd.date_range("2025-01-05", periods=2,
                                                                freq="W-SUN"),
                          "model": "linear", "y_pred": 1.0, "y_lo": 0.0, "y_hi": 2.0})
    table, summary = score_realized(series, later, "run-1", "W-SUN", series["ds"].max())
    assert table.empty and "note" in summary
