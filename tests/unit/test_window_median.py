"""The window median: the median of each series' newest values, its width chosen from the
history at fit (``salesforge.forecast.window_median``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.backtest import backtest
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.forecast.window_median import WindowMedianForecaster, default_windows


def panel(values: dict[str, np.ndarray], freq: str = "W") -> pd.DataFrame:
    frames = [pd.DataFrame({"series_id": sid, "y": np.asarray(y, dtype="float64"),
                            "ds": pd.date_range("2022-01-02", periods=len(y), freq=freq)})
              for sid, y in values.items()]
    return pd.concat(frames, ignore_index=True)[["series_id", "ds", "y"]]


def test_the_forecast_is_the_median_of_the_last_window_so_a_spike_does_not_move_it():
    history = [10, 11, 9, 10, 400, 10, 12, 9]  # a bulk order in the window
    model = WindowMedianForecaster(window=6).fit(panel({"a": history}), "W")
    forecast = model.predict(5)
    assert forecast["y_pred"].tolist() == [10.0] * 5  # median of 9, 10, 400, 10, 12, 9
    assert model.window_ == 6 and model.window_errors_ == {}


def test_each_series_gets_its_own_median_and_a_short_series_the_median_of_what_it_has():
    frame = panel({"long": np.arange(1, 21), "short": [5, 7]})
    model = WindowMedianForecaster(window=4).fit(frame, "W")
    forecast = model.predict(3).set_index("series_id")["y_pred"]
    assert forecast["long"].tolist() == [18.5] * 3  # 17, 18, 19, 20
    assert forecast["short"].tolist() == [6.0] * 3


def test_series_of_different_lengths_and_end_dates_forecast_after_their_own_last_period():
    long = panel({"a": np.full(30, 3.0)})
    late = panel({"b": [1.0, 2.0, 100.0, 2.0]})
    late["ds"] = late["ds"] + pd.Timedelta(weeks=10)
    model = WindowMedianForecaster().fit(pd.concat([long, late], ignore_index=True), "W")
    forecast = model.predict(2)
    b = forecast[forecast["series_id"] == "b"]
    assert b["ds"].min() == late["ds"].max() + pd.Timedelta(weeks=1)
    assert b["y_pred"].tolist() == [2.0, 2.0]
    assert (forecast.loc[forecast["series_id"] == "a", "y_pred"] == 3.0).all()


def test_a_level_shift_makes_the_chosen_window_short_and_stable_noise_long():
    rng = np.random.default_rng(0)
    shifting = {f"s{i}": np.r_[rng.normal(100, 5, 60), rng.normal(200, 5, 20)]
                for i in range(20)}
    stable = {f"s{i}": rng.poisson(20, 80) + rng.choice([0, 60], 80, p=[0.8, 0.2])
              for i in range(20)}
    shifted = WindowMedianForecaster().fit(panel(shifting), "W")
    steady = WindowMedianForecaster().fit(panel(stable), "W")
    assert shifted.window_ == 4
    assert steady.window_ == 26
    assert set(shifted.window_errors_) == set(default_windows("W"))
    # the chosen width has the lowest holdout error of the candidates
    assert steady.window_errors_[26] == min(steady.window_errors_.values())


def test_candidates_by_frequency_and_own_candidates():
    assert default_windows("W") == [4, 6, 8, 13, 26]
    assert default_windows("D") == [7, 14, 28, 56]
    assert default_windows("MS") == [3, 6, 12]
    assert default_windows("QS") == [2, 4, 8]
    rng = np.random.default_rng(1)
    frame = panel({"a": rng.normal(50, 10, 40)})
    model = WindowMedianForecaster(windows=[3, 5], holdout=4).fit(frame, "W")
    assert set(model.window_errors_) == {3, 5} and model.window_ in (3, 5)


def test_too_short_a_history_to_score_any_candidate_takes_the_narrowest():
    model = WindowMedianForecaster().fit(panel({"a": [4.0, 6.0, 8.0]}), "W")
    assert model.window_ == 4 and model.window_errors_ == {}
    assert model.predict(1)["y_pred"].tolist() == [6.0]


@pytest.mark.parametrize("settings", [{"window": 0}, {"windows": [0, 4]}, {"holdout": 0}])
def test_settings_below_one_period_are_refused(settings):
    frame = panel({"a": np.arange(60.0)})
    with pytest.raises(ValueError, match="at least 1"):
        WindowMedianForecaster(**settings).fit(frame, "W")


def superstore_weekly(datasets) -> pd.DataFrame:
    from salesforge.forecast.series import build_series

    raw = pd.read_csv(datasets / "superstore" / "sample_superstore.csv", encoding="utf-8-sig")
    clean = pd.DataFrame({"date": pd.to_datetime(raw["Order Date"], format="%d/%m/%y"),
                          "category": raw["Sub-Category"], "region": raw["Region"],
                          "revenue": raw["Sales"]})
    return build_series(clean, "revenue", "W", ["category", "region"])


def test_on_superstore_weekly_panels_it_beats_the_seasonal_naive(datasets):
    """Real data: 68 sub-category x region series, 4 windows of 13 weeks. Scored per series
    by its MAE over the naive's (the M4 mean of per-series ratios)."""
    series = superstore_weekly(datasets)
    scored = {name: backtest(make, series, "W", 13, windows=4)
              for name, make in (("median", WindowMedianForecaster),
                                 ("naive", SeasonalNaiveForecaster))}
    errors = {name: (rows["y_true"] - rows["y_pred"]).abs().groupby(
        [rows["series_id"], rows["cutoff"]]).mean() for name, rows in scored.items()}
    ratio = (errors["median"] / errors["naive"]).groupby(level=0).mean().mean()
    assert ratio < 0.9


def test_future_actuals_never_reach_a_window_s_forecast_or_its_width():
    """The leakage test: shuffled and tripled actuals after the first cutoff leave that
    window's forecasts (and so its chosen width) unchanged; the later window sees them."""
    from salesforge.forecast.backtest import cutoffs
    from salesforge.forecast.series import sample_series

    daily = pd.concat([sample_series(), sample_series(by=["category"])], ignore_index=True)
    points = cutoffs(daily, 14, 2, 14)
    first = backtest(WindowMedianForecaster, daily, "D", 14, 2)
    shuffled = daily.copy()
    after = shuffled["ds"] > points[0]
    rng = np.random.default_rng(0)
    shuffled.loc[after, "y"] = rng.permutation(shuffled.loc[after, "y"].to_numpy()) * 3.0
    second = backtest(WindowMedianForecaster, shuffled, "D", 14, 2)
    for frame in (first, second):
        assert frame["cutoff"].nunique() == 2
    one, two = (f[f["cutoff"] == points[0]]["y_pred"].to_numpy() for f in (first, second))
    np.testing.assert_array_equal(one, two)
    later = [f[f["cutoff"] == points[1]]["y_pred"].to_numpy() for f in (first, second)]
    assert not np.allclose(*later)
