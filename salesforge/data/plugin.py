"""Built-in data components: the CSV loader and the standard cleaner."""

from salesforge.data.cleaning import StandardCleaner, StandardCleanerConfig
from salesforge.data.csv_loader import CsvLoader, CsvLoaderConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("loader", "csv", CsvLoader, config=CsvLoaderConfig)
    registry.add("cleaner", "standard", StandardCleaner, config=StandardCleanerConfig)
