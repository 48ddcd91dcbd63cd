"""Time-series anomalies: seasonal baseline, reasons, root causes, NAB label windows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.detect.mad import RobustMADDetector
from salesforge.detect.periods import detect_periods, window_hits
from salesforge.detect.series import default_season, seasonal_expected


def weekly_series(weeks: int = 20) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=7 * weeks, freq="D")
    pattern = np.array([100.0, 110, 120, 130, 140, 300, 50])
    return pd.DataFrame({"series_id": "total", "ds": days, "y": np.tile(pattern, weeks)})


def test_seasonal_baseline_follows_the_weekly_pattern_and_ignores_the_spike_itself():
    series = weekly_series()
    spiked = series.copy()
    spiked.loc[70, "y"] = 5000.0
    expected = seasonal_expected(spiked, season=7, cycles=4)
    np.testing.assert_allclose(expected, series["y"].to_numpy())
    assert default_season("D") == 7 and default_season("h") == 24 and default_season("W") == 1


def transactions(seed: int = 0) -> pd.DataFrame:
    """120 days of sales in 3 regions x 2 categories; on day 90 Medan's Phones sell nothing."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    rows = [(day, region, category, f"{category}-{k}", rng.integers(5, 8) * 1.0, 100.0)
            for day in days for region in ("Jakarta", "Medan", "Bandung")
            for category in ("Phones", "Laptops") for k in range(2)]
    frame = pd.DataFrame(rows, columns=["date", "region", "category", "product", "quantity",
                                        "price"])
    outage = (frame["date"] == days[90]) & (frame["region"] == "Medan") & \
             (frame["category"] == "Phones")
    frame.loc[outage, "quantity"] = 0.0
    frame["revenue"] = frame["quantity"] * frame["price"]
    frame["order_id"] = [f"o{i}" for i in range(len(frame))]
    return frame


def test_a_dropped_day_is_flagged_with_a_reason_and_its_root_cause_in_money():
    clean = transactions()
    periods, flagged, causes = detect_periods(
        clean, RobustMADDetector(threshold=4.0), target="revenue", freq="D", by=[], season=7,
        cycles=4, drill=["category", "region", "product"], top=2, money=lambda v: f"{v:+,.0f}")
    day = pd.Timestamp("2024-03-31")
    assert flagged["ds"].tolist() == [day]
    top = flagged.iloc[0]
    assert top["reason"].startswith("revenue ") and top["reason"].endswith("sigma below expected")
    lost = top["y"] - top["expected"]
    assert lost < -1000
    assert "category Phones" in top["root_cause"] and "region Medan" in top["root_cause"]
    region = causes[(causes["dimension"] == "region")].iloc[0]
    assert region["member"] == "Medan" and region["delta"] == pytest.approx(lost, rel=0.35)
    assert 0.6 < region["share"] < 1.4
    assert set(periods.columns) >= {"series_id", "ds", "y", "expected", "sigma",
                                    "anomaly_score", "flagged"}


def test_series_per_group_drill_only_inside_their_group():
    clean = transactions()
    _, flagged, causes = detect_periods(
        clean, RobustMADDetector(threshold=4.0), target="revenue", freq="D", by=["region"],
        season=7, cycles=4, drill=["category", "region"], top=2, money=str)
    assert flagged["series_id"].tolist() == ["Medan"]
    assert set(causes["dimension"]) == {"category"}  # the series' own column is not drilled
    assert causes.iloc[0]["member"] == "Phones"


def test_window_hits_counts_detected_windows_and_false_alarms():
    ds = pd.Series(pd.date_range("2024-01-01", periods=10, freq="D"))
    flags = np.array([0, 1, 0, 0, 0, 0, 0, 1, 0, 1], dtype=bool)
    windows = [("2024-01-02", "2024-01-03"), ("2024-01-05", "2024-01-06")]
    assert window_hits(flags, ds, windows) == {"windows": 2, "detected": 1, "recall": 0.5,
                                               "false_alarms": 2, "flagged": 3}


def test_nab_nyc_taxi_label_windows_are_found(shared_dataset):
    path = shared_dataset("nab_labeled_anomalies/realKnownCause/nyc_taxi.csv")
    windows = json.loads(shared_dataset("nab_labeled_anomalies/labels/combined_windows.json")
                         .read_text())["realKnownCause/nyc_taxi.csv"]
    raw = pd.read_csv(path, parse_dates=["timestamp"])
    clean = pd.DataFrame({"date": raw["timestamp"], "revenue": raw["value"], "quantity": 1.0,
                          "product": "taxi"})
    # half-hourly against the same half hour of the surrounding weeks
    periods, _, _ = detect_periods(clean, RobustMADDetector(threshold=4.0), target="revenue",
                                   freq="30min", by=[], season=336, cycles=4, drill=[], top=3,
                                   money=str)
    found = window_hits(periods["flagged"].to_numpy(), periods["ds"], windows)
    assert found["detected"] == 5  # marathon, Thanksgiving, Christmas, New Year, blizzard
    assert found["false_alarms"] / len(periods) < 0.02
    # daily totals against the same weekday: most holidays, almost no false alarms
    daily, _, _ = detect_periods(clean, RobustMADDetector(threshold=4.0), target="revenue",
                                 freq="D", by=[], season=7, cycles=4, drill=[], top=3, money=str)
    found = window_hits(daily["flagged"].to_numpy(), daily["ds"], windows)
    assert found["detected"] >= 4 and found["false_alarms"] <= 3
