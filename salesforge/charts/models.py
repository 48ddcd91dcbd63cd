"""Charts of model results: forecast with interval and backtest, segments, anomalies."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesforge.charts.analysis import HEIGHT, MONEY, WIDTH


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame,
                   backtest: pd.DataFrame | None = None,
                   title: str = "Forecast") -> alt.Chart:
    """Actuals (``ds``, ``y``), the forecast (``ds``, ``y_pred``, ``y_lo``, ``y_hi``) with
    its interval as a band, and backtest predictions (``ds``, ``y_pred``) when given."""
    lines = [history.assign(series="actual")[["ds", "series", "y"]].rename(columns={"y": "value"}),
             forecast.assign(series="forecast")[["ds", "series", "y_pred"]]
             .rename(columns={"y_pred": "value"})]
    if backtest is not None and len(backtest):
        lines.append(backtest.assign(series="backtest")[["ds", "series", "y_pred"]]
                     .rename(columns={"y_pred": "value"}))
    frame = pd.concat(lines, ignore_index=True)
    order = ["actual", "backtest", "forecast"]
    colors = ["#4c78a8", "#f58518", "#e45756"]
    band = alt.Chart(forecast).mark_area(opacity=0.25, color="#e45756").encode(
        x="ds:T", y=alt.Y("y_lo:Q", title="value", axis=alt.Axis(format="~s")), y2="y_hi:Q",
        tooltip=[alt.Tooltip("ds:T"), alt.Tooltip("y_lo:Q", format=MONEY),
                 alt.Tooltip("y_hi:Q", format=MONEY)])
    line = alt.Chart(frame).mark_line().encode(
        x=alt.X("ds:T", title=None),
        y=alt.Y("value:Q", title="value", axis=alt.Axis(format="~s")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=order, range=colors),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("ds:T"), "series:N", alt.Tooltip("value:Q", format=MONEY)])
    return alt.layer(band, line, title=title).properties(width=WIDTH, height=HEIGHT)


def segment_scatter(segments: pd.DataFrame, x: str, y: str = "revenue",
                    title: str = "Segments") -> alt.Chart:
    """One point per entity (``entity``, ``segment_name``, ``x``, ``y``), coloured by
    segment, log scales (sales sizes span orders of magnitude)."""
    return alt.Chart(segments, title=title).mark_circle(size=90, opacity=0.85).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x),
        y=alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=y, axis=alt.Axis(format="~s")),
        color=alt.Color("segment_name:N", title="segment", legend=alt.Legend(orient="top")),
        tooltip=["entity:N", "segment_name:N", alt.Tooltip(f"{x}:Q", format=",.0f"),
                 alt.Tooltip(f"{y}:Q", format=MONEY)],
    ).properties(width=WIDTH, height=HEIGHT)


def anomaly_timeline(daily: pd.DataFrame, title: str = "Anomalies over time") -> alt.Chart:
    """Flagged transactions per day (``date``, ``flagged``) as bars, the day's highest
    score (``max_score``) in the tooltip."""
    return alt.Chart(daily, title=title).mark_bar(color="#d62728").encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("flagged:Q", title="flagged transactions"),
        tooltip=[alt.Tooltip("date:T"), "flagged:Q",
                 alt.Tooltip("max_score:Q", format=".2f", title="highest score")],
    ).properties(width=WIDTH, height=180)


def anomaly_scatter(points: pd.DataFrame, title: str = "Price and quantity") -> alt.Chart:
    """Transactions (``quantity``, ``price``, ``status`` normal/flagged, ``product``) on
    log scales; flagged ones drawn on top in red."""
    return alt.Chart(points, title=title).mark_circle(size=28).encode(
        x=alt.X("quantity:Q", scale=alt.Scale(type="symlog"), title="quantity"),
        y=alt.Y("price:Q", scale=alt.Scale(type="log"), title="price",
                axis=alt.Axis(format="~s")),
        color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["normal", "flagged"],
                                        range=["#9ecae1", "#d62728"])),
        opacity=alt.condition(alt.datum.status == "flagged", alt.value(0.95), alt.value(0.4)),
        order=alt.Order("rank:Q"),
        tooltip=["product:N", alt.Tooltip("quantity:Q"), alt.Tooltip("price:Q", format=MONEY),
                 "status:N"],
    ).properties(width=WIDTH, height=HEIGHT)
