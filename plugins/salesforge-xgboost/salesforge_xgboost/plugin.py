"""The plugin module named by the ``salesforge`` entry point: registers the forecaster."""

from salesforge import hookimpl
from salesforge.registry import Registry
from salesforge_xgboost.forecaster import XGBoostConfig, XGBoostForecaster


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    """Add the ``xgboost`` forecaster with its config schema (``forecaster.xgboost.*``)."""
    registry.add("forecaster", "xgboost", XGBoostForecaster, config=XGBoostConfig)
