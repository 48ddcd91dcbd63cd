"""Anomaly: timeline and price/quantity scatter, a filterable table with reasons, and a
contamination slider that re-scores the run's clean data with the run's detector, through
the detect stage's own scoring and table (same score, same order as anomalies.csv and the
API)."""

from __future__ import annotations

from functools import partial

import altair as alt
import numpy as np
import pandas as pd
import panel as pn

from salesforge.analytics.formatting import MoneyFormat, format_number
from salesforge.app.filters import GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData
from salesforge.app.tables import note, table
from salesforge.app.tabs import Tab
from salesforge.charts import anomaly_scatter, anomaly_timeline
from salesforge.data.dates import as_datetimes
from salesforge.detect.partitions import score_transactions
from salesforge.i18n import N_
from salesforge.plugin.manager import SalesforgePluginManager
from salesforge.report.figures import SCATTER_FLAGGED_POINTS
from salesforge.stages.detect import flagged_table

ALL = N_("All reasons")
SCATTER_NORMAL = 1000  # normal points drawn in the scatter (a seeded sample)


def rescore(run: RunData, contamination: float, plugins: SalesforgePluginManager
            ) -> pd.DataFrame:
    """The clean rows the run's detector flags when it flags ``contamination`` of them
    (``round(contamination x rows)``, plus ties at the cut), as the detect stage writes
    them: ``anomaly_score``, ``raw_score``, ``detector``, ``reason``, ``money_impact``,
    most anomalous first."""
    frame = run.clean
    config = run.manifest.get("config") or {}
    settings = dict(config.get("detector") or {"name": "mad"})
    name = str(settings.pop("name"))
    settings["contamination"] = float(contamination)
    detector = plugins.registry.create("detector", name, settings, key="detector")
    report = config.get("report") or {}
    money = MoneyFormat(str(report.get("currency") or "IDR"), signed=True,
                        language=str(report.get("language") or "en"))
    scored = score_transactions(frame, detector, money=money)
    return flagged_table(frame, scored, name)


class AnomalyTab(Tab):
    title = N_("Anomaly")

    def __init__(self, filters: GlobalFilters, plugins: SalesforgePluginManager,
                 language: str = "en") -> None:
        super().__init__(filters, language)
        _ = self._
        self.plugins = plugins
        self.rescored: pd.DataFrame | None = None
        self.contamination = pn.widgets.FloatSlider(
            label=_("Contamination (share flagged; re-scores)"), start=0.001, end=0.1,
            step=0.001, value=0.02, format="0.0%", width=320)
        self.contamination.param.watch(self._rescore, "value_throttled")
        self.reason = pn.widgets.Select(label=_("Reason"), options={_(ALL): ALL}, width=240)
        self.search = pn.widgets.TextInput(label=_("Search (product, order, reason)"),
                                           width=260)
        for widget in (self.reason, self.search):
            widget.param.watch(lambda _e: self.refresh(), "value")

    def show(self, run: RunData | None) -> None:
        self.rescored = None
        rate = run.section("anomalies").get("rate") if run is not None else None
        if rate:
            self.contamination.value = float(np.clip(round(rate, 3), 0.001, 0.1))
        super().show(run)

    def _rescore(self, event) -> None:
        if self.run is not None and self.run.clean is not None:
            self.rescored = rescore(self.run, event.new, self.plugins)
            self.refresh()

    def flagged(self, run: RunData) -> pd.DataFrame | None:
        """The flagged rows (re-scored ones once the slider moved) inside every filter."""
        frame = self.rescored if self.rescored is not None else run.table("anomalies")
        if frame is None:
            return None
        frame = self.filters.apply(frame.assign(date=as_datetimes(frame["date"])))
        kinds = frame["reason"].astype(str).str.extract(r"^(\w+)")[0]
        self.reason.options = {self._(ALL): ALL, **{k: k for k in sorted(kinds.dropna().unique())}}
        if self.reason.value != ALL:
            frame = frame[kinds == self.reason.value]
        if self.search.value:
            text = frame.astype(str).agg(" ".join, axis=1) if len(frame) else frame
            frame = frame[text.str.contains(self.search.value, case=False, regex=False)] \
                if len(frame) else frame
        return frame

    def render(self, run: RunData) -> list:
        frame = self.flagged(run)
        if frame is None:
            return [note(self.why_empty(run, "detect", "This run has no anomalies."))]
        info = run.section("anomalies")
        count = partial(format_number, language=self.language)
        parts: list = [pn.pane.Markdown(self._(
            "**{shown} flagged transactions** shown (detector {detector}; the run flagged "
            "{flagged} of {scored}).").format(
                shown=count(len(frame)), detector=info.get("detector"),
                flagged=count(info.get("flagged", 0)), scored=count(info.get("rows_scored", 0)))),
            pn.Row(self.contamination, self.reason, self.search, sizing_mode="stretch_width")]
        if len(frame):
            view = (self.contamination.value if self.rescored is not None else None,
                    self.reason.value, self.search.value)

            def timeline() -> alt.Chart:
                daily = frame.groupby(frame["date"].dt.normalize()).agg(
                    flagged=("anomaly_score", "size"), max_score=("anomaly_score", "max"))
                return anomaly_timeline(daily.rename_axis("date").reset_index(),
                                        language=self.language)

            parts.append(self.chart(run, ("timeline", *view), timeline))
            clean = run.clean
            if clean is not None:  # the scatter draws the run's normal rows too
                parts.append(self.chart(run, ("scatter", *view), lambda: anomaly_scatter(
                    self._points(clean, frame), language=self.language)))
        parts.append(table(frame.drop(columns=["source_row"], errors="ignore"), "anomalies",
                           currency=currency_of(run.manifest), language=self.language))
        return parts

    def _points(self, clean: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
        rows = self.filters.apply(clean)
        columns = ["product", "quantity", "price"]
        normal = rows.drop(index=flagged.index.intersection(rows.index), errors="ignore") \
            if self.rescored is not None else rows
        normal = normal.sample(min(SCATTER_NORMAL, len(normal)), random_state=0)[columns]
        # the highest scores, as the report's scatter: never tens of thousands of marks
        top = flagged.nlargest(SCATTER_FLAGGED_POINTS, "anomaly_score") \
            if "anomaly_score" in flagged.columns else flagged.head(SCATTER_FLAGGED_POINTS)
        points = pd.concat([normal.assign(status="normal", rank=0),
                            top[columns].assign(status="flagged", rank=1)])
        return points[(points["price"] > 0) & (points["quantity"] >= 0)]
