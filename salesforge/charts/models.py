"""Charts of model results: forecast with interval and backtest, segments, anomalies."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesforge.charts.analysis import HEIGHT, MONEY, WIDTH, localised, money_axis
from salesforge.i18n import gettext
from salesforge.segment.naming import localised_name


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame,
                   backtest: pd.DataFrame | None = None,
                   title: str | None = None,
                   language: str = "en") -> alt.LayerChart | alt.FacetChart:
    """Actuals (``ds``, ``y``), the forecast (``ds``, ``y_pred``, ``y_lo``, ``y_hi``) with
    its interval as a band, and backtest predictions (``ds``, ``y_pred``, and ``cutoff``
    when there are several windows) when given: one line per backtest window, so windows
    that overlap never join into a line running back in time."""
    _ = gettext(language)
    actual, predicted, tested = _("actual"), _("forecast"), _("backtest")
    lines = [history.assign(series=actual, window=actual)[["ds", "series", "window", "y"]]
             .rename(columns={"y": "value"}),
             forecast.assign(series=predicted, window=predicted)
             [["ds", "series", "window", "y_pred"]].rename(columns={"y_pred": "value"})]
    if backtest is not None and len(backtest):
        window = (pd.to_datetime(backtest["cutoff"]).dt.strftime(
            _("backtest from {date}").format(date="%Y-%m-%d"))
            if "cutoff" in backtest else tested)
        lines.append(backtest.assign(series=tested, window=window)
                     [["ds", "series", "window", "y_pred"]].rename(columns={"y_pred": "value"}))
    frame = pd.concat(lines, ignore_index=True)
    order = [actual, tested, predicted]
    colors = ["#4c78a8", "#f58518", "#e45756"]
    band = alt.Chart(forecast).mark_area(opacity=0.25, color="#e45756").encode(
        x="ds:T", y=alt.Y("y_lo:Q", title=_("value"), axis=money_axis(language)), y2="y_hi:Q",
        tooltip=[alt.Tooltip("ds:T", title=_("date")),
                 alt.Tooltip("y_lo:Q", format=MONEY, title=_("lower bound")),
                 alt.Tooltip("y_hi:Q", format=MONEY, title=_("upper bound"))])
    line = alt.Chart(frame).mark_line().encode(
        x=alt.X("ds:T", title=None),
        y=alt.Y("value:Q", title=_("value"), axis=money_axis(language)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=order, range=colors),
                        legend=alt.Legend(orient="top")),
        detail="window:N",
        tooltip=[alt.Tooltip("ds:T", title=_("date")), alt.Tooltip("window:N", title=" "),
                 alt.Tooltip("value:Q", format=MONEY, title=_("value"))])
    return localised(alt.layer(band, line, title=title or _("Forecast")).properties(
        width=WIDTH, height=HEIGHT), language)


def segment_scatter(segments: pd.DataFrame, x: str, y: str = "revenue",
                    title: str | None = None, language: str = "en") -> alt.Chart:
    """One point per entity (``entity``, ``segment_name``, ``x``, ``y``), coloured by
    segment, log scales (sales sizes span orders of magnitude)."""
    _ = gettext(language)
    if language != "en":
        segments = segments.assign(segment_name=[
            localised_name(str(n), language) for n in segments["segment_name"]])
    return localised(alt.Chart(segments, title=title or _("Segments")).mark_circle(
        size=90, opacity=0.85).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=_(x),
                axis=money_axis(language, labelOverlap="greedy", labelFlush=True)),
        y=alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=_(y),
                axis=money_axis(language, labelOverlap="greedy")),
        color=alt.Color("segment_name:N", title=_("segment"),
                        legend=alt.Legend(orient="top", labelLimit=420)),
        tooltip=[alt.Tooltip("entity:N", title=_("product")),
                 alt.Tooltip("segment_name:N", title=_("segment")),
                 alt.Tooltip(f"{x}:Q", format=",.0f", title=_(x)),
                 alt.Tooltip(f"{y}:Q", format=MONEY, title=_(y))],
    ).properties(width=WIDTH, height=HEIGHT), language)


def anomaly_timeline(daily: pd.DataFrame, title: str | None = None,
                     language: str = "en") -> alt.Chart:
    """Flagged transactions per day (``date``, ``flagged``) as bars, the day's highest
    score (``max_score``) in the tooltip."""
    _ = gettext(language)
    return localised(alt.Chart(daily, title=title or _("Anomalies over time")).mark_bar(
        color="#d62728").encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("flagged:Q", title=_("flagged transactions")),
        tooltip=[alt.Tooltip("date:T", title=_("date")),
                 alt.Tooltip("flagged:Q", title=_("flagged transactions")),
                 alt.Tooltip("max_score:Q", format=".2f", title=_("highest score"))],
    ).properties(width=WIDTH, height=180), language)


#: Tick values of a log axis of counts: 1, 2, 5, 10, 20, 50, ... (readable, never crowded).
LOG_TICKS = [m * 10 ** e for e in range(0, 10) for m in (1, 2, 5)]


def anomaly_scatter(points: pd.DataFrame, title: str | None = None,
                    language: str = "en") -> alt.LayerChart | alt.FacetChart:
    """Transactions (``quantity``, ``price``, ``status`` normal/flagged, ``product``) on
    log scales with ticks at 1, 2, 5, 10, ...; the flagged ones drawn after (on top of)
    the normal ones, a little transparent so that normal points beneath still show."""
    _ = gettext(language)
    quantities = points["quantity"]
    positive = bool(len(quantities)) and bool((quantities > 0).all())
    ticks = [t for t in LOG_TICKS if len(quantities)
             and quantities.min() / 2 <= t <= quantities.max() * 2]
    normal_label, flagged_label = _("normal"), _("flagged")
    shown = points.assign(label=points["status"].map({"normal": normal_label,
                                                      "flagged": flagged_label}))
    x = alt.X("quantity:Q", title=_("quantity"),
              scale=alt.Scale(type="log" if positive else "symlog"),
              axis=money_axis(language, values=ticks or alt.Undefined, labelOverlap="greedy"))
    y = alt.Y("price:Q", scale=alt.Scale(type="log"), title=_("price"),
              axis=money_axis(language, labelOverlap="greedy"))
    color = alt.Color("label:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=[normal_label, flagged_label],
                                      range=["#6baed6", "#d62728"]))
    tooltip: list[str | alt.Tooltip] = [
        alt.Tooltip("product:N", title=_("product")),
        alt.Tooltip("quantity:Q", title=_("quantity")),
        alt.Tooltip("price:Q", format=MONEY, title=_("price")),
        alt.Tooltip("label:N", title=_("status"))]
    # each layer its own rows: the app's SVG names the flagged points on hover, and only
    # a layer's own row count says whether it is small enough for that
    encoding = {"x": x, "y": y, "color": color, "tooltip": tooltip}
    normal = alt.Chart(shown[shown["status"] == "normal"]).mark_circle(
        size=22, opacity=0.45).encode(**encoding)
    flagged = alt.Chart(shown[shown["status"] == "flagged"]).mark_circle(
        size=34, opacity=0.75, stroke="white", strokeWidth=0.5).encode(**encoding)
    return localised(alt.layer(normal, flagged, title=title or _("Price and quantity"))
                     .properties(width=WIDTH, height=HEIGHT), language)
