"""KPIs, monthly and per-dimension tables, and ranked insight sentences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.analytics.formatting import format_money, format_number, format_percent
from salesforge.base.analyzer import Analysis, Analyzer

TEXT = {
    "en": {
        "total": "Revenue totalled {revenue} from {transactions} transactions between "
                 "{start} and {end}.",
        "top_product": "{product} is the top product with {revenue} ({share} of revenue).",
        "best_month": "The best month was {month} with {revenue}.",
        "last_month": "Revenue in {month} changed {change} against {previous}.",
        "top_region": "{region} leads the regions with {share} of revenue.",
    },
    "id": {
        "total": "Total pendapatan {revenue} dari {transactions} transaksi antara "
                 "{start} dan {end}.",
        "top_product": "{product} adalah produk teratas dengan {revenue} ({share} dari "
                       "pendapatan).",
        "best_month": "Bulan terbaik adalah {month} dengan {revenue}.",
        "last_month": "Pendapatan {month} berubah {change} dibanding {previous}.",
        "top_region": "{region} memimpin wilayah dengan {share} dari pendapatan.",
    },
}


@dataclass
class KpiAnalyzerConfig:
    """Settings of the ``kpis`` analyzer (``analyzer.*``)."""

    #: Rows in the top-products table.
    top_n: int = 10


class KpiAnalyzer(Analyzer):
    """Revenue, transactions, units, average order value, distinct products and
    customers; monthly, product, category and region tables; insight sentences."""

    def __init__(self, top_n: int = 10) -> None:
        self.top_n = top_n

    def _analyze(self, clean: pd.DataFrame, language: str, currency: str) -> Analysis:
        has_orders = "order_id" in clean.columns
        transactions = int(clean["order_id"].nunique()) if has_orders else len(clean)
        revenue = float(clean["revenue"].sum())
        kpis = {
            "revenue": revenue,
            "transactions": transactions,
            "units": float(clean["quantity"].sum()),
            "average_order_value": revenue / transactions if transactions else float("nan"),
            "products": int(clean["product"].nunique()),
            "customers": (int(clean["customer_id"].nunique())
                          if "customer_id" in clean.columns else None),
            "date_min": clean["date"].min().date().isoformat(),
            "date_max": clean["date"].max().date().isoformat(),
        }
        tables = {
            "kpis": pd.DataFrame({"kpi": list(kpis), "value": list(kpis.values())}),
            "monthly": self._monthly(clean),
            "products": self._breakdown(clean, "product"),
            "categories": self._breakdown(clean, "category"),
            "regions": self._breakdown(clean, "region"),
        }
        insights = self._insights(kpis, tables, language, currency)
        return Analysis(kpis=kpis, tables=tables, insights=insights)

    def _monthly(self, clean: pd.DataFrame) -> pd.DataFrame:
        month = clean["date"].dt.to_period("M")
        table = clean.groupby(month).agg(revenue=("revenue", "sum"), units=("quantity", "sum"),
                                         transactions=("revenue", "size"))
        table["growth_pct"] = table["revenue"].pct_change() * 100
        table.index = table.index.astype(str)
        return table.rename_axis("month").reset_index()

    def _breakdown(self, clean: pd.DataFrame, column: str) -> pd.DataFrame:
        table = clean.groupby(column, observed=True).agg(
            revenue=("revenue", "sum"), units=("quantity", "sum"),
            transactions=("revenue", "size"))
        table["share_pct"] = table["revenue"] / table["revenue"].sum() * 100
        table = table.sort_values(["revenue"], ascending=False, kind="stable")
        if column == "product":
            table = table.head(int(self.top_n))
        return table.reset_index()

    def _insights(self, kpis: dict, tables: dict[str, pd.DataFrame], language: str,
                  currency: str) -> list[str]:
        text = TEXT[language]

        def money(x: float) -> str:
            return format_money(x, currency, language)

        def pct(x: float) -> str:
            return format_percent(x, 1, language)

        out = [text["total"].format(revenue=money(kpis["revenue"]),
                                    transactions=format_number(kpis["transactions"], 0, language),
                                    start=kpis["date_min"], end=kpis["date_max"])]
        top = tables["products"].iloc[0]
        out.append(text["top_product"].format(product=top["product"], revenue=money(top["revenue"]),
                                              share=pct(top["share_pct"])))
        monthly = tables["monthly"]
        best = monthly.loc[monthly["revenue"].idxmax()]
        out.append(text["best_month"].format(month=best["month"], revenue=money(best["revenue"])))
        if len(monthly) >= 2 and np.isfinite(monthly["growth_pct"].iloc[-1]):
            change = monthly["growth_pct"].iloc[-1]
            out.append(text["last_month"].format(
                month=monthly["month"].iloc[-1], previous=monthly["month"].iloc[-2],
                change=("+" if change >= 0 else "") + pct(change)))
        region = tables["regions"].iloc[0]
        out.append(text["top_region"].format(region=region["region"],
                                             share=pct(region["share_pct"])))
        return out
