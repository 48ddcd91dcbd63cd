"""Formatting for the app: money in the run's currency, counts, percentages, KPI cards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesforge.analytics.formatting import format_money, format_number, format_percent
from salesforge.i18n import N_

#: KPI cards of the Overview tab: (key in ``analytics.kpis``, title, kind).
KPI_CARDS: tuple[tuple[str, str, str], ...] = (
    ("revenue", N_("Revenue"), "money"),
    ("transactions", N_("Orders"), "count"),
    ("average_order_value", N_("Average order value"), "money"),
    ("units", N_("Units sold"), "count"),
    ("products", N_("Products"), "count"),
    ("return_rate_pct", N_("Return rate"), "percent"),
)


def currency_of(manifest: Mapping[str, Any]) -> str:
    """The run's ``report.currency`` (IDR when unset)."""
    return str(((manifest.get("config") or {}).get("report") or {}).get("currency") or "IDR")


def format_value(value: Any, kind: str, currency: str = "IDR", language: str = "en") -> str:
    """A KPI value as shown on a card in ``language``'s number style: money
    ("Rp 1,234" / "Rp 1.234"), count ("33,850" / "33.850"), percent."""
    if kind == "money":
        return format_money(value, currency, language)
    if kind == "percent":
        return format_percent(value, language=language) if value is not None else "–"
    return format_number(value, language=language) if value is not None else "–"
