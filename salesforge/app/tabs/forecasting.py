"""Forecasting: leaderboard, backtest and future forecast with interval band, feature
importance; pick models to show and retrain with other models and horizon."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import altair as alt
import pandas as pd
import panel as pn

from salesforge.app.filters import GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData, run_index
from salesforge.app.tables import CHARTS, chart, chart_theme, heading, note, table
from salesforge.app.tabs import Tab
from salesforge.charts import forecast_chart
from salesforge.charts.accuracy import accuracy_history_charts, realized_chart
from salesforge.data.dates import as_datetimes
from salesforge.errors import SalesforgeError
from salesforge.i18n import N_, gettext
from salesforge.layout import RunLayout
from salesforge.runs.accuracy import accuracy_by_run

log = logging.getLogger(__name__)


def leaderboard(run: RunData) -> pd.DataFrame | None:
    """One row per model, one column per metric, best (selection metric) first."""
    long = run.table(RunLayout.LEADERBOARD)
    if long is None or long.empty:
        return None
    wide = long.pivot_table(index="model", columns="metric", values="value").reset_index()
    metric = run.section("forecast").get("selection_metric")
    if metric in wide.columns:
        wide = wide.sort_values(metric, kind="stable")
    return wide.rename_axis(None, axis=1).round(4)


def importance_chart(frame: pd.DataFrame, language: str = "en") -> alt.Chart:
    """Horizontal bars of ``importance`` per ``feature`` coloured by ``model``."""
    _ = gettext(language)
    return alt.Chart(frame, title=_("Feature importance")).mark_bar().encode(
        x=alt.X("importance:Q", title=_("importance")),
        y=alt.Y("feature:N", sort="-x", title=None),
        color=alt.Color("model:N", title=_("model"), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("model:N", title=_("model")),
                 alt.Tooltip("feature:N", title=_("feature")),
                 alt.Tooltip("importance:Q", title=_("importance"), format=".4f")])


class ForecastingTab(Tab):
    title = N_("Forecasting")

    def __init__(self, filters: GlobalFilters, forecasters: list[str],
                 on_retrain: Callable[[RunData, list[str]], object] | None = None,
                 runs_dir: Path | None = None, language: str = "en") -> None:
        super().__init__(filters, language)
        _ = self._
        self.on_retrain = on_retrain
        self.runs_dir = runs_dir
        self.models = pn.widgets.MultiChoice(label=_("Models shown"), options=[], width=320)
        self.models.param.watch(lambda _e: self.refresh(), "value")
        self.retrain_models = pn.widgets.MultiChoice(label=_("Retrain with"),
                                                     options=forecasters, width=320)
        self.horizon = pn.widgets.IntInput(label=_("Horizon (periods)"), value=28, start=1,
                                           end=366, width=160)
        self.retrain = pn.widgets.Button(label=_("Retrain"), color="primary", width=120,
                                         align="end")
        self.retrain.on_click(self._retrain)

    def retrain_overrides(self) -> list[str]:
        """The config overrides of a retrain from the widgets (an emptied horizon box gives
        ``forecast.horizon=None``, which the client override check refuses with a
        message)."""
        return [f"forecaster=[{','.join(self.retrain_models.value)}]",
                f"forecast.horizon={self.horizon.value}"]

    def _retrain(self, _event=None) -> None:
        if self.run is not None and self.on_retrain and self.retrain_models.value:
            self.on_retrain(self.run, self.retrain_overrides())

    def show(self, run: RunData | None) -> None:
        info = run.section("forecast") if run is not None else {}
        names = list((info.get("models") or {}).keys())
        best = [n for n in (info.get("best"), info.get("baseline")) if n in names]
        self.models.param.update(options=names, value=best or names[:2])
        self.retrain_models.value = [n for n in names if n in self.retrain_models.options]
        self.horizon.value = int(info.get("horizon") or 28)
        super().show(run)

    def render(self, run: RunData) -> list:
        info = run.section("forecast")
        controls = pn.Row(self.retrain_models, self.horizon, self.retrain,
                          sizing_mode="stretch_width")
        board = leaderboard(run)
        _ = self._
        if board is None:
            return [note(self.why_empty(run, "forecast", "This run has no forecast.")),
                    controls]
        # best_reason is an English sentence the run wrote; other pages name the model
        best = info.get("best_reason", info.get("best")) if self.language == "en" \
            else info.get("best")
        parts: list = [pn.pane.Markdown("**" + _("Best model") + f":** {best}"),
                       heading(_("Leaderboard")),
                       table(board, "leaderboard", currency=currency_of(run.manifest),
                             language=self.language),
                       self.models]
        chosen = set(self.models.value)
        backtest, future = run.table(RunLayout.BACKTEST), run.table(RunLayout.FORECAST)
        if backtest is not None and future is not None:
            backtest = self.filters.apply(backtest.assign(ds=as_datetimes(backtest["ds"])), "ds")
            future = future.assign(ds=as_datetimes(future["ds"]))
            series = sorted(future["series_id"].astype(str).unique())[0]
            history = cache(lambda: self._history(run, info))  # only for a chart to draw

            def draw(model: str) -> alt.LayerChart | alt.FacetChart:
                fc = future[(future["model"] == model)
                            & (future["series_id"].astype(str) == series)]
                bt = backtest[(backtest["model"] == model)
                              & (backtest["series_id"].astype(str) == series)]
                return forecast_chart(history(), fc, bt, title=f"{model} — {series}",
                                      language=self.language)

            for model in [m for m in self.models.options if m in chosen]:
                parts.append(self.chart(run, ("forecast", model, series), partial(draw, model)))
        importance = run.table(RunLayout.IMPORTANCE)
        if importance is not None and len(importance):
            top = importance[importance["model"].isin(chosen)].sort_values(
                "importance", ascending=False).head(20)
            if len(top):
                parts.append(self.chart(run, ("importance", *sorted(chosen)),
                                        partial(importance_chart, top, self.language)))
        parts.extend(self._realized(run, info))
        parts.append(heading(_("Retrain")))
        parts.append(controls)
        return parts

    def _history(self, run: RunData, info: dict) -> pd.DataFrame:
        """The filtered actuals at the forecast frequency (``ds``, ``y``)."""
        rows = self.filters.apply(run.clean)
        target = str(info.get("target") or "revenue")
        if rows is None or not len(rows) or target not in rows.columns:
            return pd.DataFrame({"ds": pd.Series(dtype="datetime64[ns]"), "y": []})
        freq = str(info.get("freq") or "D")
        series = rows.set_index("date")[target].resample(freq).sum()
        return series.rename("y").rename_axis("ds").reset_index()

    def _realized(self, run: RunData, info: dict) -> list:
        """Forecast against actual for the periods an earlier run forecast and this run's
        data covers, and the realised accuracy of every run of the runs folder."""
        realized = info.get("realized") or {}
        _ = self._
        parts: list = [heading(_("Realised accuracy"))]
        rows = run.table("realized")
        model = realized.get("model") or next(iter(realized.get("models") or {}), None)
        if rows is None or rows.empty or model is None:
            fallback = _("This run scored no earlier forecast: realised accuracy needs an "
                         "earlier run that forecast periods this run's data covers.")
            parts.append(note(str(realized.get("note")) if realized.get("note")
                              and self.language == "en" else fallback))
        else:
            figures = (realized.get("models") or {}).get(model, {})
            level = realized.get("interval_level")
            covered = (figures.get("coverage") or {}).get(str(round(float(level) * 100))) \
                if level is not None else None
            sentence = _("Run {run} forecast {periods} period(s) from {first} to {last}; its "
                         "{model} forecast scored MASE {mase}, bias {bias}%").format(
                run=realized.get("source_run"), periods=realized.get("periods"),
                first=realized.get("first"), last=realized.get("last"), model=model,
                mase=_fmt(figures.get("mase"), ".3f"),
                bias=_fmt(figures.get("bias_pct"), "+.1f"))
            if covered is not None:
                sentence += _(", and {share} of the actuals fell inside its interval").format(
                    share=f"{covered:.0%}")
            parts.append(pn.pane.Markdown(sentence + "."))
            parts.append(self.chart(run, ("realized", model), partial(
                realized_chart, rows, model, language=self.language)))
        parts.extend(self._accuracy_history_charts())
        return parts

    def _accuracy_history_charts(self) -> list[pn.pane.HTML]:
        """The realised accuracy of every run of the runs folder, drawn once per state of
        its index (``runs.db``), language and theme."""
        history = self._accuracy_history()
        if history is None or not len(history):
            return []
        assert self.runs_dir is not None  # a history comes from its index
        stamp = (self.runs_dir / "runs.db").stat().st_mtime_ns
        charts = accuracy_history_charts(history, self.language)

        def built(number: int) -> alt.TopLevelMixin:
            return charts[number]

        return [chart(CHARTS.drawn(("accuracy history", str(self.runs_dir.resolve()), stamp,
                                    number, self.language, chart_theme()),
                                   partial(built, number)))
                for number in range(len(charts))]

    def _accuracy_history(self) -> pd.DataFrame | None:
        if self.runs_dir is None or not (self.runs_dir / "runs.db").is_file():
            return None
        try:
            return accuracy_by_run(run_index(self.runs_dir))
        except (sqlite3.Error, OSError, ValueError, SalesforgeError) as error:
            log.warning("accuracy history of %s unavailable: %s", self.runs_dir, error)
            return None


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(float(value), spec)
