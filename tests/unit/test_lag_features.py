"""The panel features of the global lag models: correct against a per-series pandas
reference, never reading past the forecast origin, calendar and defaults by frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.lag_features import (
    HistorySpec,
    calendar_features,
    calendar_names,
    default_lags,
    default_windows,
    effective_lag,
    history_features,
    last_known,
    period_grid,
    series_age,
    usable_lags,
    window_level,
)

SPEC = HistorySpec(lags=(1, 2, 3, 4, 13, 26, 52), windows=(4, 8, 13), season=52)


@pytest.fixture(scope="module")
def panel() -> np.ndarray:
    """12 series x 150 weeks with missing cells and late starts."""
    rng = np.random.default_rng(7)
    values = rng.lognormal(3, 1, (12, 150))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[3, :40] = np.nan  # a series that starts late
    return values


def _reference(values: np.ndarray, offset: int) -> pd.DataFrame:
    """The same features the slow way: one series at a time with pandas."""
    frames = []
    for row in values:
        y = pd.Series(row)
        newest = y.shift(offset)  # the newest value a model of this offset may read
        cols = {}
        for k in SPEC.lags:
            cols[f"lag_{k}"] = y.shift(effective_lag(k, offset, SPEC.season))
        for w in SPEC.windows:
            cols[f"mean_{w}"] = newest.rolling(w, min_periods=1).mean()
            cols[f"std_{w}"] = newest.rolling(w, min_periods=1).std(ddof=0)
        seasonal = pd.concat([y.shift(k) for k in (51, 52, 53)], axis=1)
        cols["season_mean"] = seasonal.mean(axis=1)
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("offset", [1, 3, 13])
def test_history_features_match_a_per_series_pandas_reference(panel, offset):
    rows, cols = np.divmod(np.arange(panel.size), panel.shape[1])
    got = history_features(panel, rows, cols, offset, SPEC)
    want = _reference(panel, offset)
    assert list(want.columns) == SPEC.names()
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("offset", [1, 2, 5, 13])
def test_features_never_read_past_the_origin(panel, offset):
    """Whatever happens after ``column - offset`` cannot change a target's features."""
    rows = np.arange(panel.shape[0])
    cols = np.full(len(rows), 120)
    before = history_features(panel, rows, cols, offset, SPEC)
    changed = panel.copy()
    changed[:, 120 - offset + 1:] = np.random.default_rng(1).normal(1e6, 1e5,
                                                                     (12, 29 + offset))
    np.testing.assert_array_equal(history_features(changed, rows, cols, offset, SPEC),
                                  before)
    # and the cell at the origin itself is read: the test can fail
    changed[:, 120 - offset] += 1000.0
    assert not np.array_equal(history_features(changed, rows, cols, offset, SPEC), before)


def test_effective_lags_keep_the_seasonal_phase():
    assert effective_lag(52, 13, 52) == 52  # reachable: unchanged
    assert effective_lag(1, 4, 52) == 4  # the newest usable value
    assert effective_lag(3, 4, 52) == 6
    assert effective_lag(7, 10, 7) == 14  # same weekday, a week further back
    assert effective_lag(14, 20, 7) == 21


def test_defaults_follow_the_frequency():
    assert default_lags("W") == [1, 2, 3, 4, 13, 26, 52]
    assert default_lags("D") == [1, 2, 3, 4, 5, 6, 7, 14, 28, 364]
    assert default_lags("MS") == [1, 2, 3, 12]
    assert default_windows("W-FRI") == [4, 8, 13]
    assert default_windows("D") == [7, 28]
    assert default_windows("MS") == [3, 6, 12]
    assert usable_lags([1, 2, 13, 26, 52], 41) == [1, 2, 13, 26]
    assert usable_lags([13, 26], 10) == [13]


def test_row_level_age_and_last_known():
    values = np.array([[np.nan, 0.0, 2.0, np.nan, 4.0, -6.0]])
    rows = np.zeros(3, dtype=int)
    level = window_level(values, rows, np.array([0, 2, 5]), 3)
    np.testing.assert_allclose(level, [1.0, 1.0, 5.0])  # none known, max(1, 0.1), |4|,|-6|
    np.testing.assert_array_equal(series_age(values, rows, np.array([1, 3, 5]), 1, 2),
                                  [0, 2, 2])
    np.testing.assert_array_equal(last_known(values), [[np.nan, 0, 2, 2, 4, -6]])


def test_weekly_calendar_has_week_of_year_and_holidays_only_with_a_year_of_history():
    assert calendar_names("W", "ID") == ["week_of_year", "month", "holidays",
                                         "holidays_next", "holidays_prev"]
    assert calendar_names("W", None) == ["week_of_year", "month"]
    assert calendar_names("W", "ID", yearly=False) == []
    assert calendar_names("D", "ID", yearly=False) == ["day_of_week"]
    weeks = pd.date_range("2023-12-17", periods=4, freq="W-SUN")  # labels: week ends
    table = calendar_features(weeks, calendar_names("W", "US"), "US")
    # Christmas (Mon 25 Dec) falls in the week ending 31 Dec, New Year's Day (Mon 1 Jan)
    # in the week ending 7 Jan
    np.testing.assert_array_equal(table[:, 0], [50, 51, 52, 1])
    np.testing.assert_array_equal(table[:, 2], [0, 0, 1, 1])  # holidays in the week
    np.testing.assert_array_equal(table[:, 3], [0, 1, 1, 0])  # ... in the next week
    np.testing.assert_array_equal(table[:, 4], [0, 0, 0, 1])  # ... in the previous week
    with pytest.raises(ValueError, match="country_holidays='XX'"):
        calendar_features(weeks, calendar_names("W", "XX"), "XX")


def test_period_grid_covers_gaps_and_off_anchor_dates():
    dates = pd.to_datetime(["2024-01-07", "2024-01-28"])
    assert len(period_grid(dates, "W")) == 4
    odd = pd.to_datetime(["2024-01-07", "2024-01-10"])
    assert set(odd) <= set(period_grid(odd, "W"))
