"""Built-in feature builders."""

from salesforge.features.calendar import CalendarFeatures, CalendarFeaturesConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("feature_builder", "calendar", CalendarFeatures, config=CalendarFeaturesConfig)
