"""Ranked insight sentences, each tied to the table cell its number comes from.

Every builder reads the analysis tables only, so a sentence's number can always be found
at ``tables[insight.table].iloc[insight.row][insight.column]``. The ranking is a fixed
base score per kind plus the size of the finding; ties keep the builders' order, so the
same data always gives the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from salesforge.analytics.bridge import EFFECTS
from salesforge.analytics.formatting import (
    format_money,
    format_number,
    format_percent,
    format_signed_money,
    format_signed_percent,
)
from salesforge.analytics.insight_text import dimension_names, effect_names, templates, verbs
from salesforge.analytics.measures import finite
from salesforge.base.analyzer import Insight
from salesforge.i18n import weekday_names


class InsightWriter:
    """Writes the insights of one analysis in ``language`` with amounts in ``currency``;
    the sentences and their words are the gettext catalog's (``insight_text``)."""

    def __init__(self, tables: dict[str, pd.DataFrame], kpis: dict[str, Any], language: str,
                 currency: str) -> None:
        self.tables, self.kpis = tables, kpis
        self.language, self.currency = language, currency
        self.text = templates(language)
        self.verbs = verbs(language)

    def money(self, value: float) -> str:
        return format_money(value, self.currency, self.language)

    def pct(self, value: float) -> str:
        return format_percent(value, 1, self.language)

    def move(self, value: float) -> str:
        rose, fell, same = self.verbs
        if round(value, 1) == 0:
            return same
        return f"{rose if value > 0 else fell} {self.pct(abs(value))}"

    def cell(self, key: str, table: str, row: int, column: str, text: str,
             score: float) -> Insight:
        value = self.tables[table].iloc[row][column]
        return Insight(key, text, float(value), table, int(row), column, round(score, 6))

    def write(self) -> list[Insight]:
        builders: list[Callable[[], Insight | None]] = [
            self.total, self.latest_change, self.latest_yoy, self.bridge, self.top_product,
            self.pareto, self.returns, lambda: self.mover("category"),
            lambda: self.mover("region"), self.top_region, self.weekday, self.best_month]
        found = [insight for build in builders if (insight := build()) is not None]
        order = sorted(range(len(found)), key=lambda i: (-found[i].score, i))
        return [found[i] for i in order]

    # --- one builder per kind of finding ---------------------------------------------------

    def total(self) -> Insight:
        kpis = self.kpis
        kind = "orders" if kpis.get("orders") is not None else "lines"
        count = self.text[kind].format(n=format_number(kpis["transactions"], 0, self.language))
        text = self.text["total"].format(revenue=self.money(kpis["revenue"]), count=count,
                                         start=kpis["date_min"], end=kpis["date_max"])
        row = list(self.tables["kpis"]["kpi"]).index("revenue")
        return self.cell("total", "kpis", row, "value", text, 100)

    def _period_change(self, table: str, column: str, base_column: str, key: str,
                       base_score: float) -> Insight | None:
        growth = self.tables.get(table)
        if growth is None or column not in growth:
            return None
        rows = [i for i, v in enumerate(growth[column]) if finite(v)]
        if not rows:
            return None
        row = rows[-1]
        line = growth.iloc[row]
        partial = not bool(line["complete"])
        template = self.text[f"{key}_partial" if partial else key]
        label = growth.columns[0]
        text = template.format(period=line[label], base=line[base_column],
                               move=self.move(line[column]), days=int(line["days"]),
                               days_in_period=int(line["days_in_period"]))
        return self.cell(key, table, row, column, text,
                         base_score + min(abs(float(line[column])), 40))

    def latest_change(self) -> Insight | None:
        return self._period_change("growth_monthly", "change_pct", "previous_month", "change",
                                   50)

    def latest_yoy(self) -> Insight | None:
        return self._period_change("growth_monthly", "yoy_pct", "year_ago_month", "yoy", 45)

    def bridge(self) -> Insight | None:
        table = self.tables.get("bridge_category")
        if table is None or table.empty or "Total" not in set(table.iloc[:, 0]):
            return None
        row = list(table.iloc[:, 0]).index("Total")
        line = table.iloc[row]
        effect = max(EFFECTS, key=lambda e: (abs(float(line[e])), -EFFECTS.index(e)))
        text = self.text["bridge"].format(
            base=line["base_period"], period=line["period"],
            change=format_signed_money(line["change"], self.currency, self.language),
            effect=effect_names(self.language)[effect],
            amount=format_signed_money(line[effect], self.currency, self.language))
        share = abs(float(line["change"])) / max(abs(float(line["base_revenue"])), 1e-9) * 100
        return self.cell("bridge", "bridge_category", row, effect, text, 40 + min(share, 30))

    def top_product(self) -> Insight | None:
        products = self.tables["products"]
        if len(products) < 2:  # one product: nothing to rank
            return None
        top = products.iloc[0]
        text = self.text["top_product"].format(product=top["product"],
                                               revenue=self.money(top["revenue"]),
                                               share=self.pct(top["share_pct"]))
        return self.cell("top_product", "products", 0, "share_pct", text,
                         35 + float(top["share_pct"]) / 10)

    def pareto(self) -> Insight | None:
        table = self.tables.get("pareto")
        if table is None or len(table) < 5:
            return None
        top = int(self.kpis["pareto_top_products"])
        text = self.text["pareto"].format(
            top=top, products=len(table),
            share=self.pct(table["cumulative_share_pct"].iloc[top - 1]))
        return self.cell("pareto", "pareto", top - 1, "cumulative_share_pct", text, 30)

    def returns(self) -> Insight | None:
        rate = self.kpis.get("return_rate_pct")
        if not finite(rate) or self.kpis.get("return_lines", 0) == 0:
            return None
        text = self.text["returns"].format(share=self.pct(rate),
                                           amount=self.money(self.kpis["returns_value"]))
        row = list(self.tables["kpis"]["kpi"]).index("return_rate_pct")
        return self.cell("returns", "kpis", row, "value", text, 30 + min(float(rate), 30))

    def mover(self, column: str) -> Insight | None:
        """The value of ``column`` with the largest revenue change in the latest month,
        among those with a previous-period base (a percentage exists)."""
        table = self.tables.get(f"growth_{column}")
        if table is None or "change_pct" not in table or table[column].nunique() < 2:
            return None
        rows = [i for i, v in enumerate(table["change_pct"]) if finite(v)]
        if not rows:
            return None
        row = max(rows, key=lambda i: (abs(float(table["change"].iloc[i])), -i))
        line = table.iloc[row]
        text = self.text["mover"].format(
            name=line[column], dimension=dimension_names(self.language)[column],
            period=line["month"], change=format_signed_money(line["change"], self.currency,
                                                             self.language),
            pct=format_signed_percent(line["change_pct"], 1, self.language))
        return self.cell(f"mover_{column}", f"growth_{column}", row, "change", text,
                         20 + min(abs(float(line["change_pct"])), 20) / 2)

    def top_region(self) -> Insight | None:
        regions = self.tables["regions"]
        if len(regions) < 2:
            return None
        text = self.text["top_region"].format(region=regions["region"].iloc[0],
                                              share=self.pct(regions["share_pct"].iloc[0]))
        return self.cell("top_region", "regions", 0, "share_pct", text, 15)

    def weekday(self) -> Insight | None:
        table = self.tables.get("weekday")
        if table is None or (table["days"] > 0).sum() < 7:
            return None
        row = int(table["revenue"].to_numpy().argmax())
        text = self.text["weekday"].format(day=weekday_names(self.language, "wide")[row],
                                           share=self.pct(table["share_pct"].iloc[row]))
        return self.cell("weekday", "weekday", row, "share_pct", text, 12)

    def best_month(self) -> Insight | None:
        growth = self.tables["growth_monthly"]
        full = growth["complete"].to_numpy()
        candidates = growth[full] if full.any() else growth
        row = int(candidates["revenue"].idxmax())
        text = self.text["best_month"].format(month=growth["month"].iloc[row],
                                              revenue=self.money(growth["revenue"].iloc[row]))
        return self.cell("best_month", "growth_monthly", row, "revenue", text, 10)
