"""Cleaners map source columns to canonical ones and split good rows from bad ones."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from salesforge.base.component import Component


@dataclass
class CleanResult:
    """Rows that can be used, rows that cannot (with a ``reason`` column), and what was
    done: ``rows_in == len(clean) + len(rejected) + duplicates`` always holds."""

    clean: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: int
    columns_mapped: dict[str, str] = field(default_factory=dict)
    #: Data-quality summary (nulls, parse failures, outliers, duplicates, returns, gaps).
    quality: dict = field(default_factory=dict)
    #: Canonical columns the data lacked and how they were made, e.g. ``{"price":
    #: "revenue / quantity (no price column)"}``.
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def rows_in(self) -> int:
        return len(self.clean) + len(self.rejected) + self.duplicates


class Cleaner(Component):
    """Turn a raw frame into canonical columns; never drop a row silently."""

    def clean(self, raw: pd.DataFrame, columns: Mapping[str, str] | None = None,
              source: str = "data") -> CleanResult:
        """Clean ``raw``; ``columns`` maps canonical names to source columns (wins over
        auto-detection); ``source`` names the input in error messages."""
        result = self._clean(raw, dict(columns or {}), source)
        if result.rows_in != len(raw):
            raise AssertionError(
                f"{type(self).__name__} lost rows: {len(raw)} in, {result.rows_in} accounted for"
            )
        return result

    @abstractmethod
    def _clean(self, raw: pd.DataFrame, columns: dict[str, str], source: str) -> CleanResult:
        """Return the split; the base class checks no row was lost."""
