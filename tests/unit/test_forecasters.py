"""Unit tests for the seasonal-naive and linear forecasters, backtests and season lengths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.backtest import (
    backtest,
    cutoffs,
    interval_halfwidth,
    naive_scale,
    score,
)
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.forecast.seasonality import season_length

WEEKLY = np.array([0.90, 0.92, 0.95, 1.00, 1.10, 1.25, 1.20])  # Mon..Sun


def weekly_trend(periods: int, start: str = "2022-01-03",
                 series: tuple[tuple[str, float, float], ...] = (("big", 5000.0, 4.0),
                                                                 ("small", 100.0, 0.05)),
                 noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Daily tidy series: (level + slope * t) * weekday factor (+ optional noise)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=periods, freq="D")
    t = np.arange(periods)
    frames = []
    for sid, level, slope in series:
        y = (level + slope * t) * WEEKLY[ds.day_of_week]
        if noise:
            y = y * (1 + rng.normal(0, noise, size=periods))
        frames.append(pd.DataFrame({"series_id": sid, "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def split(frame: pd.DataFrame, train_periods: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cutoff = np.sort(frame["ds"].unique())[train_periods - 1]
    return frame[frame["ds"] <= cutoff], frame[frame["ds"] > cutoff]


# --- season_length -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("D", 7), ("W", 52), ("W-FRI", 52), ("W-SUN", 52), ("MS", 12), ("ME", 12), ("QS", 4),
     ("QE", 4), ("h", 24), ("2D", 7), ("B", 5), ("min", 60), ("YS", 1), ("YE", 1)],
)
def test_season_length(freq, expected):
    assert season_length(freq) == expected


@pytest.mark.parametrize("freq", ["daily", "XYZ"])
def test_season_length_rejects_unknown_frequencies(freq):
    with pytest.raises(ValueError):
        season_length(freq)


@pytest.mark.parametrize(("freq", "expected"),
                         [("SMS", 24), ("SME", 24), ("BMS", 12), ("BME", 12), ("BQE", 4),
                          ("BQS", 4)])
def test_season_length_of_semi_month_and_business_frequencies(freq, expected):
    assert season_length(freq) == expected


# --- seasonal naive ------------------------------------------------------------------------


def test_seasonal_naive_repeats_the_last_week_for_daily_data():
    frame = weekly_trend(60, noise=0.05, seed=1)
    model = SeasonalNaiveForecaster().fit(frame, "D")
    forecast = model.predict(21)
    for sid, group in frame.groupby("series_id"):
        last_week = group.sort_values("ds")["y"].to_numpy()[-7:]
        predicted = forecast.loc[forecast["series_id"] == sid].sort_values("ds")
        np.testing.assert_array_equal(predicted["y_pred"].to_numpy(), np.tile(last_week, 3))
        # same weekday, same value
        last_days = group.sort_values("ds").tail(7)
        by_weekday = dict(zip(last_days["ds"].dt.day_of_week, last_days["y"], strict=True))
        for ds, value in zip(predicted["ds"], predicted["y_pred"], strict=True):
            assert value == by_weekday[ds.day_of_week]


def test_seasonal_naive_future_dates_and_steps():
    frame = weekly_trend(30)
    forecast = SeasonalNaiveForecaster().fit(frame, "D").predict(5)
    assert list(forecast.columns) == ["series_id", "ds", "step", "y_pred"]
    big = forecast[forecast["series_id"] == "big"]
    assert list(big["ds"]) == list(pd.date_range(frame["ds"].max() + pd.Timedelta(days=1),
                                                 periods=5, freq="D"))
    assert list(big["step"]) == [1, 2, 3, 4, 5]
    assert len(forecast) == 10


def test_seasonal_naive_monthly_repeats_the_last_year():
    ds = pd.date_range("2020-01-01", periods=40, freq="MS")
    y = np.arange(40, dtype=float) ** 1.5
    frame = pd.DataFrame({"series_id": "total", "ds": ds, "y": y})
    forecast = SeasonalNaiveForecaster().fit(frame, "MS").predict(15)
    np.testing.assert_array_equal(forecast["y_pred"], np.concatenate([y[-12:], y[-12:-9]]))
    assert forecast["ds"].iloc[0] == pd.Timestamp("2023-05-01")


def test_seasonal_naive_explicit_season_length():
    frame = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2024-01-01", periods=6),
                          "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    forecast = SeasonalNaiveForecaster(season_length=2).fit(frame, "D").predict(5)
    np.testing.assert_array_equal(forecast["y_pred"], [5.0, 6.0, 5.0, 6.0, 5.0])
    one = SeasonalNaiveForecaster(season_length=1).fit(frame, "D").predict(3)
    np.testing.assert_array_equal(one["y_pred"], [6.0, 6.0, 6.0])


def test_seasonal_naive_single_point_series_repeats_it():
    frame = pd.DataFrame({"series_id": ["a", "b", "b", "b", "b", "b", "b", "b", "b"],
                          "ds": [pd.Timestamp("2024-01-08"),
                                 *pd.date_range("2024-01-01", periods=8)],
                          "y": [42.0, 1, 2, 3, 4, 5, 6, 7, 8]})
    forecast = SeasonalNaiveForecaster().fit(frame, "D").predict(4)
    a = forecast[forecast["series_id"] == "a"]
    np.testing.assert_array_equal(a["y_pred"], [42.0] * 4)
    b = forecast[forecast["series_id"] == "b"]
    np.testing.assert_array_equal(b["y_pred"], [2.0, 3.0, 4.0, 5.0])


def test_seasonal_naive_short_series_falls_back_to_the_last_value():
    frame = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2024-01-01", periods=3),
                          "y": [1.0, 2.0, 3.0]})
    forecast = SeasonalNaiveForecaster().fit(frame, "D").predict(5)
    np.testing.assert_array_equal(forecast["y_pred"], [3.0] * 5)


def test_seasonal_naive_rejects_zero_season_length():
    with pytest.raises(ValueError, match="season_length"):
        SeasonalNaiveForecaster(season_length=0).fit(weekly_trend(20), "D")


def test_seasonal_naive_rejects_negative_season_length():
    with pytest.raises(ValueError, match="season_length"):
        SeasonalNaiveForecaster(season_length=-1).fit(weekly_trend(20), "D")


def test_forecasters_need_fit_and_a_positive_horizon():
    with pytest.raises(RuntimeError, match="fit"):
        SeasonalNaiveForecaster().predict(3)
    with pytest.raises(RuntimeError, match="fit"):
        LinearForecaster().predict(3)
    model = SeasonalNaiveForecaster().fit(weekly_trend(14), "D")
    with pytest.raises(ValueError, match="horizon"):
        model.predict(0)


def test_forecasters_reject_missing_y():
    frame = weekly_trend(14)
    frame.loc[3, "y"] = np.nan
    for model in (SeasonalNaiveForecaster(), LinearForecaster()):
        with pytest.raises(ValueError, match="missing y"):
            model.fit(frame, "D")


# --- linear --------------------------------------------------------------------------------


def test_linear_recovers_a_clean_weekly_and_trend_signal():
    frame = weekly_trend(428)
    train, test = split(frame, 400)
    forecast = LinearForecaster().fit(train, "D").predict(28)
    scored = forecast.merge(test, on=["series_id", "ds"], how="inner")
    assert len(scored) == 2 * 28
    ape = (scored["y_pred"] - scored["y"]).abs() / scored["y"]
    # observed: mean 2.1 % / 1.8 %, max 4.5 % for the two series
    per_series = ape.groupby(scored["series_id"]).agg(["mean", "max"])
    assert (per_series["mean"] < 0.05).all(), per_series
    assert (per_series["max"] < 0.10).all(), per_series
    # the weekly shape is recovered: the Saturday forecast beats the Monday one each week
    big = scored[scored["series_id"] == "big"].set_index("ds")["y_pred"]
    saturdays = big[big.index.day_of_week == 5].to_numpy()
    mondays = big[big.index.day_of_week == 0].to_numpy()
    assert (saturdays > mondays * 1.2).all()


def test_linear_extrapolates_a_trend_across_an_unseen_month():
    ds = pd.date_range("2023-01-02", periods=140, freq="D")  # training ends 23 April
    frame = pd.DataFrame({"series_id": "s", "ds": ds, "y": 100 + 0.5 * np.arange(140.0)})
    train, test = split(frame, 112)
    forecast = LinearForecaster().fit(train, "D").predict(28)
    ape = (forecast["y_pred"].to_numpy() - test["y"].to_numpy()) / test["y"].to_numpy()
    assert np.abs(ape).mean() < 0.10


def test_linear_is_deterministic():
    frame = weekly_trend(200, noise=0.1, seed=4)
    first = LinearForecaster().fit(frame, "D").predict(14)
    second = LinearForecaster().fit(frame.sample(frac=1.0, random_state=3), "D").predict(14)
    pd.testing.assert_frame_equal(first, second)


def test_linear_parameters_change_the_model():
    frame = weekly_trend(200, noise=0.1, seed=4)
    default = LinearForecaster().fit(frame, "D")
    # the daily defaults but 364, which needs more than these 200 days of history
    assert default.lags_ == [1, 2, 3, 4, 5, 6, 7, 14, 28]
    custom = LinearForecaster(alpha=10.0, lags=[7, 14]).fit(frame, "D")
    assert custom.lags_ == [7, 14]
    assert not np.allclose(default.predict(7)["y_pred"], custom.predict(7)["y_pred"])


def test_linear_handles_a_series_shorter_than_its_lags():
    frame = pd.concat([
        weekly_trend(60, series=(("long", 1000.0, 1.0),)),
        pd.DataFrame({"series_id": "new", "ds": pd.date_range("2022-02-28", periods=3),
                      "y": [50.0, 55.0, 60.0]}),
    ], ignore_index=True)
    forecast = LinearForecaster().fit(frame, "D").predict(7)
    assert np.isfinite(forecast["y_pred"]).all()
    new = forecast[forecast["series_id"] == "new"]["y_pred"]
    assert (new > 0).all() and (new < 200).all()  # stays near its own scale


# --- no look-ahead -------------------------------------------------------------------------


@pytest.mark.parametrize("make_model", [SeasonalNaiveForecaster, LinearForecaster])
def test_perturbing_rows_after_the_cutoff_changes_nothing(make_model):
    frame = weekly_trend(150, noise=0.05, seed=2)
    cutoff = frame["ds"].sort_values().unique()[119]
    baseline = make_model().fit(frame[frame["ds"] <= cutoff], "D").predict(14)
    perturbed = frame.copy()
    after = perturbed["ds"] > cutoff
    perturbed.loc[after, "y"] = np.random.default_rng(9).permutation(
        perturbed.loc[after, "y"].to_numpy()) * 7.0 + 1234.0
    again = make_model().fit(perturbed[perturbed["ds"] <= cutoff], "D").predict(14)
    pd.testing.assert_frame_equal(baseline, again)
    # and the fit did depend on the data it was given
    shifted = frame[frame["ds"] <= cutoff].assign(y=lambda f: f["y"] * 2)
    doubled = make_model().fit(shifted, "D").predict(14)
    np.testing.assert_allclose(doubled["y_pred"], baseline["y_pred"] * 2, rtol=1e-6)


@pytest.mark.parametrize("make_model", [SeasonalNaiveForecaster, LinearForecaster])
def test_backtest_predictions_ignore_actuals_after_each_cutoff(make_model):
    frame = weekly_trend(150, noise=0.05, seed=3)
    windows, horizon, step = 3, 7, 10
    baseline = backtest(make_model, frame, "D", horizon, windows=windows, step=step)
    assert len(baseline) == windows * horizon * 2
    rng = np.random.default_rng(11)
    for k, cutoff in enumerate(cutoffs(frame, horizon, windows, step)):
        scrambled = frame.copy()
        after = scrambled["ds"] > cutoff
        scrambled.loc[after, "y"] = rng.permutation(scrambled.loc[after, "y"].to_numpy()) + 50
        result = backtest(make_model, scrambled, "D", horizon, windows=windows, step=step)
        window = result["cutoff"] == cutoff
        assert window.sum() == horizon * 2
        # this window (and every earlier one) forecasts exactly as before ...
        up_to_k = result["cutoff"] <= cutoff
        np.testing.assert_array_equal(result.loc[up_to_k, "y_pred"],
                                      baseline.loc[up_to_k, "y_pred"])
        # ... only its actuals changed
        assert not np.allclose(result.loc[window, "y_true"], baseline.loc[window, "y_true"])
        if k < windows - 1:  # later windows train on scrambled data, so they differ
            assert not np.allclose(result.loc[~up_to_k, "y_pred"],
                                   baseline.loc[~up_to_k, "y_pred"])


def test_backtest_rows_and_columns():
    frame = weekly_trend(100)
    result = backtest(SeasonalNaiveForecaster, frame, "D", horizon=7, windows=2)
    assert list(result.columns) == ["series_id", "cutoff", "ds", "y_true", "y_pred"]
    assert (result["ds"] > result["cutoff"]).all()
    assert (result["ds"] <= result["cutoff"] + pd.Timedelta(days=7)).all()
    merged = result.merge(frame, on=["series_id", "ds"])
    np.testing.assert_array_equal(merged["y_true"], merged["y"])
    # step defaults to the horizon
    assert sorted(result["cutoff"].unique()) == [pd.Timestamp("2022-03-29"),
                                                 pd.Timestamp("2022-04-05")]


# --- cutoffs -------------------------------------------------------------------------------


def test_cutoffs_spacing_and_position():
    frame = weekly_trend(100)
    periods = np.sort(frame["ds"].unique())
    result = cutoffs(frame, horizon=7, windows=4, step=5)
    assert len(result) == 4
    assert np.diff(result).tolist() == [pd.Timedelta(days=5)] * 3
    assert result[-1] == pd.Timestamp(periods[-1]) - pd.Timedelta(days=7)  # last leaves h
    assert result == sorted(result)


def test_cutoffs_of_a_monthly_series():
    frame = pd.DataFrame({"series_id": "s", "ds": pd.date_range("2020-01-01", periods=36,
                                                                 freq="MS"), "y": 1.0})
    result = cutoffs(frame, horizon=6, windows=2, step=3)
    assert result == [pd.Timestamp("2022-03-01"), pd.Timestamp("2022-06-01")]


def test_cutoffs_need_some_history():
    frame = weekly_trend(10)
    assert len(cutoffs(frame, horizon=8, windows=1, step=8)) == 1  # 2 periods of history
    with pytest.raises(ValueError) as info:
        cutoffs(frame, horizon=9, windows=1, step=9)
    assert "10 periods" in str(info.value)
    assert "at least 11" in str(info.value)
    with pytest.raises(ValueError, match="at least"):
        cutoffs(frame, horizon=3, windows=4, step=3)
    with pytest.raises(ValueError, match="at least"):
        backtest(SeasonalNaiveForecaster, frame, "D", horizon=30)


# --- scale, intervals and score ------------------------------------------------------------


def test_naive_scale_by_hand():
    ds = pd.date_range("2024-01-01", periods=10)
    frame = pd.concat([
        pd.DataFrame({"series_id": "long", "ds": ds, "y": np.arange(10.0) ** 2}),
        pd.DataFrame({"series_id": "short", "ds": ds[:3], "y": [1.0, 4.0, 2.0]}),
        pd.DataFrame({"series_id": "single", "ds": ds[:1], "y": [5.0]}),
    ], ignore_index=True)
    scale = naive_scale(frame, ds[8], "D")
    # long: y up to index 8 = 0,1,4,...,64; lag 7: |49-0| and |64-1| -> mean 56
    assert scale["long"] == pytest.approx((49 + 63) / 2)
    # short: lag 1 fallback: |4-1|, |2-4| -> 2.5
    assert scale["short"] == pytest.approx(2.5)
    assert np.isnan(scale["single"])


def test_interval_halfwidth_gives_the_level_coverage_on_its_residuals():
    rng = np.random.default_rng(5)
    rows = 2000
    scored = pd.DataFrame({
        "series_id": np.repeat(["calm", "wild"], rows // 2),
        "y_pred": 100.0,
    })
    scored["y_true"] = scored["y_pred"] + rng.normal(0, 1, rows) * np.where(
        scored["series_id"] == "wild", 20.0, 2.0)
    for level in (0.5, 0.8, 0.95):
        width = interval_halfwidth(scored, level)
        assert width["wild"] > 5 * width["calm"]
        inside = (scored["y_true"] - scored["y_pred"]).abs() <= scored["series_id"].map(width)
        per_series = inside.groupby(scored["series_id"]).mean()
        assert per_series.to_numpy() == pytest.approx([level, level], abs=0.01)


def test_interval_halfwidth_is_the_error_quantile():
    scored = pd.DataFrame({"series_id": "s", "y_true": [1.0, 2.0, 3.0, 4.0, 5.0],
                           "y_pred": [1.0, 3.0, 6.0, 0.0, 10.0]})  # |errors| 0, 1, 3, 4, 5
    assert interval_halfwidth(scored, 0.5)["s"] == pytest.approx(3.0)
    assert interval_halfwidth(scored, 1.0)["s"] == pytest.approx(5.0)


def test_score_combines_metrics_scale_and_coverage():
    scored = pd.DataFrame({
        "series_id": ["a", "a", "b", "b"],
        "y_true": [10.0, 20.0, 30.0, 40.0],
        "y_pred": [12.0, 18.0, 33.0, 40.0],
    })
    scale = pd.Series({"a": 2.0, "b": 3.0})
    result = score(scored, scale)
    assert result["mae"] == pytest.approx(7 / 4)
    assert result["mase"] == pytest.approx((2 / 2 + 2 / 2 + 3 / 3 + 0 / 3) / 4)
    assert "coverage" not in result
    with_bounds = scored.assign(y_lo=[9.0, 19.0, 34.0, np.nan], y_hi=[11.0, 21.0, 35.0, 50.0])
    assert score(with_bounds, scale)["coverage"] == pytest.approx(2 / 3)
