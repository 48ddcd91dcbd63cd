"""The plugin module named by the ``salesforge`` entry point: registers the forecaster.

Importing it imports salesforge and :mod:`salesforge_lightgbm.forecaster`, never LightGBM
itself (that happens the first time a model is fitted or loaded)."""

from salesforge import hookimpl
from salesforge.registry import Registry
from salesforge_lightgbm.forecaster import LightGBMConfig, LightGBMForecaster


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    """Add the ``lightgbm`` forecaster with its config schema (``forecaster.lightgbm.*``)."""
    registry.add("forecaster", "lightgbm", LightGBMForecaster, config=LightGBMConfig)
