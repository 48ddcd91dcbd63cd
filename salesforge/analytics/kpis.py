"""The built-in ``kpis`` analyzer: KPIs, growth, bridges, rankings and ranked insights."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesforge.analytics.bridge import bridge
from salesforge.analytics.facts import Facts
from salesforge.analytics.growth import daily_matrix, growth_by, growth_table, period_windows
from salesforge.analytics.insights import InsightWriter
from salesforge.analytics.measures import breakdown, headline_kpis, monthly
from salesforge.analytics.rankings import (
    month_of_year,
    pareto,
    top_bottom,
    weekday,
    weekday_by_month,
)
from salesforge.base.analyzer import Analysis, Analyzer


@dataclass
class KpiAnalyzerConfig:
    """Settings of the ``kpis`` analyzer (``analyzer.*``)."""

    #: Rows in the top-products and bottom-products tables.
    top_n: int = 10
    #: Share of products whose revenue share the Pareto KPI reports (0.2 = top 20%).
    pareto_share: float = 0.2


@dataclass(eq=False)
class KpiAnalyzer(Analyzer, KpiAnalyzerConfig):
    """Revenue, orders, lines, units, average order value, distinct products and
    customers, return rate; monthly, quarterly and yearly growth with partial periods
    aligned; growth and a price-volume-mix bridge by category and region; rankings,
    Pareto and calendar patterns; ranked insight sentences with provenance."""

    def _analyze(self, clean: pd.DataFrame | Facts, language: str, currency: str) -> Analysis:
        if not 0 < float(self.pareto_share) <= 1:
            raise ValueError(f"analyzer.pareto_share must be in (0, 1], "
                             f"not {self.pareto_share!r}")
        facts = Facts.of(clean)  # the rows read and encoded once for every table
        kpis = headline_kpis(facts)
        products = breakdown(facts, "product")
        top, bottom = top_bottom(products, int(self.top_n))
        pareto_table, pareto_summary = pareto(products, float(self.pareto_share))
        kpis["pareto_top_products"] = pareto_summary["top_products"]
        kpis["pareto_revenue_share_pct"] = pareto_summary["revenue_share_pct"]
        growth_monthly = growth_table(facts, "M")
        tables = {
            "kpis": pd.DataFrame({"kpi": list(kpis), "value": list(kpis.values())}),
            "daily": daily_matrix(facts).rename_axis("date").reset_index(),
            "monthly": monthly(facts),
            "growth_monthly": growth_monthly,
            "growth_quarterly": growth_table(facts, "Q"),
            "growth_yearly": growth_table(facts, "Y"),
            "products": top,
            "bottom_products": bottom,
            "categories": breakdown(facts, "category"),
            "regions": breakdown(facts, "region"),
            "pareto": pareto_table,
            "month_of_year": month_of_year(growth_monthly),
        }
        if not facts.stamped:  # weekdays mean nothing for monthly totals
            tables["weekday"] = weekday(facts)
            tables["weekday_month"] = weekday_by_month(facts)
        for column in ("category", "region", "product"):
            tables[f"growth_{column}"] = growth_by(facts, column, "M")
        tables.update(self._bridges(facts))
        details = InsightWriter(tables, kpis, language, currency).write()
        return Analysis(kpis=kpis, tables=tables, insights=[i.text for i in details],
                        details=details)

    def _bridges(self, facts: Facts) -> dict[str, pd.DataFrame]:
        """Bridges of the latest month against the previous one on aligned days, by
        category and by region, each with a ``Total`` row."""
        windows = period_windows(facts.first, facts.end, "M")
        windows = windows[windows["previous_lo"] >= 0]
        if windows.empty:
            return {}
        line = windows.iloc[-1]
        columns = [c for c in ("product", "category", "region", "revenue", "quantity",
                               "is_return") if c in facts.clean.columns]
        base = facts.between(int(line["previous_lo"]), int(line["previous_hi"]), columns)
        current = facts.between(int(line["lo"]), int(line["hi"]), columns)
        out = {}
        for column in ("category", "region"):
            table = pd.concat([bridge(base, current, column),
                               bridge(base, current).rename(columns={"group": column})],
                              ignore_index=True)
            table.insert(1, "base_period", line["previous_month"])
            table.insert(2, "period", line["month"])
            table.insert(3, "basis", "full" if line["complete"] else "same days")
            out[f"bridge_{column}"] = table
        return out
