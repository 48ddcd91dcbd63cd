"""Charts of model results: forecast with interval and backtest, segments, anomalies."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesforge.charts.analysis import HEIGHT, MONEY, WIDTH


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame,
                   backtest: pd.DataFrame | None = None,
                   title: str = "Forecast") -> alt.LayerChart | alt.FacetChart:
    """Actuals (``ds``, ``y``), the forecast (``ds``, ``y_pred``, ``y_lo``, ``y_hi``) with
    its interval as a band, and backtest predictions (``ds``, ``y_pred``, and ``cutoff``
    when there are several windows) when given: one line per backtest window, so windows
    that overlap never join into a line running back in time."""
    lines = [history.assign(series="actual", window="actual")[["ds", "series", "window", "y"]]
             .rename(columns={"y": "value"}),
             forecast.assign(series="forecast", window="forecast")
             [["ds", "series", "window", "y_pred"]].rename(columns={"y_pred": "value"})]
    if backtest is not None and len(backtest):
        window = (pd.to_datetime(backtest["cutoff"]).dt.strftime("backtest from %Y-%m-%d")
                  if "cutoff" in backtest else "backtest")
        lines.append(backtest.assign(series="backtest", window=window)
                     [["ds", "series", "window", "y_pred"]].rename(columns={"y_pred": "value"}))
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
        detail="window:N",
        tooltip=[alt.Tooltip("ds:T"), "window:N", alt.Tooltip("value:Q", format=MONEY)])
    return alt.layer(band, line, title=title).properties(width=WIDTH, height=HEIGHT)


def segment_scatter(segments: pd.DataFrame, x: str, y: str = "revenue",
                    title: str = "Segments") -> alt.Chart:
    """One point per entity (``entity``, ``segment_name``, ``x``, ``y``), coloured by
    segment, log scales (sales sizes span orders of magnitude)."""
    return alt.Chart(segments, title=title).mark_circle(size=90, opacity=0.85).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x,
                axis=alt.Axis(format="~s", labelOverlap="greedy", labelFlush=True)),
        y=alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=y,
                axis=alt.Axis(format="~s", labelOverlap="greedy")),
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


#: Tick values of a log axis of counts: 1, 2, 5, 10, 20, 50, ... (readable, never crowded).
LOG_TICKS = [m * 10 ** e for e in range(0, 10) for m in (1, 2, 5)]


def anomaly_scatter(points: pd.DataFrame,
                    title: str = "Price and quantity") -> alt.LayerChart | alt.FacetChart:
    """Transactions (``quantity``, ``price``, ``status`` normal/flagged, ``product``) on
    log scales with ticks at 1, 2, 5, 10, ...; the flagged ones drawn after (on top of)
    the normal ones, a little transparent so that normal points beneath still show."""
    quantities = points["quantity"]
    positive = bool(len(quantities)) and bool((quantities > 0).all())
    ticks = [t for t in LOG_TICKS if len(quantities)
             and quantities.min() / 2 <= t <= quantities.max() * 2]
    x = alt.X("quantity:Q", title="quantity",
              scale=alt.Scale(type="log" if positive else "symlog"),
              axis=alt.Axis(values=ticks or alt.Undefined, format="~s", labelOverlap="greedy"))
    y = alt.Y("price:Q", scale=alt.Scale(type="log"), title="price",
              axis=alt.Axis(format="~s", labelOverlap="greedy"))
    color = alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=["normal", "flagged"],
                                      range=["#6baed6", "#d62728"]))
    tooltip: list[str | alt.Tooltip] = ["product:N", alt.Tooltip("quantity:Q"),
                                        alt.Tooltip("price:Q", format=MONEY), "status:N"]
    base = alt.Chart(points).encode(x=x, y=y, color=color, tooltip=tooltip)
    normal = base.transform_filter(alt.datum.status == "normal").mark_circle(
        size=22, opacity=0.45)
    flagged = base.transform_filter(alt.datum.status == "flagged").mark_circle(
        size=34, opacity=0.75, stroke="white", strokeWidth=0.5)
    return alt.layer(normal, flagged, title=title).properties(width=WIDTH, height=HEIGHT)
