"""Stage ``analytics``: KPIs, tables and insights in the report language."""

from __future__ import annotations

from salesforge.config import choice
from salesforge.errors import ConfigError
from salesforge.schema import RunContext


def run_analytics(ctx: RunContext) -> None:
    language = str(ctx.config.report.language)
    if language not in ("en", "id"):
        raise ConfigError(f"config key report.language must be en or id, not {language!r}.")
    name, settings = choice(ctx.config, "analyzer")
    analyzer = ctx.create("analyzer", name, settings, key="analyzer")
    analysis = analyzer.analyze(ctx.clean, language, str(ctx.config.report.currency))
    ctx.results["analytics"] = analysis
    ctx.manifest["analytics"] = {
        "analyzer": name, "kpis": analysis.kpis, "insights": analysis.insights,
        "insight_sources": [d.as_dict() for d in getattr(analysis, "details", [])],
    }
