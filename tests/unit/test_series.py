"""Unit tests for salesforge.forecast.series.build_series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import ConfigError
from salesforge.forecast.series import SEPARATOR, TOTAL, build_series


def transactions(rows: int = 400, seed: int = 5) -> pd.DataFrame:
    """Random clean-looking transactions over ~5 months with gaps and times of day."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-03")
    days = rng.integers(0, 150, size=rows)
    seconds = rng.integers(0, 86400, size=rows)
    dates = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(seconds, unit="s")
    quantity = rng.integers(1, 6, size=rows).astype(float)
    price = rng.choice([5000.0, 12500.0, 99000.0], size=rows)
    return pd.DataFrame({
        "date": dates,
        "product": pd.array(rng.choice(["Kopi", "Teh", "Roti"], size=rows), dtype="string"),
        "category": pd.array(rng.choice(["Minuman", "Makanan"], size=rows), dtype="string"),
        "region": pd.array(rng.choice(["Jakarta", "Bandung", "Medan"], size=rows),
                           dtype="string"),
        "quantity": quantity,
        "price": price,
        "revenue": quantity * price,
    })


def sparse() -> pd.DataFrame:
    """Five rows on 1, 3 and 10 January 2024 in two regions."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-01-01", "2024-01-01 18:00", "2024-01-03", "2024-01-10",
                                "2024-01-10"], format="ISO8601"),
        "region": pd.array(["A", "B", "A", "B", "A"], dtype="string"),
        "category": pd.array(["x", "x", "y", "y", "x"], dtype="string"),
        "quantity": [1.0, 2.0, 1.0, 1.0, 3.0],
        "revenue": [1.0, 2.0, 3.0, 4.0, 5.0],
    })


# --- totals --------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["D", "W", "W-FRI", "MS"])
@pytest.mark.parametrize("target", ["revenue", "quantity"])
@pytest.mark.parametrize("fill", ["zero", "gap"])
def test_totals_equal_the_input_sum(freq, target, fill):
    clean = transactions()
    series = build_series(clean, target, freq, fill=fill)
    assert series["y"].sum() == pytest.approx(clean[target].sum(), rel=1e-12)
    assert list(series.columns) == ["series_id", "ds", "y"]
    assert set(series["series_id"]) == {TOTAL}
    assert series["y"].dtype == "float64"


@pytest.mark.parametrize("freq", ["D", "W", "W-FRI", "MS"])
def test_totals_per_group_equal_the_input_sums(freq):
    clean = transactions()
    series = build_series(clean, "revenue", freq, by=["region"])
    totals = series.groupby("series_id")["y"].sum()
    expected = clean.groupby("region")["revenue"].sum()
    for region, value in expected.items():
        assert totals[region] == pytest.approx(value, rel=1e-12)


def test_daily_values_equal_pandas_sums_per_day():
    clean = transactions()
    series = build_series(clean, "revenue", "D").set_index("ds")["y"]
    expected = clean.groupby(clean["date"].dt.floor("D"))["revenue"].sum()
    for day, value in expected.items():
        assert series[day] == pytest.approx(value)


def test_periods_are_anchored_to_the_frequency():
    clean = transactions()
    weekly = build_series(clean, "revenue", "W")
    assert (weekly["ds"].dt.day_of_week == 6).all()  # W = W-SUN, labelled by the Sunday
    friday = build_series(clean, "revenue", "W-FRI")
    assert (friday["ds"].dt.day_of_week == 4).all()
    monthly = build_series(clean, "revenue", "MS")
    assert (monthly["ds"].dt.day == 1).all()
    daily = build_series(clean, "revenue", "D")
    assert (daily["ds"] == daily["ds"].dt.normalize()).all()


def test_week_ending_friday_bins():
    clean = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-12 23:59"],
                               format="ISO8601"),  # Fri, Sat, Fri
        "revenue": [1.0, 10.0, 100.0],
        "quantity": [1.0, 1.0, 1.0],
    })
    series = build_series(clean, "revenue", "W-FRI").set_index("ds")["y"]
    assert series.to_dict() == {pd.Timestamp("2024-01-05"): 1.0,
                                pd.Timestamp("2024-01-12"): 110.0}


def test_month_start_bins():
    clean = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-31 23:00", "2024-02-01", "2024-04-15"],
                               format="ISO8601"),
        "revenue": [1.0, 10.0, 100.0],
        "quantity": [1.0, 1.0, 1.0],
    })
    series = build_series(clean, "revenue", "MS").set_index("ds")["y"]
    assert series.to_dict() == {pd.Timestamp("2024-01-01"): 1.0,
                                pd.Timestamp("2024-02-01"): 10.0,
                                pd.Timestamp("2024-03-01"): 0.0,
                                pd.Timestamp("2024-04-01"): 100.0}


# --- fill ----------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["D", "W", "W-FRI", "MS"])
def test_zero_fill_gives_a_complete_grid_per_series(freq):
    clean = transactions(rows=60)
    series = build_series(clean, "revenue", freq, by=["product", "region"])
    grid = pd.date_range(series["ds"].min(), series["ds"].max(), freq=freq)
    for _, group in series.groupby("series_id"):
        assert list(group["ds"]) == list(grid)
    assert len(series) == series["series_id"].nunique() * len(grid)
    assert not series.duplicated(["series_id", "ds"]).any()


def test_zero_fill_puts_zeros_in_empty_periods():
    series = build_series(sparse(), "revenue", "D", by=["region"])
    assert len(series) == 2 * 10  # two regions x 1..10 January
    a = series[series["series_id"] == "A"].set_index("ds")["y"]
    assert a[pd.Timestamp("2024-01-01")] == 1.0
    assert a[pd.Timestamp("2024-01-02")] == 0.0
    assert a[pd.Timestamp("2024-01-03")] == 3.0
    assert a[pd.Timestamp("2024-01-10")] == 5.0
    b = series[series["series_id"] == "B"].set_index("ds")["y"]
    assert b[pd.Timestamp("2024-01-03")] == 0.0
    assert (series["y"] == 0).sum() == 20 - 5  # A sold on 3 days, B on 2


def test_gap_fill_keeps_only_periods_with_sales_per_group():
    series = build_series(sparse(), "revenue", "D", by=["region"], fill="gap")
    assert len(series) == 5  # A on 1, 3, 10 January; B on 1, 10 January
    got = {(sid, ds.day): y for sid, ds, y in series.itertuples(index=False)}
    assert got == {("A", 1): 1.0, ("A", 3): 3.0, ("A", 10): 5.0, ("B", 1): 2.0, ("B", 10): 4.0}
    assert (series["y"] > 0).all()


def test_gap_fill_without_grouping_keeps_only_periods_with_sales():
    series = build_series(sparse(), "revenue", "D", fill="gap")
    assert list(series["ds"].dt.day) == [1, 3, 10]
    assert list(series["y"]) == [3.0, 3.0, 9.0]


def test_unknown_fill_raises_config_error_naming_the_key():
    with pytest.raises(ConfigError, match=r"forecast\.fill"):
        build_series(sparse(), "revenue", "D", fill="linear")


# --- series ids ----------------------------------------------------------------------------


def test_total_series_without_grouping():
    series = build_series(sparse(), "revenue", "D")
    assert set(series["series_id"]) == {"total"}


def test_series_ids_for_one_column():
    series = build_series(sparse(), "revenue", "D", by=["region"])
    assert sorted(series["series_id"].unique()) == ["A", "B"]


def test_series_ids_for_two_columns_are_joined():
    series = build_series(sparse(), "revenue", "D", by=["region", "category"], fill="gap")
    assert SEPARATOR == " | "
    assert sorted(series["series_id"].unique()) == ["A | x", "A | y", "B | x", "B | y"]
    totals = series.groupby("series_id")["y"].sum().to_dict()
    assert totals == {"A | x": 6.0, "A | y": 3.0, "B | x": 2.0, "B | y": 4.0}


def test_series_ids_follow_the_by_order():
    series = build_series(sparse(), "revenue", "D", by=["category", "region"], fill="gap")
    assert sorted(series["series_id"].unique()) == ["x | A", "x | B", "y | A", "y | B"]


def test_numeric_by_column_becomes_text_ids():
    clean = sparse().assign(store=[7, 7, 12, 12, 7])
    series = build_series(clean, "revenue", "D", by=["store"])
    assert sorted(series["series_id"].unique()) == ["12", "7"]
    assert series.groupby("series_id")["y"].sum().to_dict() == {"12": 7.0, "7": 8.0}


def test_missing_group_values_do_not_lose_revenue():
    clean = sparse().assign(customer_id=pd.array(["c1", None, "c2", "c1", None],
                                                 dtype="string"))
    series = build_series(clean, "revenue", "D", by=["customer_id"])
    assert series["y"].sum() == pytest.approx(15.0)


def test_input_is_not_modified():
    clean = transactions(rows=50)
    before = clean.copy()
    build_series(clean, "revenue", "W", by=["region"])
    pd.testing.assert_frame_equal(clean, before)


# --- configuration errors ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["price", "sales", "Revenue", ""])
def test_bad_target_raises_config_error_naming_the_key(target):
    with pytest.raises(ConfigError) as info:
        build_series(sparse(), target, "D")
    assert "forecast.target" in str(info.value)
    assert repr(target) in str(info.value)


@pytest.mark.parametrize("freq", ["daily", "XYZ", "2QQ"])
def test_bad_freq_raises_config_error_naming_the_key(freq):
    with pytest.raises(ConfigError) as info:
        build_series(sparse(), "revenue", freq)
    assert "forecast.freq" in str(info.value)
    assert repr(freq) in str(info.value)


def test_unknown_by_column_raises_config_error_naming_the_key():
    with pytest.raises(ConfigError) as info:
        build_series(sparse(), "revenue", "D", by=["region", "store"])
    message = str(info.value)
    assert "forecast.by" in message
    assert "'store'" in message
    assert "region" in message  # lists the columns it has
