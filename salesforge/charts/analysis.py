"""Charts of the analytics tables: trend, rankings, distributions, weekday heatmap, bridge."""

from __future__ import annotations

from typing import Any, TypeVar

import altair as alt
import pandas as pd

from salesforge.i18n import (
    compact_label_expr,
    gettext,
    month_names,
    vega_locale,
    weekday_names,
)

ChartT = TypeVar("ChartT", bound=alt.Chart | alt.LayerChart | alt.FacetChart)

WIDTH, HEIGHT = 640, 260
MONEY = ",.0f"


def money_axis(language: str = "en", **options: Any) -> alt.Axis:
    """An amount axis in the language's compact form: "1.5B" (en), "1,5 M" (id)."""
    return alt.Axis(labelExpr=compact_label_expr(language), **options)


def localised(chart: ChartT, language: str) -> ChartT:
    """``chart`` with the language's number and time formats (separators, month and
    weekday names on date axes): a top-level chart, not to be layered again."""
    return chart.configure(locale=vega_locale(language))


def revenue_trend(daily: pd.DataFrame, window: int = 28, title: str | None = None,
                  language: str = "en") -> alt.Chart:
    """Daily revenue (``date``, ``revenue``) as a thin line with its ``window``-day
    trailing moving average on top."""
    _ = gettext(language)
    frame = daily[["date", "revenue"]].copy()
    frame["moving_average"] = frame["revenue"].rolling(window, min_periods=1).mean()
    long = frame.melt("date", var_name="series", value_name="value")
    day, average = _("daily"), _("{days}-day average").format(days=window)
    long["series"] = long["series"].map({"revenue": day, "moving_average": average})
    return localised(alt.Chart(long, title=title or _("Revenue")).mark_line().encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", title=_("revenue"), axis=money_axis(language)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        opacity=alt.condition(alt.datum.series == day, alt.value(0.35), alt.value(1.0)),
        tooltip=[alt.Tooltip("date:T", title=_("date")), alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("value:Q", format=MONEY, title=_("revenue"))],
    ).properties(width=WIDTH, height=HEIGHT), language)


def product_ranking(products: pd.DataFrame, title: str | None = None,
                    language: str = "en") -> alt.Chart:
    """Horizontal bars of ``revenue`` per ``product``, largest on top."""
    _ = gettext(language)
    return localised(alt.Chart(products, title=title or _("Top products")).mark_bar().encode(
        x=alt.X("revenue:Q", title=_("revenue"), axis=money_axis(language)),
        y=alt.Y("product:N", sort="-x", title=None),
        tooltip=[alt.Tooltip("product:N", title=_("product")),
                 alt.Tooltip("revenue:Q", format=MONEY, title=_("revenue")),
                 alt.Tooltip("share_pct:Q", format=".1f", title=_("share %"))],
    ).properties(width=WIDTH, height=HEIGHT), language)


def distribution(table: pd.DataFrame, column: str, title: str | None = None,
                 language: str = "en") -> alt.Chart:
    """Revenue share per value of ``column`` (a category or region breakdown table)."""
    _ = gettext(language)
    heading = title or _("Revenue by {column}").format(column=_(column))
    return localised(alt.Chart(table, title=heading).mark_bar().encode(
        x=alt.X("share_pct:Q", title=_("share of revenue (%)")),
        y=alt.Y(f"{column}:N", sort="-x", title=None),
        tooltip=[alt.Tooltip(f"{column}:N", title=_(column)),
                 alt.Tooltip("revenue:Q", format=MONEY, title=_("revenue")),
                 alt.Tooltip("share_pct:Q", format=".1f", title=_("share %"))],
    ).properties(width=WIDTH, height=HEIGHT), language)


def weekday_heatmap(cells: pd.DataFrame, title: str | None = None,
                    language: str = "en") -> alt.Chart:
    """Month x weekday heatmap of ``average_day`` (``month`` as YYYY-MM, ``weekday``
    0 = Monday), months and days named in the language (Babel)."""
    _ = gettext(language)
    days = weekday_names(language)
    months = month_names(language)
    frame = cells.assign(day=cells["weekday"].map(dict(enumerate(days))))
    stamp = pd.to_datetime(frame["month"].astype(str), format="%Y-%m", errors="coerce")
    frame["month_name"] = [f"{months[t.month - 1]} {t.year}" if t == t else str(m)
                           for t, m in zip(stamp, frame["month"], strict=True)]
    order = list(dict.fromkeys(frame.sort_values("month")["month_name"]))
    return localised(alt.Chart(frame, title=title or _("Average daily revenue")).mark_rect(
    ).encode(
        x=alt.X("month_name:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("day:O", sort=days, title=None),
        color=alt.Color("average_day:Q", title=_("revenue / day"),
                        legend=alt.Legend(labelExpr=compact_label_expr(language))),
        tooltip=[alt.Tooltip("month_name:O", title=_("month")),
                 alt.Tooltip("day:O", title=_("day")),
                 alt.Tooltip("average_day:Q", format=MONEY, title=_("revenue / day"))],
    ).properties(width=WIDTH, height=180), language)


def bridge_waterfall(steps: pd.DataFrame, title: str | None = None,
                     language: str = "en") -> alt.Chart:
    """Waterfall of a bridge (``step``, ``value``, ``start``, ``end``): the base and
    current totals as grey bars, rises green, falls red."""
    _ = gettext(language)
    kind = pd.Series("total", index=steps.index)
    middle = steps.index[1:-1]
    kind[middle] = ["rise" if v >= 0 else "fall" for v in steps.loc[middle, "value"]]
    frame = steps.assign(kind=kind)
    return localised(alt.Chart(frame, title=title or _("Revenue bridge")).mark_bar().encode(
        x=alt.X("step:N", sort=list(frame["step"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("start:Q", title=_("revenue"), axis=money_axis(language)),
        y2="end:Q",
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=["total", "rise", "fall"], range=["#8c8c8c", "#2ca02c", "#d62728"])),
        tooltip=[alt.Tooltip("step:N", title=_("step")),
                 alt.Tooltip("value:Q", format=MONEY, title=_("change"))],
    ).properties(width=WIDTH, height=HEIGHT), language)
