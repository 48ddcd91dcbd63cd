"""Charts of the analytics tables: trend, rankings, distributions, weekday heatmap, bridge."""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH, HEIGHT = 640, 260
MONEY = ",.0f"
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def revenue_trend(daily: pd.DataFrame, window: int = 28, title: str = "Revenue") -> alt.Chart:
    """Daily revenue (``date``, ``revenue``) as a thin line with its ``window``-day
    trailing moving average on top."""
    frame = daily[["date", "revenue"]].copy()
    frame["moving_average"] = frame["revenue"].rolling(window, min_periods=1).mean()
    long = frame.melt("date", var_name="series", value_name="value")
    long["series"] = long["series"].map({"revenue": "daily",
                                         "moving_average": f"{window}-day average"})
    return alt.Chart(long, title=title).mark_line().encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", title="revenue", axis=alt.Axis(format="~s")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        opacity=alt.condition(alt.datum.series == "daily", alt.value(0.35), alt.value(1.0)),
        tooltip=[alt.Tooltip("date:T"), "series:N", alt.Tooltip("value:Q", format=MONEY)],
    ).properties(width=WIDTH, height=HEIGHT)


def product_ranking(products: pd.DataFrame, title: str = "Top products") -> alt.Chart:
    """Horizontal bars of ``revenue`` per ``product``, largest on top."""
    return alt.Chart(products, title=title).mark_bar().encode(
        x=alt.X("revenue:Q", title="revenue", axis=alt.Axis(format="~s")),
        y=alt.Y("product:N", sort="-x", title=None),
        tooltip=["product:N", alt.Tooltip("revenue:Q", format=MONEY),
                 alt.Tooltip("share_pct:Q", format=".1f", title="share %")],
    ).properties(width=WIDTH, height=max(120, 22 * len(products)))


def distribution(table: pd.DataFrame, column: str, title: str | None = None) -> alt.Chart:
    """Revenue share per value of ``column`` (a category or region breakdown table)."""
    return alt.Chart(table, title=title or f"Revenue by {column}").mark_bar().encode(
        x=alt.X("share_pct:Q", title="share of revenue (%)"),
        y=alt.Y(f"{column}:N", sort="-x", title=None),
        color=alt.Color(f"{column}:N", legend=None),
        tooltip=[f"{column}:N", alt.Tooltip("revenue:Q", format=MONEY),
                 alt.Tooltip("share_pct:Q", format=".1f", title="share %")],
    ).properties(width=WIDTH, height=max(120, 26 * len(table)))


def weekday_heatmap(cells: pd.DataFrame, title: str = "Average daily revenue") -> alt.Chart:
    """Month x weekday heatmap of ``average_day`` (``month``, ``weekday`` 0 = Monday)."""
    frame = cells.assign(day=cells["weekday"].map(dict(enumerate(WEEKDAY_LABELS))))
    return alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("month:O", title=None),
        y=alt.Y("day:O", sort=list(WEEKDAY_LABELS), title=None),
        color=alt.Color("average_day:Q", title="revenue / day",
                        scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="~s")),
        tooltip=["month:O", "day:O", alt.Tooltip("average_day:Q", format=MONEY)],
    ).properties(width=WIDTH, height=180)


def bridge_waterfall(steps: pd.DataFrame, title: str = "Revenue bridge") -> alt.Chart:
    """Waterfall of a bridge (``step``, ``value``, ``start``, ``end``): the base and
    current totals as grey bars, rises green, falls red."""
    kind = pd.Series("total", index=steps.index)
    middle = steps.index[1:-1]
    kind[middle] = ["rise" if v >= 0 else "fall" for v in steps.loc[middle, "value"]]
    frame = steps.assign(kind=kind)
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("step:N", sort=list(frame["step"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("start:Q", title="revenue", axis=alt.Axis(format="~s")),
        y2="end:Q",
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=["total", "rise", "fall"], range=["#8c8c8c", "#2ca02c", "#d62728"])),
        tooltip=["step:N", alt.Tooltip("value:Q", format=MONEY)],
    ).properties(width=WIDTH, height=HEIGHT)
