"""Locale-aware formatting of money, counts and percentages for insights and reports."""

from __future__ import annotations

import math

#: Currency code -> (symbol, decimals, symbol goes first).
CURRENCIES: dict[str, tuple[str, int]] = {
    "IDR": ("Rp", 0),
    "USD": ("$", 2),
    "GBP": ("£", 2),
    "EUR": ("€", 2),
}


def format_number(value: float, decimals: int = 0, language: str = "en") -> str:
    """1234567.891 -> "1,234,567.89" (en) or "1.234.567,89" (id)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_money(value: float, currency: str = "IDR", language: str = "en") -> str:
    """Amount with its currency symbol: IDR -> "Rp 1.234.567" (dot thousands, no cents,
    the Indonesian convention, in either language); USD -> "$1,234.50"."""
    symbol, decimals = CURRENCIES.get(currency.upper(), (currency.upper() + " ", 2))
    if currency.upper() == "IDR":
        return f"Rp {format_number(value, 0, 'id')}"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{format_number(abs(value), decimals, language)}"


def format_percent(value: float, decimals: int = 1, language: str = "en") -> str:
    """12.345 -> "12.3%" (en) or "12,3%" (id); ``value`` is already in percent."""
    return f"{format_number(value, decimals, language)}%"
