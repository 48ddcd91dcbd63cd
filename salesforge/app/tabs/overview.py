"""Overview: KPI cards, revenue trend, insights."""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import panel as pn

from salesforge.analytics.measures import headline_kpis
from salesforge.app.format import KPI_CARDS, currency_of, format_value
from salesforge.app.runs import RunData
from salesforge.app.tables import after_load, heading, note, table
from salesforge.app.tabs import Tab
from salesforge.charts import revenue_trend
from salesforge.i18n import N_
from salesforge.run_warnings import run_warnings


class OverviewTab(Tab):
    title = N_("Overview")

    def kpis(self, run: RunData) -> dict[str, Any]:
        """The run's KPIs (``analytics.kpis``); recomputed on the rows inside the filters
        when a filter narrows the data."""
        if self.filters.active and run.clean is not None:
            rows = self.filters.apply(run.clean)
            return headline_kpis(rows) if len(rows) else {}
        return dict((run.section("analytics").get("kpis")) or {})

    def cards_html(self, run: RunData, marked: bool = True) -> str:
        """The KPI cards as HTML, each card ``marked`` with its KPI's name (``data-kpi``) for
        scripts and tests to find."""
        kpis, currency = self.kpis(run), currency_of(run.manifest)
        cards = "".join(
            '<div class="sf-kpi"' + (f' data-kpi="{key}">' if marked else ">")
            + f'<div class="sf-kpi-title">{html.escape(self._(title))}</div>'
            + '<div class="sf-kpi-value">'
            + html.escape(format_value(kpis.get(key), kind, currency, self.language))
            + "</div></div>"
            for key, title, kind in KPI_CARDS)
        return f'<div class="sf-kpis">{cards}</div>'

    def cards(self, run: RunData) -> pn.pane.HTML:
        """The KPI cards, one pane (one model for the browser to build, not six)."""
        return pn.pane.HTML(self.cards_html(run), sizing_mode="stretch_width")

    def first_view(self) -> str:
        """The KPI cards of the run on show (none: ``""``) for the page's own HTML, where
        the browser paints them before BokehJS has built the page (``page.html``); not
        marked, so that only the app's cards carry ``data-kpi``."""
        return "" if self.run is None else self.cards_html(self.run, marked=False)

    def render(self, run: RunData) -> list:
        parts: list = [pn.pane.Alert(message, alert_type="warning", sizing_mode="stretch_width",
                                     css_classes=["sf-run-warning"])
                       for message in run_warnings(run.manifest)]
        parts.append(self.cards(run))
        return [*parts, after_load(lambda: self.details(run))]

    def details(self, run: RunData) -> list:
        """The revenue trend, the insights and revenue by product (below the cards)."""
        parts: list = []
        rows = self.filters.apply(run.clean)
        if rows is not None and len(rows):
            window = int((run.manifest.get("config") or {}).get("report", {}).get(
                "moving_average") or 28)

            def trend() -> alt.Chart:
                daily = rows.groupby(rows["date"].dt.normalize())["revenue"].sum()
                return revenue_trend(daily.rename_axis("date").reset_index(), window=window,
                                     title=self._("Revenue trend"), language=self.language)

            parts.append(self.chart(run, ("revenue_trend", window), trend))
        else:
            parts.append(note(self._("No rows inside the filters.")))
        analytics = run.section("analytics")  # in the page's language where the run has it
        insights = (analytics.get("insights_by_language") or {}).get(self.language) \
            or analytics.get("insights") or []
        if insights:
            parts.append(pn.pane.Markdown("### " + self._("Insights") + "\n"
                                          + "\n".join(f"- {t}" for t in insights),
                                          sizing_mode="stretch_width"))
        if rows is not None and len(rows) and "product" in rows.columns:
            top = rows.groupby("product", observed=True)["revenue"].sum().sort_values(
                ascending=False).rename_axis("product").reset_index()
            parts.append(heading(self._("Revenue by product")))
            parts.append(table(top, "products",
                               currency=currency_of(run.manifest), language=self.language))
        return parts
