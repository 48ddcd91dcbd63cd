"""Stage ``analytics``: KPIs, tables and insights in the report language (with the data
drift the clean stage found, :mod:`salesforge.analytics.drift_insight`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesforge.analytics.drift_insight import add_drift_insight
from salesforge.analytics.insights import InsightWriter
from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.base.analyzer import Analysis
from salesforge.config import choice
from salesforge.data.drift_check import run_drift
from salesforge.i18n import LOCALES, report_language
from salesforge.schema import RunContext


def run_analytics(ctx: RunContext) -> None:
    language = report_language(ctx.config.report.language)
    name, settings = choice(ctx.config, "analyzer")
    analyzer = ctx.create("analyzer", name, settings, key="analyzer")
    analysis = analyzer.analyze(ctx.clean, language, str(ctx.config.report.currency))
    drift = run_drift(ctx.manifest)  # the clean stage's comparison with an earlier run
    if drift is not None:
        add_drift_insight(analysis, drift, language)
    ctx.stage_results.analytics = analysis
    ctx.manifest["analytics"] = {
        "analyzer": name, "kpis": analysis.kpis, "insights": analysis.insights,
        "insight_sources": [d.as_dict() for d in getattr(analysis, "details", [])],
    }
    if isinstance(analyzer, KpiAnalyzer):  # its tables are the ones its sentences read
        currency = str(ctx.config.report.currency)
        ctx.manifest["analytics"]["insights_by_language"] = {
            other: analysis.insights if other == language
            else insights_in(analysis, drift, other, currency) for other in LOCALES}


def insights_in(analysis: Analysis, drift: Mapping[str, Any] | None, language: str,
                currency: str) -> list[str]:
    """The insights of the built-in analysis written again in ``language`` (the results
    app shows them in the visitor's language, whatever the run's ``report.language``)."""
    details = InsightWriter(analysis.tables, analysis.kpis, language, currency).write()
    again = Analysis(kpis=analysis.kpis, tables=dict(analysis.tables),
                     insights=[d.text for d in details], details=details)
    if drift is not None:
        add_drift_insight(again, drift, language)
    return again.insights
