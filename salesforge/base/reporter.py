"""Reporters write what a run found into files under ``reports/``."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesforge.base.component import Component

#: The report sections, in order, when ``report.sections`` is not given.
DEFAULT_SECTIONS: tuple[str, ...] = (
    "summary", "insights", "trend", "rankings", "growth", "bridge", "forecast", "segments",
    "anomalies", "data_quality",
)


@dataclass
class Section:
    """One report section: a title, then paragraphs, bullet points, charts (names of
    ``ReportBundle.charts`` / ``images``) and titled tables; ``sheet`` names its Excel sheet."""

    name: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    sheet: str | None = None


@dataclass
class ReportBundle:
    """Everything a reporter may show: KPIs, named tables, insights and the manifest.

    ``tables`` holds whatever earlier stages produced (``kpis``, ``monthly``,
    ``forecast``, ``leaderboard``, ``segments``, ``anomalies``, ...); a reporter shows
    the ones it knows and skips absent ones. ``charts`` maps a chart name to its Altair
    chart, ``specs`` to its Vega-Lite JSON and ``images`` to its PNG file;
    ``section_names`` is ``report.sections`` and ``extra_sections`` holds sections added
    by plugins (name -> Section or builder). ``details`` are the insights' provenance.
    """

    title: str
    language: str = "en"
    currency: str = "IDR"
    kpis: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    insights: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    details: list[Any] = field(default_factory=list)
    charts: dict[str, Any] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)
    specs: dict[str, str] = field(default_factory=dict)
    section_names: list[str] = field(default_factory=lambda: list(DEFAULT_SECTIONS))
    extra_sections: dict[str, Any] = field(default_factory=dict)


class Reporter(Component):
    """``write(bundle, out_dir)`` writes files and returns their paths."""

    def write(self, bundle: ReportBundle, out_dir: str | Path) -> list[Path]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [Path(p) for p in self._write(bundle, out_dir)]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise RuntimeError(f"{type(self).__name__} reported files it did not write: {missing}")
        return paths

    @abstractmethod
    def _write(self, bundle: ReportBundle, out_dir: Path) -> list[Path]:
        """Write the report files into ``out_dir`` (it exists)."""
