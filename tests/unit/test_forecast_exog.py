"""Exogenous regressors (``forecast.exog``) on the bundled sample.

The sample's daily sales jump on the 11.11 and 12.12 shopping days (its documented
promotions); a promotion calendar of those days is the covariate a retailer knows ahead.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import ConfigError, DataError
from salesforge.forecast.backtest import backtest, naive_scale, score
from salesforge.forecast.exog import (
    ExogSpec,
    aggregate,
    calendar_values,
    future_values,
    read_values_file,
)
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.persistence import load_model, save_model
from salesforge.forecast.predict import predict_saved
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.forecast.series import sample_clean, sample_series, series_keys
from salesforge.plugin.manager import build_plugin_manager

PM = build_plugin_manager()
HORIZON, WINDOWS = 28, 4


def promo_calendar(end: str = "2024-03-31") -> pd.DataFrame:
    """date, shopping_day: 1 on 11.11 and 12.12 (the sample's shopping-day promotions)."""
    days = pd.date_range("2022-01-01", end, freq="D")
    return pd.DataFrame({"date": days,
                         "shopping_day": ((days.month == days.day) & (days.month >= 11))
                         .astype(int)})


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    """The sample's daily revenue with the shopping-day covariate."""
    series = sample_series("revenue", "D")
    calendar = promo_calendar().rename(columns={"date": "ds"})
    return series.merge(calendar, on="ds", how="left")


def _mase(make, series: pd.DataFrame) -> float:
    scored = backtest(make, series, "D", HORIZON, WINDOWS)
    first = scored["cutoff"].min()
    return score(scored, naive_scale(series, first, "D"))["mase"]


def test_promotion_calendar_lowers_the_linear_backtest_mase(daily):
    without = _mase(LinearForecaster, daily[["series_id", "ds", "y"]])
    with_exog = _mase(LinearForecaster, daily)
    assert with_exog < without - 0.02, (with_exog, without)
    model = LinearForecaster().fit(daily, "D")
    assert model.exog_ == ["shopping_day"]
    assert model.feature_names_[-1] == "exog_shopping_day"
    assert model.feature_importances_["exog_shopping_day"] > 0


def test_backtest_forecasts_see_the_observed_covariates_of_each_window(daily):
    scored = backtest(LinearForecaster, daily, "D", HORIZON, WINDOWS)
    days = scored.set_index("ds")
    shopping = days.loc[[pd.Timestamp("2023-11-11"), pd.Timestamp("2023-12-12")], "y_pred"]
    ordinary = days.loc[[pd.Timestamp("2023-11-04"), pd.Timestamp("2023-12-16")], "y_pred"]
    # a Saturday and a Tuesday shopping day against ordinary Saturdays of the same windows
    assert (shopping.to_numpy() > 1.5 * ordinary.to_numpy()).all()


def test_a_model_without_exog_support_ignores_the_covariates(daily):
    plain = SeasonalNaiveForecaster().fit(daily[["series_id", "ds", "y"]], "D").predict(14)
    model = SeasonalNaiveForecaster().fit(daily, "D")
    assert model.exog_ == []
    pd.testing.assert_frame_equal(model.predict(14), plain)


def test_predict_needs_the_future_covariates(daily):
    model = LinearForecaster().fit(daily, "D")
    with pytest.raises(ValueError, match="predict needs their future values"):
        model.predict(7)
    future = promo_calendar("2024-01-05").rename(columns={"date": "ds"}).assign(
        series_id="total")
    with pytest.raises(ValueError, match=r"'shopping_day' for series 'total' in the period "
                                         r"2024-01-06"):
        model.predict(7, exog=future)
    got = model.predict(5, exog=future)
    assert list(got.columns) == ["series_id", "ds", "step", "y_pred"]


def test_covariates_aggregate_per_series_and_period_mean_or_max():
    clean = sample_clean()
    clean["weekend"] = (clean["date"].dt.day_of_week >= 5).astype(int)
    weekly = aggregate(clean, series_keys(clean, ["category"]), ["price", "weekend"], "W",
                       "the data")
    expected = clean.groupby(["category", pd.Grouper(key="date", freq="W")],
                             observed=True)["price"].mean()
    row = weekly.iloc[5]
    assert row["price"] == pytest.approx(expected.loc[(row["series_id"], row["ds"])])
    assert set(weekly["weekend"]) == {1.0}  # every week has a weekend day with sales


def test_calendar_covariates_are_computed_for_any_period():
    spec = ExogSpec(["hol_is_holiday"], calendar={"hol_is_holiday": ("holidays", {})})
    days = pd.date_range("2024-12-20", "2025-01-03", freq="D")
    values = calendar_values(spec, PM, days, "D").set_index("ds")["hol_is_holiday"]
    assert values[pd.Timestamp("2024-12-25")] == 1 and values[pd.Timestamp("2025-01-01")] == 1
    assert values[pd.Timestamp("2024-12-27")] == 0
    weekly = calendar_values(spec, PM, pd.date_range("2024-12-22", periods=3, freq="W"), "W")
    # weeks ending 22 Dec (none), 29 Dec (Christmas), 5 Jan (New Year): max over the days
    assert weekly["hol_is_holiday"].tolist() == [0.0, 1.0, 1.0]


def test_missing_future_values_are_one_sentence_naming_file_column_series_and_period(
        tmp_path, daily):
    spec = ExogSpec(["shopping_day"])
    with pytest.raises(DataError) as error:
        future_values(spec, PM, daily, "D", HORIZON, [])
    assert "forecast.exog_future" in str(error.value) and "'shopping_day'" in str(error.value)
    short = tmp_path / "plan.csv"
    promo_calendar("2024-01-10").to_csv(short, index=False)
    spec.future_file = str(short)
    with pytest.raises(DataError) as error:
        future_values(spec, PM, daily, "D", HORIZON, [])
    assert str(error.value) == (
        f"forecast.exog_future file {short} has no value of 'shopping_day' for series "
        "'total' in the period 2024-01-11 (the forecast needs the 28 periods after the data).")
    bad = tmp_path / "bad.csv"
    promo_calendar().drop(columns="shopping_day").to_csv(bad, index=False)
    with pytest.raises(DataError, match="has no column 'shopping_day'"):
        read_values_file(bad, [], ["shopping_day"], "D")


def test_values_file_by_series_must_name_every_by_column(tmp_path):
    plan = promo_calendar().assign(category="Storage")
    path = tmp_path / "plan.parquet"
    plan.to_parquet(path)
    values = read_values_file(path, ["category"], ["shopping_day"], "W")
    assert set(values["series_id"]) == {"Storage"}
    assert values["shopping_day"].sum() == 4  # the weeks of 11.11 and 12.12, 2022 and 2023
    with pytest.raises(DataError, match="has no column 'region'"):
        read_values_file(path, ["category", "region"], ["shopping_day"], "W")
    shared = read_values_file(path, ["region"], ["shopping_day"], "W")  # no by column at all
    assert "series_id" not in shared.columns  # values for every series
    with pytest.raises(ConfigError, match=r"forecast\.exog_future=.*is not a file"):
        read_values_file(tmp_path / "absent.csv", [], ["shopping_day"], "D")


def test_saved_model_keeps_its_covariates(tmp_path, daily):
    model = LinearForecaster().fit(daily, "D")
    save_model(model, "linear", tmp_path / "linear", {"freq": "D", "horizon": 14, "by": [],
                                                      "exog": {"columns": ["shopping_day"],
                                                               "calendar": {}}})
    loaded, _ = load_model(tmp_path / "linear", PM.registry)
    future = promo_calendar().rename(columns={"date": "ds"}).assign(series_id="total")
    pd.testing.assert_frame_equal(loaded.predict(14, exog=future), model.predict(14, exog=future))
    with pytest.raises(ConfigError, match="pass exog_future="):
        predict_saved(tmp_path / "linear", 14, PM.registry)
    plan = tmp_path / "plan.csv"
    promo_calendar().to_csv(plan, index=False)
    got = predict_saved(tmp_path / "linear", 14, PM.registry, exog_future=str(plan))
    np.testing.assert_allclose(got["y_pred"], model.predict(14, exog=future)["y_pred"])


def mudik_days(ds: pd.Series) -> pd.Series:
    """1 in the two weeks before Lebaran (the sample's documented mudik shopping surge)."""
    from salesforge.data.sample import RAMADAN_PERIODS

    flag = pd.Series(0, index=ds.index)
    for period in RAMADAN_PERIODS:
        lebaran = pd.Timestamp(period.lebaran)
        flag[(ds >= lebaran - pd.Timedelta(days=14)) & (ds < lebaran)] = 1
    return flag


@pytest.mark.parametrize("name", ["xgboost", "random_forest", "prophet"])
def test_other_exog_models_fit_and_use_the_covariates(name, daily):
    """Tree leaves hold at least 5 rows, so they learn a covariate seen on 28 days (mudik),
    not one seen on 4 (the shopping days)."""
    pytest.importorskip({"xgboost": "xgboost", "prophet": "prophet"}.get(name, "sklearn"))
    settings = {"n_estimators": 50} if name != "prophet" else {"uncertainty_samples": 0}
    frame = daily.assign(mudik=mudik_days(daily["ds"]))
    model = PM.create("forecaster", name, settings).fit(frame, "D")
    assert model.exog_ == ["shopping_day", "mudik"]
    future = promo_calendar().rename(columns={"date": "ds"}).assign(series_id="total", mudik=0)
    base = model.predict(14, exog=future)["y_pred"].to_numpy()
    boosted = model.predict(14, exog=future.assign(mudik=1))["y_pred"].to_numpy()
    assert boosted.mean() > 1.1 * base.mean()  # the mudik weeks sell more
    if name != "prophet":
        assert model.feature_importances_["exog_mudik"] > 0
    else:
        assert model.feature_importances_["exogenous"] > 0


@pytest.mark.slow
def test_run_with_a_promo_column_and_its_plan(cli, tmp_path):
    """End to end: the data carries the promotion column, the plan file its future."""
    sales = pd.read_csv(_sample_path(), parse_dates=["date"])
    days = sales["date"].dt
    sales["promo"] = ((days.month == days.day) & (days.month >= 11)).astype(int)
    data = tmp_path / "sales.csv"
    sales.to_csv(data, index=False)
    plan = tmp_path / "plan.csv"
    promo_calendar().rename(columns={"shopping_day": "promo"}).to_csv(plan, index=False)
    quick = ["forecaster=[seasonal_naive,linear]", "stages.segment=false",
             "stages.detect=false", "stages.analytics=false", "stages.report=false",
             f"data.path={data}", "forecast.exog=[promo]"]
    run_dir = tmp_path / "run"
    result = cli("run", *quick, f"forecast.exog_future={plan}", f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    exog = manifest["forecast"]["exog"]
    assert exog["columns"] == ["promo"] and exog["used_by"] == ["linear"]
    assert exog["ignored_by"] == ["seasonal_naive"]
    saved = json.loads((run_dir / "models/linear/model.json").read_text())
    assert saved["exog"] == {"columns": ["promo"], "calendar": {}}
    failed = cli("run", *quick, f"hydra.run.dir={tmp_path / 'failed'}")
    assert failed.returncode != 0
    assert ("config key forecast.exog names 'promo', whose future values are unknown: give "
            "them with forecast.exog_future=") in failed.stderr


def _sample_path():
    from salesforge.data.sample import sample_path

    return sample_path()
