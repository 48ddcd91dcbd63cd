"""Locale-aware formatting of money, counts and percentages for insights and reports."""

from __future__ import annotations

import math

#: Currency code -> (symbol, decimals).
CURRENCIES: dict[str, tuple[str, int]] = {
    "IDR": ("Rp", 0),
    "USD": ("$", 2),
    "GBP": ("£", 2),
    "EUR": ("€", 2),
}

#: Weekday names, Monday first, per language.
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float, decimals: int = 0, language: str = "en") -> str:
    """1234567.891 -> "1,234,567.89" (en) or "1.234.567,89" (id)."""
    if _missing(value):
        return "–"
    if round(value, decimals) == 0:
        value = 0  # no "-0.0"
    text = f"{value:,.{decimals}f}"
    if language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_money(value: float, currency: str = "IDR", language: str = "en") -> str:
    """Amount with its currency symbol: IDR -> "Rp 1.234.567" (dot thousands, no cents,
    the Indonesian convention, in either language); USD -> "$1,234.50"; negatives
    put the sign first: "-Rp 1.234"."""
    if _missing(value):
        return "–"
    code = currency.upper()
    symbol, decimals = CURRENCIES.get(code, (code + " ", 2))
    sign = "-" if round(value, decimals) < 0 else ""
    if code == "IDR":
        return f"{sign}Rp {format_number(abs(value), 0, 'id')}"
    return f"{sign}{symbol}{format_number(abs(value), decimals, language)}"


def format_signed_money(value: float, currency: str = "IDR", language: str = "en") -> str:
    """Like :func:`format_money` with an explicit "+" on positive amounts."""
    text = format_money(value, currency, language)
    return text if text.startswith(("-", "–")) or value == 0 else f"+{text}"


def format_percent(value: float, decimals: int = 1, language: str = "en") -> str:
    """12.345 -> "12.3%" (en) or "12,3%" (id); ``value`` is already in percent."""
    return f"{format_number(value, decimals, language)}%"


def format_signed_percent(value: float, decimals: int = 1, language: str = "en") -> str:
    """5.0 -> "+5.0%", -2.5 -> "-2.5%"; ``value`` is already in percent."""
    text = format_percent(value, decimals, language)
    return f"+{text}" if not _missing(value) and round(value, decimals) > 0 else text
