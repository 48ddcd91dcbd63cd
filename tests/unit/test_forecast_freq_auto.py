"""``forecast.freq=auto`` infers D / W-<day> / MS / QS from the dates; ``forecast.by`` and
``forecast.exog`` take the source file's column names as well as the clean ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge import run
from salesforge.composition import compose
from salesforge.errors import ConfigError
from salesforge.forecast.frequency import infer_freq, resolve_freq
from salesforge.forecast.source_names import resolve_columns

QUICK = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "forecaster=[seasonal_naive,linear]",
         "forecast.save_models=false", "forecast.intermittent=[]"]


def config(*overrides: str):
    return compose([*QUICK, *overrides])


def test_daily_transactions_with_times_and_weekly_gaps_are_daily():
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    days = days[days.day_of_week != 5]  # no Saturdays, like the Online Retail shop
    stamps = pd.Series(np.repeat(days, 3)) + pd.to_timedelta(
        np.tile([8, 12, 17], len(days)), unit="h")
    assert infer_freq(stamps) == "D"


def test_dates_on_one_weekday_are_weekly_anchored_there():
    fridays = pd.Series(pd.date_range("2023-01-06", periods=60, freq="W-FRI"))
    assert infer_freq(fridays) == "W-FRI"
    sundays = pd.Series(pd.date_range("2023-01-01", periods=10, freq="W-SUN").repeat(4))
    assert infer_freq(sundays) == "W-SUN"
    assert infer_freq(fridays.drop(index=[3, 4, 5])) == "W-FRI"  # missing weeks too


def test_month_starts_and_month_ends_are_monthly():
    assert infer_freq(pd.Series(pd.date_range("2020-01-01", periods=36, freq="MS"))) == "MS"
    assert infer_freq(pd.Series(pd.date_range("2020-01-31", periods=36, freq="ME"))) == "MS"


def test_quarter_starts_and_ends_are_quarterly_with_their_anchor():
    assert infer_freq(pd.Series(pd.date_range("2015-01-01", periods=20, freq="QS"))) == "QS"
    assert infer_freq(pd.Series(pd.date_range("2015-02-01", periods=20,
                                              freq="QS-FEB"))) == "QS-FEB"
    ends = pd.Series(pd.date_range("2015-03-31", periods=20, freq="QE"))  # Jan-Mar quarters
    assert infer_freq(ends) == "QS"


def test_too_few_dates_are_daily_and_explicit_values_are_checked():
    assert infer_freq(pd.Series(pd.to_datetime(["2024-03-01"] * 5))) == "D"
    dates = pd.Series(pd.date_range("2024-01-05", periods=8, freq="W-FRI"))
    assert resolve_freq("auto", dates) == ("W-FRI", True)
    assert resolve_freq("MS", dates) == ("MS", False)
    with pytest.raises(ConfigError, match=r"forecast\.freq='fortnightly'"):
        resolve_freq("fortnightly", dates)


def weekly_store_file(tmp_path, region_column: bool = False):
    """Weekly Friday sales of 2 stores x 2 departments with the source names Store and Dept
    (and, optionally, a region column, so that Store is not mapped to region)."""
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2021-01-01", periods=80, freq="W-FRI")
    rows = []
    for store in (1, 2):
        for dept in ("Grocery", "Toys"):
            level = 100.0 * store + (50 if dept == "Toys" else 0)
            sales = level + 10 * np.sin(np.arange(80) / 8) + rng.normal(0, 3, 80)
            rows.append(pd.DataFrame({"Date": weeks, "Store": store, "Dept": dept,
                                      "Weekly_Sales": sales, "Promo": rng.integers(0, 2, 80)}))
    frame = pd.concat(rows, ignore_index=True)
    if region_column:
        frame["Region"] = "North"
    path = tmp_path / "stores.csv"
    frame.to_csv(path, index=False)
    return path


def test_weekly_store_file_infers_w_fri_and_takes_source_names_in_forecast_by(tmp_path):
    path = weekly_store_file(tmp_path)
    result = run(config(f"data.path={path}", "forecast.by=[Store,Dept]", "forecast.horizon=4",
                        "backtest.windows=2"), tmp_path / "run")
    assert result.ok, result.manifest.get("error")
    forecast, data = result.manifest["forecast"], result.manifest["data"]
    assert data["columns_mapped"]["region"] == "Store"
    assert data["columns_mapped"]["category"] == "Dept"
    assert forecast["freq"] == "W-FRI" and forecast["freq_inferred"] is True
    assert forecast["by"] == ["region", "category"]
    assert forecast["by_given"] == ["Store", "Dept"]
    assert forecast["series"] == 4
    future = pd.read_csv(tmp_path / "run/forecast/forecast.csv", parse_dates=["ds"])
    assert set(future["series_id"]) == {"1 | Grocery", "1 | Toys", "2 | Grocery", "2 | Toys"}
    assert (future["ds"].dt.day_of_week == 4).all()


def test_an_unmapped_source_column_and_a_source_named_covariate(tmp_path):
    path = weekly_store_file(tmp_path, region_column=True)
    plan = tmp_path / "plan.csv"
    pd.DataFrame({"ds": pd.date_range("2022-07-15", periods=4, freq="W-FRI"),
                  "Promo": [1, 0, 1, 0]}).to_csv(plan, index=False)
    result = run(config(f"data.path={path}", "forecast.by=[Store]", "forecast.horizon=4",
                        "backtest.windows=2", "forecast.freq=auto", "forecast.exog=[promo]",
                        f"forecast.exog_future={plan}"), tmp_path / "run")
    assert result.ok, result.manifest.get("error")
    forecast = result.manifest["forecast"]
    assert result.manifest["data"]["columns_mapped"]["region"] == "Region"
    assert forecast["by"] == ["Store"] and forecast["series"] == 2
    assert forecast["exog"]["columns"] == ["Promo"]
    assert "linear" in forecast["exog"]["used_by"]


def test_resolving_names_by_hand():
    columns = ["date", "region", "category", "revenue", "Store_code"]
    mapped = {"date": "Date", "region": "Store", "category": "Dept", "revenue": "Weekly Sales"}
    assert resolve_columns(["Store", "Dept"], columns, mapped, "forecast.by") == \
        ["region", "category"]
    assert resolve_columns(["store", "DEPT", "store code"], columns, mapped, "forecast.by") == \
        ["region", "category", "Store_code"]
    assert resolve_columns(["category"], columns, mapped, "forecast.by") == ["category"]
    with pytest.raises(ConfigError, match=r"forecast\.by names column 'Shelf'.*Store -> "):
        resolve_columns(["Shelf"], columns, mapped, "forecast.by")
    with pytest.raises(ConfigError, match=r"forecast\.by names the same column twice"):
        resolve_columns(["Store", "region"], columns, mapped, "forecast.by")
    assert resolve_columns(["plan_only"], columns, mapped, "forecast.exog",
                           strict=False) == ["plan_only"]
