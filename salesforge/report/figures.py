"""The report's charts, built from the bundle's tables (and frames only charts need)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesforge import charts
from salesforge.analytics.bridge import bridge_steps
from salesforge.i18n import gettext

#: Points drawn as "normal" in the anomaly scatter at most (a fixed, evenly spaced sample).
SCATTER_NORMAL_POINTS = 1500
#: Flagged points in the anomaly scatter at most (the highest scores).
SCATTER_FLAGGED_POINTS = 1500
#: Entities in the segment scatter at most (the largest by revenue).
SEGMENT_POINTS = 1000
#: Months in the weekday heatmap at most (the latest).
HEATMAP_MONTHS = 36
#: Days of daily revenue in the trend chart at most (the latest).
TREND_DAYS = 3 * 366


def anomaly_frames(clean: pd.DataFrame, scores: np.ndarray,
                   flagged_index: pd.Index) -> dict[str, pd.DataFrame]:
    """Per-day flagged counts with the day's top score, and the scatter's points."""
    flags = pd.Series(clean.index.isin(flagged_index), index=clean.index)
    day = clean["date"].dt.normalize()
    daily = pd.DataFrame({"date": day, "flagged": flags.astype(int), "score": scores}) \
        .groupby("date").agg(flagged=("flagged", "sum"), max_score=("score", "max")) \
        .reset_index()
    # rows picked by position, then their three columns: the frame is never copied whole
    shown = ["product", "quantity", "price"]
    normal_rows = np.flatnonzero(~flags.to_numpy())
    step = max(1, len(normal_rows) // SCATTER_NORMAL_POINTS)
    normal = clean.iloc[normal_rows[::step]][shown]
    flagged_rows = np.flatnonzero(flags.to_numpy())
    flagged = clean.iloc[flagged_rows][shown].assign(score=np.asarray(scores)[flagged_rows])
    flagged = flagged.nlargest(SCATTER_FLAGGED_POINTS, "score")
    points = pd.concat([normal.assign(status="normal", rank=0),
                        flagged.assign(status="flagged", rank=1)])
    points = points[(points["price"] > 0)][["product", "quantity", "price", "status", "rank"]]
    points["product"] = points["product"].astype(str)
    return {"anomaly_daily": daily, "anomaly_points": points.reset_index(drop=True)}


def build_charts(tables: dict[str, pd.DataFrame], extras: dict[str, pd.DataFrame],
                 manifest: dict[str, Any], moving_average: int = 28,
                 language: str = "en") -> dict[str, Any]:
    """Every chart whose data is present, in ``language``: name -> Altair chart."""
    _ = gettext(language)
    out: dict[str, Any] = {}
    if "daily" in tables:
        out["revenue_trend"] = charts.revenue_trend(tables["daily"].tail(TREND_DAYS),
                                                    moving_average, language=language)
    if "weekday_month" in tables:
        cells = tables["weekday_month"]
        recent = sorted(cells["month"].unique())[-HEATMAP_MONTHS:]
        out["weekday_heatmap"] = charts.weekday_heatmap(cells[cells["month"].isin(recent)],
                                                        language=language)
    if "products" in tables:
        out["product_ranking"] = charts.product_ranking(tables["products"], language=language)
    for column, name in (("category", "categories"), ("region", "regions")):
        if name in tables:
            out[f"{column}_distribution"] = charts.distribution(tables[name], column,
                                                                language=language)
    bridge = tables.get("bridge_category")
    if bridge is not None and len(bridge):
        total = bridge.iloc[-1]
        steps = bridge_steps(total, str(total["base_period"]), str(total["period"]))
        steps["step"] = [_(step) for step in steps["step"]]  # the effects' names
        out["bridge"] = charts.bridge_waterfall(
            steps, title=_("Revenue bridge {start} → {end}").format(
                start=total["base_period"], end=total["period"]), language=language)
    if "forecast" in tables and "history" in extras:
        out["forecast"] = _forecast(tables, extras["history"], manifest, language)
    segments = tables.get("segments")
    if segments is not None and len(segments):
        x = next((c for c in ("transactions", "lines", "units") if c in segments), None)
        if x is not None and "revenue" in segments:
            positive = segments[(segments[x] > 0) & (segments["revenue"] > 0)]
            positive = positive.nlargest(SEGMENT_POINTS, "revenue")
            out["segments"] = charts.segment_scatter(positive.astype({"entity": str}), x,
                                                     language=language)
    if "anomaly_daily" in extras:
        out["anomaly_timeline"] = charts.anomaly_timeline(extras["anomaly_daily"],
                                                          language=language)
        out["anomaly_scatter"] = charts.anomaly_scatter(extras["anomaly_points"],
                                                        language=language)
    return out


def _forecast(tables: dict[str, pd.DataFrame], history: pd.DataFrame,
              manifest: dict[str, Any], language: str) -> Any:
    future = tables["forecast"]
    best = manifest.get("forecast", {}).get("best") or future["model"].iloc[0]
    future = future[future["model"] == best]
    series = future["series_id"].iloc[0]
    future = future[future["series_id"] == series]
    backtest = tables.get("backtest")
    if backtest is not None:
        backtest = backtest[(backtest["model"] == best) & (backtest["series_id"] == series)]
    past = history[history["series_id"] == series].tail(365)
    _ = gettext(language)
    title = _("Forecast: {series} ({model})").format(series=_(str(series)), model=best)
    return charts.forecast_chart(past, future, backtest, title=title, language=language)
