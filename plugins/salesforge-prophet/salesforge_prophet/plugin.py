"""The plugin module named by the ``salesforge`` entry point: registers the forecaster."""

from salesforge import hookimpl
from salesforge.registry import Registry
from salesforge_prophet.forecaster import ProphetConfig, ProphetForecaster


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    """Add the ``prophet`` forecaster with its config schema (``forecaster.prophet.*``)."""
    registry.add("forecaster", "prophet", ProphetForecaster, config=ProphetConfig)
