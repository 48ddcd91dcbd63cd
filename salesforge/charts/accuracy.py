"""Charts of realised accuracy: an earlier run's forecasts against what happened, and the
accuracy of every run's forecasts over time (the app and ``salesforge runs accuracy``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesforge.charts.analysis import localised
from salesforge.i18n import gettext


def realized_chart(rows: pd.DataFrame, model: str, title: str | None = None,
                   language: str = "en") -> alt.LayerChart | alt.FacetChart:
    """Forecast (with its interval band) against actual per period for ``model``, summed
    over the series of ``rows`` (``forecast/realized.csv``)."""
    _ = gettext(language)
    actual, forecast = _("actual"), _("forecast")
    part = rows[rows["model"] == model].assign(ds=lambda f: pd.to_datetime(f["ds"]))
    totals = part.groupby("ds", sort=True)[["y_true", "y_pred", "y_lo", "y_hi"]].sum(
        min_count=1).reset_index()
    lines = totals.melt(id_vars="ds", value_vars=["y_true", "y_pred"], var_name="what",
                        value_name="value").replace({"what": {"y_true": actual,
                                                              "y_pred": forecast}})
    base = alt.Chart(totals).encode(x=alt.X("ds:T", title=None))
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("y_lo:Q", title=_("value")),
                                              y2="y_hi:Q")
    line = alt.Chart(lines).mark_line(point=True).encode(
        x="ds:T", y=alt.Y("value:Q", title=_("value")),
        color=alt.Color("what:N", title=None, scale=alt.Scale(
            domain=[actual, forecast], range=["#1f2937", "#2563eb"])),
        tooltip=[alt.Tooltip("ds:T", title=_("period")), alt.Tooltip("what:N", title=" "),
                 alt.Tooltip("value:Q", title=_("value"), format=",.0f")])
    layers = [band, line] if totals[["y_lo", "y_hi"]].notna().all(axis=None) else [line]
    chart = alt.layer(*layers).properties(
        title=title or _("Forecast ({model}) against what happened").format(model=model))
    return localised(chart, language)


def accuracy_history_charts(frame: pd.DataFrame, language: str = "en",
                            stand_alone: bool = True) -> list[alt.Chart]:
    """Realised MASE per model over the first forecast period of each run
    (:func:`salesforge.runs.accuracy.accuracy_by_run`), and interval coverage when known:
    one chart each (the app stretches each to the page); ``stand_alone=False`` leaves out
    the locale config, for charts combined again."""
    _ = gettext(language)
    data = frame.assign(first=pd.to_datetime(frame["first"]))
    base = alt.Chart(data).encode(
        x=alt.X("first:T", title=_("first forecast period")),
        color=alt.Color("model:N", title=_("model")),
        tooltip=[alt.Tooltip("forecast_run:N", title=_("forecast run")),
                 alt.Tooltip("scored_by:N", title=_("scored by")),
                 alt.Tooltip("model:N", title=_("model")),
                 alt.Tooltip("periods:Q", title=_("periods")),
                 alt.Tooltip("mase:Q", title="MASE", format=".3f"),
                 alt.Tooltip("bias_pct:Q", title=_("bias %"), format=".1f"),
                 alt.Tooltip("coverage:Q", title=_("interval coverage"), format=".0%")])
    charts = [base.mark_line(point=True).encode(y=alt.Y("mase:Q", title=_("realised MASE")))
              .properties(title=_("Realised accuracy of each run's forecasts"), height=220)]
    if data["coverage"].notna().any():
        charts.append(base.mark_line(point=True).encode(
            y=alt.Y("coverage:Q", title=_("interval coverage"), axis=alt.Axis(format="%")))
            .properties(title=_("Share of actuals inside the interval"), height=160))
    return [localised(c, language) for c in charts] if stand_alone else charts


def accuracy_history_chart(frame: pd.DataFrame) -> alt.VConcatChart:
    """:func:`accuracy_history_charts` stacked in one chart (the HTML page of
    ``salesforge runs accuracy``)."""
    charts = accuracy_history_charts(frame, stand_alone=False)
    return alt.vconcat(*[c.properties(width=560) for c in charts])
