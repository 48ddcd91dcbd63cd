"""Built-in analyzers."""

from salesforge.analytics.kpis import KpiAnalyzer, KpiAnalyzerConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("analyzer", "kpis", KpiAnalyzer, config=KpiAnalyzerConfig)
