"""Detecting anomalous periods (days, weeks) of sales series and explaining them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from salesforge.base.detector import Detector
from salesforge.detect.root_cause import describe, drill_down
from salesforge.detect.series import deviations, seasonal_expected, series_reasons
from salesforge.forecast.series import build_series, series_codes


def detect_periods(clean: pd.DataFrame, detector: Detector, *, target: str, freq: str,
                   by: Sequence[str], season: int, cycles: int, drill: Sequence[str],
                   top: int, money: Callable[[float], str]
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(periods, flagged, causes)``.

    ``periods``: every period of every series with ``y``, ``expected`` (seasonal baseline),
    ``residual``, ``sigma`` (robust z of the residual within its series), ``anomaly_score``,
    ``raw_score`` (the detector's raw statistic) and ``flagged``; the model input is
    ``sigma`` alone. ``flagged``: the flagged periods, most anomalous first, with ``reason``
    ("revenue 4.1 sigma below expected") and ``root_cause``. ``causes``: the drill-down
    rows behind ``root_cause``, with series_id.
    """
    series = build_series(clean, target, freq, list(by))
    periods = deviations(series, seasonal_expected(series, season, cycles))
    inputs = periods[["sigma"]].rename(columns={"sigma": f"{target}_vs_expected"})
    scores, raw = detector.fit_score_raw(inputs)
    periods["anomaly_score"] = scores
    periods["raw_score"] = raw
    periods["flagged"] = detector.cut(scores).flags(scores)
    flagged = periods[periods["flagged"]].copy()
    flagged["reason"] = series_reasons(flagged, target)
    codes, labels = series_codes(clean, by) if len(flagged) and by else (None, None)
    causes, texts = [], {}
    for series_id, group in flagged.groupby("series_id", sort=False):
        rows = (clean if codes is None or labels is None
                else clean[codes == labels.get_loc(series_id)])
        found = drill_down(rows, group, target, freq, [d for d in drill if d not in by],
                           season, cycles, top)
        found.insert(0, "series_id", series_id)
        causes.append(found)
        for ds, part in found.groupby("ds", sort=False):
            texts[(series_id, ds)] = describe(part, money)
    flagged["root_cause"] = [texts.get(key, "") for key in
                             zip(flagged["series_id"], flagged["ds"], strict=True)]
    flagged = flagged.sort_values(["anomaly_score", "raw_score"], ascending=False,
                                  kind="stable")
    causes_table = (pd.concat(causes, ignore_index=True) if causes
                    else pd.DataFrame(columns=["series_id", "ds", "dimension", "member",
                                               "actual", "expected", "delta", "share"]))
    return periods, flagged.drop(columns="flagged").reset_index(drop=True), causes_table


def window_hits(flags: np.ndarray, ds: pd.Series, windows: list[tuple]) -> dict:
    """Event-level scores against labelled windows (NAB style): a window is detected when
    any flagged period falls in it; a flag outside every window is a false alarm."""
    ds = pd.to_datetime(ds).to_numpy()
    inside = np.zeros(len(ds), dtype=bool)
    detected = 0
    for start, end in windows:
        members = (ds >= np.datetime64(pd.Timestamp(start))) & \
                  (ds <= np.datetime64(pd.Timestamp(end)))
        inside |= members
        detected += bool((flags & members).any())
    false_alarms = int((flags & ~inside).sum())
    return {"windows": len(windows), "detected": detected,
            "recall": detected / len(windows) if windows else None,
            "false_alarms": int(false_alarms), "flagged": int(flags.sum())}
