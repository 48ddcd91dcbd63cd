"""Analyzers compute KPIs, tables and written insights from clean transactions."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from salesforge.base.component import Component


@dataclass(frozen=True)
class Insight:
    """One written finding with its number and provenance: the value sits in
    ``Analysis.tables[table]`` at positional row ``row``, column ``column``."""

    key: str
    text: str
    value: float
    table: str
    row: int
    column: str
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "value": self.value, "table": self.table,
                "row": self.row, "column": self.column, "score": self.score}


@dataclass
class Analysis:
    """KPIs (name -> number), named tables, insight sentences in the report language
    (ranked, most important first) and the same insights with their provenance."""

    kpis: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    insights: list[str] = field(default_factory=list)
    details: list[Insight] = field(default_factory=list)


class Analyzer(Component):
    """``analyze(clean)`` returns an :class:`Analysis`; deterministic for the same data."""

    def analyze(self, clean: pd.DataFrame, language: str = "en",
                currency: str = "IDR") -> Analysis:
        if language not in ("en", "id"):
            raise ValueError(f"language must be 'en' or 'id', got {language!r}")
        if clean.empty:
            raise ValueError(f"{type(self).__name__} got no rows")
        return self._analyze(clean, language, currency)

    @abstractmethod
    def _analyze(self, clean: pd.DataFrame, language: str, currency: str) -> Analysis:
        """Compute the analysis."""
