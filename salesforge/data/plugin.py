"""Built-in data components: one loader per format and the standard cleaner."""

from salesforge.data.cleaning import StandardCleaner, StandardCleanerConfig
from salesforge.data.csv_loader import CsvLoader, CsvLoaderConfig
from salesforge.data.excel_loader import ExcelLoader, ExcelLoaderConfig
from salesforge.data.json_loader import JsonLoader
from salesforge.data.parquet_loader import ParquetLoader
from salesforge.data.sql_loader import SqlLoader, SqlLoaderConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("loader", "csv", CsvLoader, config=CsvLoaderConfig)
    registry.add("loader", "excel", ExcelLoader, config=ExcelLoaderConfig)
    registry.add("loader", "json", JsonLoader)
    registry.add("loader", "parquet", ParquetLoader)
    registry.add("loader", "sql", SqlLoader, config=SqlLoaderConfig)
    registry.add("cleaner", "standard", StandardCleaner, config=StandardCleanerConfig)
