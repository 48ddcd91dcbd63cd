"""Insight sentence templates and their vocabulary, from the gettext catalog.

Each text here is written once, in English, marked with ``N_`` (``salesforge.i18n``): it is
the message id of ``salesforge/locale/<language>/LC_MESSAGES/salesforge.po`` and is looked up
in the report language when a sentence is written (English: the ids themselves). Translating
an insight means editing its ``msgstr`` in the ``.po`` file, never this module.

:func:`templates`, :func:`verbs`, :func:`effect_names`, :func:`drift_status`,
:func:`level_words` and :func:`dimension_names` give the texts of one language;
:data:`TEMPLATES`, :data:`VERBS`, :data:`EFFECT_NAMES`, :data:`DRIFT_STATUS`,
:data:`LEVEL_WORDS` and :data:`DIMENSION_NAMES` are the same per report language
(``TEMPLATES["id"]["total"]``), read-only and looked up on access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from salesforge.i18n import LOCALES, N_, gettext

T = TypeVar("T")

#: Template key -> its English text (the catalog's message id); ``{name}`` placeholders.
MESSAGES: dict[str, str] = {
    "total": N_("Revenue totalled {revenue} from {count} between {start} and {end}."),
    "orders": N_("{n} orders"),
    "lines": N_("{n} sales lines"),
    "change": N_("Revenue in {period} {move} against {base}."),
    "change_partial": N_("Revenue in {period} ({days} of {days_in_period} days so far) "
                         "{move} against the same days of {base}."),
    "yoy": N_("Revenue in {period} {move} against {base}, a year earlier."),
    "yoy_partial": N_("Revenue in {period} ({days} of {days_in_period} days so far) {move} "
                      "against the same days of {base}, a year earlier."),
    "bridge": N_("From {base} to {period} revenue changed by {change}; the largest driver "
                 "was {effect} ({amount})."),
    "top_product": N_("{product} is the top product with {revenue} ({share} of revenue)."),
    "pareto": N_("The top {top} of {products} products bring {share} of revenue."),
    "mover": N_("{name} had the largest revenue change among {dimension} in {period}: "
                "{change} ({pct})."),
    "returns": N_("Returns took back {share} of gross sales ({amount})."),
    "top_region": N_("{region} leads the regions with {share} of revenue."),
    "weekday": N_("{day} is the strongest day of the week with {share} of revenue."),
    "best_month": N_("The best month was {month} with {revenue}."),
    "drift_price": N_("Prices moved most since run {run}: the median product price is "
                      "{move} ({detail}, {status})."),
    "drift_numeric": N_("The distribution of {column} shifted most since run {run}: its "
                        "median is {move} ({detail}, {status})."),
    "drift_numeric_plain": N_("The distribution of {column} shifted most since run {run} "
                              "({detail}, {status})."),
    "drift_category": N_("The {column} mix shifted most since run {run}: the share of "
                         "{value} went from {before} to {after} ({detail}, {status})."),
    "drift_none": N_("The data matches run {run}: no column drifted (largest change: "
                     "{column}, {detail})."),
    "drift_products_moved": N_("{share} of products moved more than 10%"),
}

#: Direction words: (rose, fell, unchanged).
VERB_MESSAGES = (N_("rose"), N_("fell"), N_("was unchanged"))

#: Bridge effect -> its name in a sentence.
EFFECT_MESSAGES = {"price": N_("price"), "volume": N_("volume"), "mix": N_("product mix"),
                   "new": N_("new products"), "lost": N_("lost products")}

#: Drift status -> its word in a sentence.
DRIFT_STATUS_MESSAGES = {"ok": N_("ok"), "warn": N_("warning"), "drift": N_("drift")}

#: A level compared with an earlier one: (higher, lower, unchanged); "{pct} higher".
LEVEL_MESSAGES = (N_("{pct} higher"), N_("{pct} lower"), N_("unchanged"))

#: Dimension column -> its plural in a sentence.
DIMENSION_MESSAGES = {"category": N_("categories"), "region": N_("regions"),
                      "product": N_("products")}


def templates(language: str) -> dict[str, str]:
    """Template key -> sentence template in ``language``."""
    _ = gettext(language)
    return {key: _(message) for key, message in MESSAGES.items()}


def verbs(language: str) -> tuple[str, str, str]:
    """(rose, fell, unchanged) in ``language``."""
    _ = gettext(language)
    rose, fell, same = VERB_MESSAGES
    return _(rose), _(fell), _(same)


def effect_names(language: str) -> dict[str, str]:
    """Bridge effect -> its name in a sentence in ``language``."""
    _ = gettext(language)
    return {effect: _(message) for effect, message in EFFECT_MESSAGES.items()}


def drift_status(language: str) -> dict[str, str]:
    """Drift status -> its word in ``language``."""
    _ = gettext(language)
    return {status: _(message) for status, message in DRIFT_STATUS_MESSAGES.items()}


def level_words(language: str) -> tuple[str, str, str]:
    """("{pct} higher", "{pct} lower", "unchanged") in ``language``."""
    _ = gettext(language)
    higher, lower, same = LEVEL_MESSAGES
    return _(higher), _(lower), _(same)


def dimension_names(language: str) -> dict[str, str]:
    """Dimension column -> its plural in ``language``."""
    _ = gettext(language)
    return {column: _(message) for column, message in DIMENSION_MESSAGES.items()}


class PerLanguage(Mapping[str, T]):
    """Report language -> ``build(language)``, looked up on access (read-only)."""

    def __init__(self, build: Callable[[str], T]) -> None:
        self._build = build

    def __getitem__(self, language: str) -> T:
        if language not in LOCALES:
            raise KeyError(language)
        return self._build(language)

    def __iter__(self) -> Iterator[str]:
        return iter(LOCALES)

    def __len__(self) -> int:
        return len(LOCALES)


TEMPLATES: Mapping[str, dict[str, str]] = PerLanguage(templates)
VERBS: Mapping[str, tuple[str, str, str]] = PerLanguage(verbs)
EFFECT_NAMES: Mapping[str, dict[str, str]] = PerLanguage(effect_names)
DRIFT_STATUS: Mapping[str, dict[str, str]] = PerLanguage(drift_status)
LEVEL_WORDS: Mapping[str, tuple[str, str, str]] = PerLanguage(level_words)
DIMENSION_NAMES: Mapping[str, dict[str, str]] = PerLanguage(dimension_names)
