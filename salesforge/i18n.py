"""Text and formats in the report language: gettext catalogs compiled with Babel, and
Babel's locale data for month and weekday names, separators and compact amounts.

Every user-visible chart and insight string is an English message id looked up in
``salesforge/locale/<language>/LC_MESSAGES/salesforge.po`` (``en`` is the ids
themselves). :func:`vega_locale` and :func:`compact_label_expr` give Vega-Lite the
locale's number and time formats, so axes read "1,5 jt" and "Januari" in Indonesian."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal
from babel.support import NullTranslations, Translations

from salesforge.errors import ConfigError

#: Report language -> Babel locale.
LOCALES = {"en": "en_US", "id": "id_ID"}
DOMAIN = "salesforge"


def locale_of(language: str) -> Locale:
    """The Babel locale of a report language (``ValueError`` naming the choices)."""
    if language not in LOCALES:
        raise ValueError(f"language must be one of {', '.join(LOCALES)}, got {language!r}")
    return Locale.parse(LOCALES[language])


def report_language(value: object, key: str = "report.language") -> str:
    """``value`` as a report language; :class:`ConfigError` naming ``key`` otherwise."""
    language = str(value)
    if language not in LOCALES:
        raise ConfigError(f"config key {key} must be {' or '.join(LOCALES)}, not "
                          f"{language!r}.")
    return language


def catalog_path(language: str) -> Any:
    """The ``.po`` file of ``language`` inside the package."""
    return files("salesforge") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (read once per process; English: the ids)."""
    locale_of(language)
    if language == "en":
        return NullTranslations()
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def gettext(language: str) -> Callable[[str], str]:
    """``_`` for ``language``: ``_("Revenue")`` is "Pendapatan" in ``id``."""
    return translations(language).gettext


def month_names(language: str, width: str = "abbreviated") -> list[str]:
    """January first, from Babel (``width``: wide, abbreviated, narrow)."""
    months = locale_of(language).months["format"][width]
    return [months[m] for m in range(1, 13)]


def weekday_names(language: str, width: str = "abbreviated") -> list[str]:
    """Monday first, from Babel."""
    days = locale_of(language).days["format"][width]
    return [days[d] for d in range(7)]


def _sunday_first(names: list[str]) -> list[str]:
    return names[6:] + names[:6]


@cache
def vega_locale(language: str) -> dict[str, Any]:
    """Vega-Lite's ``config.locale`` (d3 number and time locales) from Babel's data."""
    locale = locale_of(language)
    symbols = locale.number_symbols["latn"]
    currency = locale.currency_symbols.get("IDR", "Rp") if language == "id" else "$"
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"],
                   "grouping": [3], "currency": [f"{currency}\u00a0" if language == "id"
                                                 else currency, ""]},
        "time": {"dateTime": "%x %X", "date": "%d/%m/%Y" if language == "id" else "%m/%d/%Y",
                 "time": "%H.%M.%S" if language == "id" else "%I:%M:%S %p",
                 "periods": ["AM", "PM"],
                 "days": _sunday_first(weekday_names(language, "wide")),
                 "shortDays": _sunday_first(weekday_names(language, "abbreviated")),
                 "months": month_names(language, "wide"),
                 "shortMonths": month_names(language, "abbreviated")},
    }


@cache
def compact_suffixes(language: str) -> list[tuple[float, str]]:
    """(power of ten, suffix) from Babel's short compact format, largest first:
    ``id`` gives " T", " M" (miliar), " jt", " rb"; ``en`` "T", "B", "M", "K"."""
    out = []
    for power in (1e12, 1e9, 1e6, 1e3):
        text = format_compact_decimal(power, locale=LOCALES[language])
        out.append((power, text[1:] if text.startswith("1") else text))
    return out


def compact_label_expr(language: str) -> str:
    """A Vega expression for axis labels: 1.5 billion as "1.5B" (en) or "1,5 M" (id),
    never d3's SI "G"; numbers below a thousand as they are."""
    expr = "format(datum.value, ',.3~g')"
    for power, suffix in reversed(compact_suffixes(language)):
        text = suffix.replace("\\", "\\\\").replace("'", "\\'")
        expr = (f"abs(datum.value) >= {power:.0f} ? "
                f"format(datum.value / {power:.0f}, ',.3~g') + '{text}' : {expr}")
    return expr


def N_(message: str) -> str:  # gettext's name for a message marked, not looked up
    """Mark ``message`` for the catalog where the text is looked up later by value."""
    return message


#: Texts looked up by value (column names as axis titles, the bridge's effects, the total
#: series), marked here so the catalog extraction finds them.
TERMS = (
    N_("revenue"), N_("transactions"), N_("lines"), N_("units"), N_("product"),
    N_("category"), N_("region"), N_("price"), N_("volume"), N_("mix"), N_("new"),
    N_("lost"), N_("total"),
)

#: Where the catalog's messages are written (``_(...)`` and ``N_(...)`` calls): the charts,
#: the insight sentences, the reports' labels, segment names and anomaly reasons.
SOURCES = ("charts", "analytics/insight_text.py", "report/figures.py", "report/labels.py",
           "report/excel_reporter.py", "segment/naming.py", "detect/explain.py", "i18n.py",
           "app", "app/tabs")


def extracted_messages() -> list[str]:
    """Every message id the :data:`SOURCES` use, in order of appearance (Babel's
    extractor, the ``pybabel extract`` of these files)."""
    from babel.messages.extract import extract_from_file

    root = files("salesforge")
    paths = []
    for source in SOURCES:
        entry = root / source
        paths += sorted((p for p in entry.iterdir() if p.name.endswith(".py")),
                        key=lambda p: p.name) \
            if entry.is_dir() else [entry]
    found: dict[str, None] = {}
    for path in paths:
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            found.setdefault(message if isinstance(message, str) else message[0])
    return list(found)
