"""The built-in ``kpis`` analyzer: KPIs, growth, bridges, rankings and ranked insights."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesforge.analytics.bridge import bridge
from salesforge.analytics.growth import (
    coverage_end,
    daily_matrix,
    growth_by,
    growth_table,
    monthly_stamped,
    period_windows,
)
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


class KpiAnalyzer(Analyzer):
    """Revenue, orders, lines, units, average order value, distinct products and
    customers, return rate; monthly, quarterly and yearly growth with partial periods
    aligned; growth and a price-volume-mix bridge by category and region; rankings,
    Pareto and calendar patterns; ranked insight sentences with provenance."""

    def __init__(self, top_n: int = 10, pareto_share: float = 0.2) -> None:
        self.top_n = top_n
        self.pareto_share = pareto_share

    def _analyze(self, clean: pd.DataFrame, language: str, currency: str) -> Analysis:
        if not 0 < float(self.pareto_share) <= 1:
            raise ValueError(f"analyzer.pareto_share must be in (0, 1], "
                             f"not {self.pareto_share!r}")
        kpis = headline_kpis(clean)
        products = breakdown(clean, "product")
        top, bottom = top_bottom(products, int(self.top_n))
        pareto_table, pareto_summary = pareto(products, float(self.pareto_share))
        kpis["pareto_top_products"] = pareto_summary["top_products"]
        kpis["pareto_revenue_share_pct"] = pareto_summary["revenue_share_pct"]
        growth_monthly = growth_table(clean, "M")
        tables = {
            "kpis": pd.DataFrame({"kpi": list(kpis), "value": list(kpis.values())}),
            "daily": daily_matrix(clean).rename_axis("date").reset_index(),
            "monthly": monthly(clean),
            "growth_monthly": growth_monthly,
            "growth_quarterly": growth_table(clean, "Q"),
            "growth_yearly": growth_table(clean, "Y"),
            "products": top,
            "bottom_products": bottom,
            "categories": breakdown(clean, "category"),
            "regions": breakdown(clean, "region"),
            "pareto": pareto_table,
            "month_of_year": month_of_year(growth_monthly),
        }
        if not monthly_stamped(clean["date"]):  # weekdays mean nothing for monthly totals
            tables["weekday"] = weekday(clean)
            tables["weekday_month"] = weekday_by_month(clean)
        for column in ("category", "region", "product"):
            tables[f"growth_{column}"] = growth_by(clean, column, "M")
        tables.update(self._bridges(clean))
        details = InsightWriter(tables, kpis, language, currency).write()
        return Analysis(kpis=kpis, tables=tables, insights=[i.text for i in details],
                        details=details)

    def _bridges(self, clean: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """Bridges of the latest month against the previous one on aligned days, by
        category and by region, each with a ``Total`` row."""
        day = clean["date"].dt.normalize()
        first, last = day.min(), coverage_end(clean["date"])
        windows = period_windows(first, last, "M")
        windows = windows[windows["previous_lo"] >= 0]
        if windows.empty:
            return {}
        line = windows.iloc[-1]

        def between(lo: int, hi: int) -> pd.DataFrame:
            return clean[(day >= first + pd.Timedelta(days=int(lo)))
                         & (day <= first + pd.Timedelta(days=int(hi)))]

        base = between(line["previous_lo"], line["previous_hi"])
        current = between(line["lo"], line["hi"])
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
