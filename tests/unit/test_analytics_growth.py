"""Growth tables against hand-computed values: partial periods, calendar alignment, YoY."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesforge.analytics.growth import growth_by, growth_table


def constant_days(start: str, end: str, per_month: dict[int, float],
                  category: str = "A") -> pd.DataFrame:
    """One row per day; each day's revenue is the value of its month number."""
    days = pd.date_range(start, end, freq="D")
    return pd.DataFrame({"date": days, "revenue": days.month.map(per_month).astype(float),
                         "category": category})


def test_monthly_growth_compares_a_partial_month_with_the_same_days():
    # Jan 10/day (31 days), Feb 20/day (29 days, 2024 is a leap year), Mar 1-15 30/day.
    frame = constant_days("2024-01-01", "2024-03-15", {1: 10.0, 2: 20.0, 3: 30.0})
    table = growth_table(frame, "M")
    assert list(table["month"]) == ["2024-01", "2024-02", "2024-03"]
    assert list(table["revenue"]) == [310.0, 580.0, 450.0]
    assert list(table["complete"]) == [True, True, False]
    assert list(table["days"]) == [31, 29, 15]
    assert list(table["days_in_period"]) == [31, 29, 31]
    assert list(table["basis"]) == ["full", "full", "same days"]
    assert math.isnan(table["change_pct"].iloc[0])  # December is not in the data
    assert table["change_pct"].iloc[1] == pytest.approx((580 / 310 - 1) * 100)  # 87.0968
    # 1-15 March (450) against 1-15 February (15 x 20 = 300), not the whole of February.
    assert table["previous_revenue"].iloc[2] == 300.0
    assert table["change_pct"].iloc[2] == pytest.approx(50.0)
    assert table["yoy_pct"].isna().all()


def test_partial_month_past_the_end_of_a_shorter_month_is_clipped():
    # Data to 30 March: 1-30 March is compared with 1-29 February (February's last day).
    frame = constant_days("2024-01-01", "2024-03-30", {1: 1.0, 2: 2.0, 3: 3.0})
    row = growth_table(frame, "M").iloc[2]
    assert not row["complete"] and row["days"] == 30
    assert row["previous_revenue"] == 29 * 2.0
    assert row["change_pct"] == pytest.approx((90 / 58 - 1) * 100)


def test_quarterly_and_yearly_growth_with_a_partial_last_year():
    # 2023: 1/day; 2024 (leap) to 30 June: 2/day.
    days = pd.date_range("2023-01-01", "2024-06-30", freq="D")
    frame = pd.DataFrame({"date": days, "revenue": np.where(days.year == 2023, 1.0, 2.0)})
    yearly = growth_table(frame, "Y")
    assert list(yearly["year"]) == ["2023", "2024"]
    assert list(yearly["complete"]) == [True, False]
    # 1 Jan - 30 Jun 2024 (182 days x 2) against 1 Jan - 30 Jun 2023 (181 days x 1).
    assert yearly["revenue"].iloc[1] == 364.0
    assert yearly["year_ago_revenue"].iloc[1] == 181.0
    assert yearly["yoy_pct"].iloc[1] == pytest.approx((364 / 181 - 1) * 100)
    assert "change_pct" not in yearly  # a year's previous period is the year ago
    quarterly = growth_table(frame, "Q")
    q2 = quarterly.set_index("quarter").loc["2024Q2"]
    assert q2["complete"] and q2["revenue"] == 91 * 2.0
    assert q2["previous_revenue"] == 91 * 2.0 and q2["change_pct"] == pytest.approx(0.0)
    assert q2["year_ago_revenue"] == 91.0 and q2["yoy_pct"] == pytest.approx(100.0)
    q1 = quarterly.set_index("quarter").loc["2024Q1"]
    assert q1["previous_revenue"] == 92.0  # Q4 2023 has 92 days
    monthly = growth_table(frame, "M").set_index("month")
    assert monthly.loc["2024-02", "year_ago_revenue"] == 28.0  # whole Feb 2023
    assert monthly.loc["2024-02", "yoy_pct"] == pytest.approx((58 / 28 - 1) * 100)


def test_growth_by_dimension_uses_the_same_aligned_days():
    a = constant_days("2024-01-01", "2024-02-10", {1: 10.0, 2: 30.0}, "A")
    b = constant_days("2024-01-01", "2024-02-10", {1: 20.0, 2: 10.0}, "B")
    table = growth_by(pd.concat([a, b], ignore_index=True), "category", "M")
    table = table.set_index("category")
    # 1-10 February against 1-10 January.
    assert table.loc["A", "revenue"] == 300.0 and table.loc["A", "previous_revenue"] == 100.0
    assert table.loc["A", "change"] == 200.0 and table.loc["A", "change_pct"] == 200.0
    assert table.loc["B", "change"] == -100.0 and table.loc["B", "change_pct"] == -50.0
    assert set(table["basis"]) == {"same days"} and set(table["month"]) == {"2024-02"}
    assert list(table.index) == ["A", "B"]  # largest absolute change first


def test_monthly_totals_stamped_on_the_first_cover_their_whole_month():
    from salesforge.analytics.kpis import KpiAnalyzer

    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                          "product": "All", "category": "All", "region": "All",
                          "quantity": 1.0, "price": [100.0, 200.0, 300.0]})
    frame["revenue"] = frame["price"]
    table = growth_table(frame, "M")
    assert list(table["complete"]) == [True, True, True] and table["end"].iloc[-1] == "2024-03-31"
    assert table["change_pct"].iloc[-1] == pytest.approx(50.0)
    analysis = KpiAnalyzer().analyze(frame, "en")
    assert "weekday" not in analysis.tables  # weekdays mean nothing for monthly totals
    assert "Revenue in 2024-03 rose 50.0% against 2024-02." in analysis.insights
