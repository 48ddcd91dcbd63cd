"""MASE (M4), RMSSE and WRMSSE (M5), pinball loss and coverage per level, checked against a
computation by hand that shares no code with salesforge's."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast import metrics
from salesforge.forecast.backtest import cutoffs, window_scales
from salesforge.forecast.evaluation import metric_tables, model_metrics, series_metrics

HORIZON = 2
SEASON = 7  # daily data


@pytest.fixture
def panel() -> pd.DataFrame:
    """Series ``a``: 12 days; ``b``: starts later, with a leading zero; ``c``: constant
    training part (zero scales: left out of MASE and RMSSE)."""
    days = pd.date_range("2024-01-01", periods=12)
    a = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 10.0, 12.0, 11.0]
    b = [0.0, 2.0, 6.0, 3.0, 5.0, 4.0, 7.0, 9.0]
    c = [5.0] * 10 + [6.0, 4.0]
    return pd.concat([pd.DataFrame({"series_id": "a", "ds": days, "y": a}),
                      pd.DataFrame({"series_id": "b", "ds": days[4:], "y": b}),
                      pd.DataFrame({"series_id": "c", "ds": days, "y": c})],
                     ignore_index=True)


def scored_rows(panel: pd.DataFrame, points: list[pd.Timestamp]) -> pd.DataFrame:
    """Backtest rows of one model: the actual plus a fixed, series-dependent error; an
    80 % interval of +-1.5 and a 95 % one of +-3 around the forecast."""
    rows = []
    offsets = {"a": [1.0, -2.0], "b": [0.5, 3.0], "c": [1.0, 1.0]}
    for cutoff in points:
        for sid, group in panel.groupby("series_id"):
            after = group[group["ds"] > cutoff].head(HORIZON)
            for step, (ds, y) in enumerate(zip(after["ds"], after["y"], strict=True)):
                pred = y + offsets[sid][step] * (1 + (cutoff == points[-1]))
                rows.append({"model": "m", "series_id": sid, "cutoff": cutoff, "ds": ds,
                             "y_true": y, "y_pred": pred,
                             "y_lo_80": pred - 1.5, "y_hi_80": pred + 1.5,
                             "y_lo_95": pred - 3.0, "y_hi_95": pred + 3.0})
    return pd.DataFrame(rows)


def by_hand(panel: pd.DataFrame, scored: pd.DataFrame) -> dict[str, float]:
    """The textbook definitions, one loop at a time."""
    mase_series, rmsse_series, wrmsse_windows = {}, {}, {}
    for sid in sorted(scored["series_id"].unique()):
        scaled, window_rmsse = [], []
        for cutoff in sorted(scored["cutoff"].unique()):
            train = panel[(panel["series_id"] == sid) & (panel["ds"] <= cutoff)]["y"].tolist()
            lag = SEASON if len(train) > SEASON else 1
            naive = [abs(train[t] - train[t - lag]) for t in range(lag, len(train))]
            mase_scale = sum(naive) / len(naive)
            first = next(t for t, v in enumerate(train) if v != 0)
            steps = [(train[t] - train[t - 1]) ** 2 for t in range(first + 1, len(train))]
            rmsse_scale = sum(steps) / len(steps)
            weight = sum(train[-HORIZON:])
            rows = scored[(scored["series_id"] == sid) & (scored["cutoff"] == cutoff)]
            errors = (rows["y_pred"] - rows["y_true"]).tolist()
            if mase_scale > 0:
                scaled += [abs(e) / mase_scale for e in errors]
            if rmsse_scale > 0:
                value = math.sqrt(sum(e * e for e in errors) / len(errors) / rmsse_scale)
                window_rmsse.append(value)
                wrmsse_windows.setdefault(cutoff, []).append((weight, value))
        if scaled:
            mase_series[sid] = sum(scaled) / len(scaled)
        if window_rmsse:
            rmsse_series[sid] = sum(window_rmsse) / len(window_rmsse)
    per_window = [sum(w * v for w, v in pairs) / sum(w for w, _ in pairs)
                  for pairs in wrmsse_windows.values()]
    return {"mase": sum(mase_series.values()) / len(mase_series),
            "rmsse": sum(rmsse_series.values()) / len(rmsse_series),
            "wrmsse": sum(per_window) / len(per_window),
            **{f"mase_{k}": v for k, v in mase_series.items()},
            **{f"rmsse_{k}": v for k, v in rmsse_series.items()}}


def test_window_scales_come_from_each_windows_training_part(panel):
    points = cutoffs(panel, HORIZON, 2, HORIZON)
    scales = window_scales(panel, points, "D", HORIZON)
    first, last = points
    # a, first window: 8 values > one season -> seasonal lag 7: |7 - 1| = 6
    assert scales.loc[("a", first), "mase"] == pytest.approx(6.0)
    # a, last window: 10 values: |7-1|, |9-3|, |10-2| -> mean 20 / 3
    assert scales.loc[("a", last), "mase"] == pytest.approx(20 / 3)
    # b, first window: 0, 2, 6, 3 (4 values, shorter than a season) -> lag 1: 2, 4, 3
    assert scales.loc[("b", first), "mase"] == pytest.approx(3.0)
    # b's RMSSE scale starts at its first non-zero value: (6-2)^2, (3-6)^2 -> 12.5
    assert scales.loc[("b", first), "rmsse"] == pytest.approx(12.5)
    # weights: the last HORIZON training values
    assert scales.loc[("a", first), "weight"] == pytest.approx(8.0 + 7.0)
    assert scales.loc[("b", last), "weight"] == pytest.approx(5.0 + 4.0)
    assert scales.loc[("c", first), "mase"] == 0.0


def test_mase_rmsse_wrmsse_match_a_hand_computation(panel):
    points = cutoffs(panel, HORIZON, 2, HORIZON)
    scored = scored_rows(panel, points)
    scales = window_scales(panel, points, "D", HORIZON)
    expected = by_hand(panel, scored)
    result = model_metrics(scored, scales, [0.8, 0.95])
    assert result["mase"] == pytest.approx(expected["mase"])
    assert result["rmsse"] == pytest.approx(expected["rmsse"])
    assert result["wrmsse"] == pytest.approx(expected["wrmsse"])
    table = series_metrics(scored, scales, [0.8]).set_index(["series_id", "metric"])["value"]
    for sid in ("a", "b"):
        assert table[(sid, "mase")] == pytest.approx(expected[f"mase_{sid}"])
        assert table[(sid, "rmsse")] == pytest.approx(expected[f"rmsse_{sid}"])
    assert math.isnan(table[("c", "mase")]) and math.isnan(table[("c", "rmsse")])


def test_mase_is_the_mean_of_series_mase_not_of_pooled_errors(panel):
    points = cutoffs(panel, HORIZON, 2, HORIZON)
    scored = scored_rows(panel, points)
    scored = pd.concat([scored, scored[scored["series_id"] == "a"].assign(
        ds=lambda f: f["ds"] + pd.Timedelta(days=100))], ignore_index=True)
    scales = window_scales(panel, points, "D", HORIZON)
    overall, by_series = metric_tables(scored, scales, [])
    per_series = by_series.loc["m", "mase"].dropna()
    assert overall.loc["m", "mase"] == pytest.approx(per_series.mean())
    pooled = metrics.mase(scored["y_true"].to_numpy(), scored["y_pred"].to_numpy(),
                          scales["mase"].reindex(pd.MultiIndex.from_frame(
                              scored[["series_id", "cutoff"]])).to_numpy())
    assert overall.loc["m", "mase"] != pytest.approx(pooled)


def test_pinball_and_coverage_per_level(panel):
    points = cutoffs(panel, HORIZON, 2, HORIZON)
    scored = scored_rows(panel, points)
    scales = window_scales(panel, points, "D", HORIZON)
    result = model_metrics(scored, scales, [0.8, 0.95])
    y = scored["y_true"].to_numpy()
    for level, half in ((0.8, 1.5), (0.95, 3.0)):
        lower, upper = scored["y_pred"] - half, scored["y_pred"] + half
        low, high = (1 - level) / 2, (1 + level) / 2
        losses = []
        for actual, lo, hi in zip(y, lower, upper, strict=True):
            loss_lo = low * (actual - lo) if actual >= lo else (1 - low) * (lo - actual)
            loss_hi = high * (actual - hi) if actual >= hi else (1 - high) * (hi - actual)
            losses.append((loss_lo + loss_hi) / 2)
        key = round(level * 100)
        assert result[f"pinball_{key}"] == pytest.approx(np.mean(losses))
        inside = np.mean([(lo <= a <= hi) for a, lo, hi in zip(y, lower, upper, strict=True)])
        assert result[f"coverage_{key}"] == pytest.approx(inside)
    assert result["coverage"] == result["coverage_80"]


def test_pinball_of_a_median_is_half_the_absolute_error():
    y, q = np.array([3.0, 5.0, 10.0]), np.array([4.0, 5.0, 7.0])
    assert metrics.pinball(y, q, 0.5) == pytest.approx(np.abs(y - q) / 2)
    assert metrics.pinball(np.array([10.0]), np.array([8.0]), 0.9)[0] == pytest.approx(1.8)
    assert metrics.pinball(np.array([10.0]), np.array([12.0]), 0.9)[0] == pytest.approx(0.2)


def test_rmsse_of_one_window():
    y, p = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    assert metrics.rmsse(y, p, 2.5) == pytest.approx(math.sqrt((1 + 4) / 2 / 2.5))
    assert math.isnan(metrics.rmsse(y, p, 0.0))


def test_a_scale_per_series_still_gives_mase_and_leaves_rmsse_undefined(panel):
    points = cutoffs(panel, HORIZON, 1, HORIZON)
    scored = scored_rows(panel, points)
    scale = pd.Series({"a": 2.0, "b": 4.0, "c": 1.0})
    result = model_metrics(scored, scale, [])
    expected = np.mean([np.mean(np.abs(g["y_pred"] - g["y_true"]) / scale[sid])
                        for sid, g in scored.groupby("series_id")])
    assert result["mase"] == pytest.approx(expected)
    assert math.isnan(result["rmsse"]) and math.isnan(result["wrmsse"])
