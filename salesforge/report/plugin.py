"""Built-in reporters."""

from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry
from salesforge.report.csv_reporter import CsvReporter, CsvReporterConfig
from salesforge.report.excel_reporter import ExcelReporter, ExcelReporterConfig
from salesforge.report.html_reporter import HtmlReporter, HtmlReporterConfig
from salesforge.report.pdf_reporter import PdfReporter, PdfReporterConfig


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("reporter", "csv", CsvReporter, config=CsvReporterConfig)
    registry.add("reporter", "pdf", PdfReporter, config=PdfReporterConfig)
    registry.add("reporter", "excel", ExcelReporter, config=ExcelReporterConfig)
    registry.add("reporter", "html", HtmlReporter, config=HtmlReporterConfig)
