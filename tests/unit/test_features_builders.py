"""Feature builders: calendar, holidays with Ramadan/Lebaran, lags without leakage, price
tiers, frequency encoding and promotions."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import ConfigError
from salesforge.features.calendar import CalendarFeatures
from salesforge.features.frequency import FrequencyFeatures
from salesforge.features.holiday_calendar import HolidayFeatures
from salesforge.features.lags import LagFeatures
from salesforge.features.price_tiers import PriceTierFeatures
from salesforge.features.promotions import PromotionFeatures
from salesforge.testing import example_transactions


def dated(*days: str, **columns) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(list(days)), **columns})


def test_calendar_columns():
    out = CalendarFeatures().fit_transform(dated("2024-02-29", "2024-03-01", "2024-12-28"))
    row = out.iloc[0]
    assert (row["cal_year"], row["cal_quarter"], row["cal_month"]) == (2024, 1, 2)
    assert list(out["cal_is_month_end"]) == [1, 0, 0]
    assert list(out["cal_is_month_start"]) == [0, 1, 0]
    assert list(out["cal_is_weekend"]) == [0, 0, 1]  # 28 Dec 2024 is a Saturday
    assert list(out["cal_day_of_week"]) == [3, 4, 5]


def test_holidays_in_indonesia_with_ramadan_and_lebaran():
    out = HolidayFeatures().fit_transform(
        dated("2023-03-22", "2023-03-23", "2023-04-21", "2023-04-22", "2023-04-28",
              "2023-04-29", "2023-08-17"))
    assert list(out["hol_is_holiday"]) == [1, 0, 0, 1, 0, 0, 1]  # Nyepi, Lebaran, 17 Aug
    assert list(out["hol_is_ramadan"]) == [0, 1, 1, 0, 0, 0, 0]
    assert list(out["hol_days_to_lebaran"][:4]) == [31, 30, 1, 0]
    assert list(out["hol_is_lebaran_period"]) == [0, 0, 0, 1, 1, 0, 0]
    assert out["hol_days_to_holiday"].iloc[2] == 1
    assert out["hol_days_since_holiday"].iloc[5] == 6


def test_holidays_of_another_country_and_a_bad_code():
    out = HolidayFeatures(country="US", ramadan=False).fit_transform(
        dated("2024-07-04", "2024-07-05"))
    assert list(out.columns[1:]) == ["hol_is_holiday", "hol_days_to_holiday",
                                     "hol_days_since_holiday"]
    assert list(out["hol_is_holiday"]) == [1, 0]
    with pytest.raises(ConfigError, match=r"features\.holidays\.country='XX'"):
        HolidayFeatures(country="XX").fit_transform(dated("2024-07-04"))


def lag_frame() -> pd.DataFrame:
    return dated("2024-01-01", "2024-01-02", "2024-01-02", "2024-01-04", "2024-01-01",
                 "2024-01-08", product=["A", "A", "A", "A", "B", "A"],
                 quantity=[1.0, 2.0, 3.0, 4.0, 10.0, 5.0])


def test_lags_and_rolling_use_past_days_of_the_same_series():
    out = LagFeatures(lags=[1, 2, 7], windows=[3]).fit_transform(lag_frame())
    assert list(out["quantity_lag_1d"]) == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert list(out["quantity_lag_2d"]) == [0.0, 0.0, 0.0, 5.0, 0.0, 0.0]
    assert list(out["quantity_lag_7d"]) == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    np.testing.assert_allclose(out["quantity_mean_3d"], [0, 1 / 3, 1 / 3, 2, 0, 0])
    np.testing.assert_allclose(out["quantity_std_3d"].iloc[3], np.std([1, 5, 0]))


def test_lags_do_not_leak_the_present_or_the_future():
    frame = example_transactions().copy()
    builder = LagFeatures(target="revenue", lags=[1, 7], windows=[7, 28])
    before = builder.fit_transform(frame)
    cutoff = frame["date"].quantile(0.5)
    changed = frame.copy()
    later = changed["date"] >= cutoff
    changed.loc[later, "revenue"] = changed.loc[later, "revenue"] * 100 + 7
    after = builder.fit_transform(changed)
    columns = builder.columns_added()
    up_to_cutoff = (frame["date"] <= cutoff).to_numpy()
    pd.testing.assert_frame_equal(before.loc[up_to_cutoff, columns],
                                  after.loc[up_to_cutoff, columns])
    assert not before.loc[~up_to_cutoff, columns].equals(after.loc[~up_to_cutoff, columns])


def test_lag_settings_are_checked():
    with pytest.raises(ConfigError, match=r"features\.lags\.lags"):
        LagFeatures(lags=[0]).fit_transform(lag_frame())


def test_price_tiers_per_category():
    frame = pd.DataFrame({"category": ["a"] * 4 + ["b"] * 4,
                          "price": [1.0, 2.0, 3.0, 4.0, 100.0, 200.0, 300.0, 400.0]})
    builder = PriceTierFeatures(tiers=2).fit(frame)
    assert list(builder.transform(frame)["price_tier"]) == [1, 1, 2, 2, 1, 1, 2, 2]
    unseen = pd.DataFrame({"category": ["c", "a"], "price": [250.0, 0.5]})
    assert list(builder.transform(unseen)["price_tier"]) == [2, 1]  # c uses all rows' edges


def test_frequency_encoding():
    frame = pd.DataFrame({"product": ["a", "a", "a", "b"]})
    builder = FrequencyFeatures().fit(frame)
    out = builder.transform(pd.DataFrame({"product": ["a", "b", "new"]}))
    assert list(out["product_frequency"]) == [0.75, 0.25, 0.0]


def test_promotions_from_a_discount_column_and_from_price_cuts():
    with_discount = pd.DataFrame({"product": ["a", "a"], "price": [10.0, 10.0],
                                  "discount": [0.2, 0.0]})
    out = PromotionFeatures().fit_transform(with_discount)
    assert list(out["promo_flag"]) == [1, 0] and list(out["promo_discount"]) == [0.2, 0.0]
    percent = with_discount.assign(discount=[15.0, 3.0])
    assert list(PromotionFeatures().fit_transform(percent)["promo_discount"]) == [0.15, 0.03]
    cuts = pd.DataFrame({"product": ["a"] * 5, "price": [100.0, 100.0, 100.0, 70.0, 99.0]})
    out = PromotionFeatures(threshold=0.05).fit_transform(cuts)
    assert list(out["promo_flag"]) == [0, 0, 0, 1, 0]
    assert out["promo_discount"].iloc[3] == pytest.approx(0.3)


@pytest.mark.parametrize("builder", [
    CalendarFeatures(), HolidayFeatures(), LagFeatures(), PriceTierFeatures(),
    FrequencyFeatures(), PromotionFeatures()])
def test_every_builder_adds_exactly_the_columns_it_declares(builder):
    frame = example_transactions().copy()
    out = builder.fit_transform(frame)
    assert list(out.columns) == [*frame.columns, *builder.columns_added()]
    assert out.index.equals(frame.index)


def test_calendar_features_per_distinct_day_equal_the_per_row_computation():
    """Issue 20: each distinct day is computed once and taken by row; the values are those
    of pandas' accessors on every row's timestamp (times of day, year ends, leap days)."""
    rng = np.random.default_rng(4)
    start = np.datetime64("2019-12-20T00:00:00", "ns")
    seconds = rng.integers(0, 3 * 366 * 86400, 5_000).astype("timedelta64[s]")
    frame = pd.DataFrame({"date": start + seconds, "revenue": 1.0})
    table = CalendarFeatures().fit_transform(frame)
    dates = pd.DatetimeIndex(frame["date"])
    expected = {"year": dates.year, "quarter": dates.quarter, "month": dates.month,
                "week_of_year": dates.isocalendar().week.to_numpy(), "day_of_month": dates.day,
                "day_of_year": dates.day_of_year, "day_of_week": dates.day_of_week,
                "is_weekend": dates.day_of_week >= 5, "is_month_start": dates.is_month_start,
                "is_month_end": dates.is_month_end}
    for name, values in expected.items():
        assert np.array_equal(table[f"cal_{name}"].to_numpy(), np.asarray(values, dtype=int))


def test_added_columns_share_the_transactions_memory_and_leave_them_alone():
    frame = example_transactions(500)
    before = list(frame.columns)
    out = CalendarFeatures().fit_transform(frame)
    assert list(out.columns) == before + CalendarFeatures().columns_added()
    assert list(frame.columns) == before  # the input frame has no new columns
    for name in ("quantity", "price", "revenue"):  # no copy of the transactions' columns
        assert np.shares_memory(out[name].to_numpy(), frame[name].to_numpy())
    expected = CalendarFeatures()._transform(frame)
    pd.testing.assert_frame_equal(out[expected.columns], expected)


def test_many_added_columns_raise_no_fragmentation_warning():
    from salesforge.base.feature_builder import with_columns

    frame = pd.DataFrame({"a": np.arange(10)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(120):  # one block each: past pandas' 100-block warning
            frame = with_columns(frame, pd.DataFrame({f"c{i}": np.arange(10)}))
    assert frame.shape == (10, 121)
    assert (frame["c119"] == np.arange(10)).all()


def test_added_columns_keep_their_own_memory():
    from salesforge.base.feature_builder import with_columns

    frame = pd.DataFrame({"a": np.arange(5.0)})
    added = pd.DataFrame({"b": np.arange(5) * 2, "a": np.ones(5)})
    out = with_columns(frame, added)
    assert list(out.columns) == ["a", "b"]  # a name already there is replaced in its place
    assert np.shares_memory(out["b"].to_numpy(), added["b"].to_numpy())
    assert out["a"].tolist() == [1.0] * 5 and frame["a"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
