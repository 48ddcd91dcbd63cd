"""The data-drift insight: a run's largest drift (``manifest.data.drift``) in words.

The analytics stage adds it to whatever the analyzer found: a ``drift`` table (one row per
compared column, :func:`drift_table`) and one sentence tied to the ``value`` cell of the
largest column's row, ranked by status (``drift`` high, ``warn`` middle, ``ok`` last).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from salesforge.analytics.formatting import format_number, format_percent
from salesforge.analytics.insight_text import drift_status, level_words, templates
from salesforge.base.analyzer import Analysis, Insight
from salesforge.data.drift import PRICE, PRICE_LEVEL

#: Name of the table the insight's number comes from.
DRIFT_TABLE = "drift"
#: Ranking score per status (the total revenue sentence has 100).
SCORES = {"drift": 75.0, "warn": 25.0, "ok": 5.0}
COLUMNS = ["column", "kind", "statistic", "value", "status", "psi", "ks", "median_change_pct",
           "price_level_change_pct", "products_moved_pct", "shift_value", "share_before_pct",
           "share_after_pct"]


def drift_table(drift: Mapping[str, Any]) -> pd.DataFrame:
    """One row per compared column of a ``manifest.data.drift`` entry (percentages in
    percent)."""
    rows = []
    for name, entry in drift["columns"].items():
        shift = entry.get("largest_shift") or {}
        level = entry.get(PRICE_LEVEL) or {}
        rows.append({
            "column": name, "kind": entry["kind"], "statistic": entry["statistic"],
            "value": entry.get("value"), "status": entry["status"], "psi": entry.get("psi"),
            "ks": entry.get("ks"), "median_change_pct": _pct(entry.get("median_change")),
            "price_level_change_pct": _pct(level.get("median_change")),
            "products_moved_pct": _pct(level.get("share_moved")),
            "shift_value": shift.get("value"), "share_before_pct": _pct(shift.get("reference")),
            "share_after_pct": _pct(shift.get("current"))})
    return pd.DataFrame(rows, columns=COLUMNS)


def drift_insight(drift: Mapping[str, Any], language: str
                  ) -> tuple[pd.DataFrame, Insight] | None:
    """(the ``drift`` table, the sentence on its largest column), or ``None`` when no
    column has a statistic."""
    largest = drift.get("largest")
    if not largest or largest.get("value") is None:
        return None
    table = drift_table(drift)
    row = list(table["column"]).index(largest["column"])
    text = DriftSentence(drift, language).write(largest)
    return table, Insight("data_drift", text, float(table["value"].iloc[row]), DRIFT_TABLE,
                          row, "value", SCORES.get(str(drift.get("status")), 0.0))


def add_drift_insight(analysis: Analysis, drift: Mapping[str, Any], language: str) -> None:
    """Add the ``drift`` table and the drift sentence to ``analysis``, in rank order."""
    found = drift_insight(drift, language)
    if found is None:
        return
    table, insight = found
    analysis.tables[DRIFT_TABLE] = table
    at = next((i for i, d in enumerate(analysis.details) if d.score < insight.score),
              len(analysis.details))
    aligned = [d.text for d in analysis.details] == list(analysis.insights)
    analysis.details.insert(at, insight)
    analysis.insights.insert(at if aligned else len(analysis.insights), insight.text)


class DriftSentence:
    """Writes the sentence on one ``largest`` drift entry in ``language`` (the gettext
    catalog's wording, ``insight_text``)."""

    def __init__(self, drift: Mapping[str, Any], language: str) -> None:
        self.drift, self.language = drift, language
        self.text = templates(language)

    def pct(self, share: float) -> str:
        return format_percent(share * 100, 1, self.language)

    def move(self, change: float) -> str:
        higher, lower, same = level_words(self.language)
        if round(change * 100, 1) == 0:
            return same
        return (higher if change > 0 else lower).format(pct=self.pct(abs(change)))

    def detail(self, entry: Mapping[str, Any]) -> str:
        if entry["statistic"] == "median_price_change":
            return self.text["drift_products_moved"].format(
                share=self.pct(entry[PRICE_LEVEL].get("share_moved") or 0.0))
        return f"{str(entry['statistic']).upper()} " \
               f"{format_number(float(entry['value']), 2, self.language)}"

    def write(self, largest: Mapping[str, Any]) -> str:
        name = str(largest["column"])
        columns = self.drift["columns"]
        entry = columns[name]
        status = drift_status(self.language)[str(entry["status"])]
        common = {"run": self.drift.get("reference_run"), "column": name,
                  "detail": self.detail(entry), "status": status}
        if self.drift.get("status") == "ok":
            return self.text["drift_none"].format(**common)
        if name == PRICE:
            level = (entry.get(PRICE_LEVEL) or {}).get("median_change")
            change = level if level is not None else entry.get("median_change")
            if change is not None:
                return self.text["drift_price"].format(move=self.move(change), **common)
        if entry["kind"] == "categorical" and entry.get("largest_shift"):
            shift = entry["largest_shift"]
            return self.text["drift_category"].format(
                value=shift["value"], before=self.pct(shift["reference"]),
                after=self.pct(shift["current"]), **common)
        change = entry.get("median_change")
        if change is None:  # a median of 0 before: no relative change to state
            return self.text["drift_numeric_plain"].format(**common)
        return self.text["drift_numeric"].format(move=self.move(change), **common)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(float(share) * 100, 4)
