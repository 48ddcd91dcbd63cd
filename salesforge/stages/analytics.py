"""Stage ``analytics``: KPIs, tables and insights in the report language (with the data
drift the clean stage found, :mod:`salesforge.analytics.drift_insight`)."""

from __future__ import annotations

from salesforge.analytics.drift_insight import add_drift_insight
from salesforge.config import choice
from salesforge.data.drift_check import run_drift
from salesforge.i18n import report_language
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
