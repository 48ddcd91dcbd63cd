"""Table headers for people: each machine column name of the report tables as a label in
the report language (the catalog of :mod:`salesforge.i18n`). CSV exports keep the machine
names; the PDF, HTML and Excel reports show these."""

from __future__ import annotations

import pandas as pd

from salesforge.i18n import N_, gettext
from salesforge.segment.naming import localised_name

#: Machine column name -> English label (a catalog message id).
COLUMN_LABELS: dict[str, str] = {
    "anomaly_score": N_("anomaly score"), "average_day": N_("revenue per day"),
    "average_revenue": N_("average revenue"), "avg_price": N_("average price"),
    "base_period": N_("base period"), "base_revenue": N_("base revenue"),
    "basis": N_("basis"), "category": N_("category"), "change": N_("change"),
    "change_pct": N_("change %"), "column": N_("column"), "complete": N_("complete"),
    "cumulative_share_pct": N_("cumulative share %"), "current_revenue": N_("current revenue"),
    "cutoff": N_("backtest cutoff"), "date": N_("date"), "days": N_("days"),
    "days_in_period": N_("days in period"), "demand_cv": N_("demand variability"),
    "detector": N_("detector"), "ds": N_("date"), "end": N_("end"), "entity": N_("entity"),
    "growth": N_("growth"), "growth_pct": N_("growth %"), "insight": N_("insight"),
    "is_return": N_("return"), "item": N_("item"), "key": N_("key"), "kind": N_("kind"),
    "kpi": N_("indicator"), "label": N_("label"), "ks": N_("KS statistic"),
    "lines": N_("sales lines"), "lost": N_("lost"),
    "median_change_pct": N_("median change %"), "metric": N_("metric"), "mix": N_("mix"),
    "model": N_("model"), "money_impact": N_("money at stake"), "month": N_("month"),
    "month_of_year": N_("month of year"), "new": N_("new"), "order_id": N_("order"),
    "orders": N_("orders"), "period": N_("period"), "previous_month": N_("previous month"),
    "previous_quarter": N_("previous quarter"), "previous_revenue": N_("previous revenue"),
    "price": N_("price"), "price_level_change_pct": N_("price level change %"),
    "product": N_("product"), "product_share_pct": N_("product share %"),
    "products_moved_pct": N_("products moved %"), "psi": N_("PSI"),
    "quantity": N_("quantity"), "quarter": N_("quarter"), "rank": N_("rank"),
    "raw_score": N_("raw score"), "reason": N_("reason"),
    "recency_days": N_("days since last sale"),
    "region": N_("region"), "revenue": N_("revenue"), "revenue_share": N_("revenue share"),
    "row": N_("row"), "score": N_("score"), "segment_id": N_("segment number"),
    "segment_name": N_("segment"), "series_id": N_("series"),
    "share_after_pct": N_("share after %"), "share_before_pct": N_("share before %"),
    "share_pct": N_("share %"), "shift_value": N_("shift"), "source_row": N_("source row"),
    "start": N_("start"), "statistic": N_("statistic"), "status": N_("status"),
    "table": N_("table"), "transactions": N_("transactions"), "units": N_("units"),
    "value": N_("value"), "volume": N_("volume"), "weekday": N_("weekday"),
    "y_hi": N_("upper bound 80%"), "y_hi_95": N_("upper bound 95%"),
    "y_lo": N_("lower bound 80%"), "y_lo_95": N_("lower bound 95%"),
    "y_pred": N_("forecast"), "y_true": N_("actual"), "year": N_("year"),
    "year_ago_month": N_("month a year ago"), "year_ago_quarter": N_("quarter a year ago"),
    "year_ago_revenue": N_("revenue a year ago"), "year_ago_year": N_("previous year"),
    "years": N_("years"), "yoy_pct": N_("year on year %"), "bias": N_("bias"),
    "coverage": N_("interval coverage 80%"), "coverage_80": N_("interval coverage 80%"),
    "coverage_95": N_("interval coverage 95%"),
    "fva_pct": N_("value added %"), "mae": N_("MAE"), "mape": N_("MAPE"), "mase": N_("MASE"),
    "pinball_80": N_("pinball loss 80%"), "pinball_95": N_("pinball loss 95%"),
    "r2": N_("R²"), "rmse": N_("RMSE"), "rmsse": N_("RMSSE"), "smape": N_("sMAPE"),
    "wrmsse": N_("WRMSSE"), "entities": N_("entities"),
    "share_of_entities": N_("share of entities"), "segment": N_("segment"),
    "segment_revenue_share": N_("segment revenue share"), "config key": N_("config key"),
    "figure": N_("figure"), "name": N_("name"),
}
#: Excel sheet names (at most 31 characters in every language).
SHEET_NAMES = (N_("Summary"), N_("KPIs"), N_("Insights"), N_("Monthly"), N_("Products"),
               N_("Growth"), N_("Bridge"), N_("Forecast"), N_("Segments"), N_("Anomalies"),
               N_("Data Quality"))
#: Words of the tables that are not column names.
WORDS = (N_("Value"), N_("KPI"), N_("yes"), N_("no"))


def column_label(name: object, language: str) -> str:
    """The header of column ``name`` in ``language``: a known column's label from the
    catalog, else the name with ``_pct`` as "%" and underscores as spaces."""
    text = str(name)
    known = COLUMN_LABELS.get(text)
    if known is not None:
        return gettext(language)(known)
    return (text[:-4] + " %" if text.endswith("_pct") else text).replace("_", " ")


def sheet_name(name: str, language: str) -> str:
    """An Excel sheet name in ``language`` (31 characters at most)."""
    return gettext(language)(name)[:31]


def shown_values(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """``table`` as a report shows it in ``language``: the kmeans segment names (stored in
    English) translated; other values as they are (``table`` itself when nothing
    changes)."""
    if language == "en" or "segment_name" not in table.columns:
        return table
    names = table["segment_name"]
    return table.assign(segment_name=[n if pd.isna(n) else localised_name(str(n), language)
                                      for n in names])
