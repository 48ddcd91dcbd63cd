"""Built-in reporters."""

from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry
from salesforge.report.csv_reporter import CsvReporter, CsvReporterConfig


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("reporter", "csv", CsvReporter, config=CsvReporterConfig)
