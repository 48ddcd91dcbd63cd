"""Formatting for the app: money in the run's currency, counts, percentages, KPI cards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesforge.analytics.formatting import format_money, format_number, format_percent

#: KPI cards of the Overview tab: (key in ``analytics.kpis``, title, kind).
KPI_CARDS: tuple[tuple[str, str, str], ...] = (
    ("revenue", "Revenue", "money"),
    ("transactions", "Orders", "count"),
    ("average_order_value", "Average order value", "money"),
    ("units", "Units sold", "count"),
    ("products", "Products", "count"),
    ("return_rate_pct", "Return rate", "percent"),
)


def currency_of(manifest: Mapping[str, Any]) -> str:
    """The run's ``report.currency`` (IDR when unset)."""
    return str(((manifest.get("config") or {}).get("report") or {}).get("currency") or "IDR")


def format_value(value: Any, kind: str, currency: str = "IDR") -> str:
    """A KPI value as shown on a card: money ("Rp 1.234"), count ("33,850"), percent."""
    if kind == "money":
        return format_money(value, currency)
    if kind == "percent":
        return format_percent(value) if value is not None else "–"
    return format_number(value) if value is not None else "–"
