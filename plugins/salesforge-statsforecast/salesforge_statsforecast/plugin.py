"""The plugin module named by the ``salesforge`` entry point: registers the forecasters.

Importing it imports salesforge and this package's small modules, never statsforecast
(that happens the first time a model is fitted)."""

from salesforge import hookimpl
from salesforge.registry import Registry
from salesforge_statsforecast.intermittent import (
    ADIDAConfig,
    ADIDAForecaster,
    CrostonOptimizedConfig,
    CrostonOptimizedForecaster,
    IMAPAConfig,
    IMAPAForecaster,
    TSBConfig,
    TSBForecaster,
)
from salesforge_statsforecast.smooth import (
    AutoARIMAConfig,
    AutoARIMAForecaster,
    AutoETSConfig,
    AutoETSForecaster,
    AutoThetaConfig,
    AutoThetaForecaster,
    MSTLConfig,
    MSTLForecaster,
)

#: Forecaster name -> (class, config schema), as registered.
FORECASTERS = {
    "auto_ets": (AutoETSForecaster, AutoETSConfig),
    "auto_theta": (AutoThetaForecaster, AutoThetaConfig),
    "auto_arima": (AutoARIMAForecaster, AutoARIMAConfig),
    "mstl": (MSTLForecaster, MSTLConfig),
    "croston_optimized": (CrostonOptimizedForecaster, CrostonOptimizedConfig),
    "adida": (ADIDAForecaster, ADIDAConfig),
    "imapa": (IMAPAForecaster, IMAPAConfig),
    "tsb": (TSBForecaster, TSBConfig),
}
#: The models for intermittent demand (Syntetos-Boylan "intermittent" and "lumpy" series).
INTERMITTENT = ("croston_optimized", "adida", "imapa", "tsb")


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    """Add every forecaster of :data:`FORECASTERS` with its config schema
    (``forecaster.<name>.*``)."""
    for name, (cls, config) in FORECASTERS.items():
        registry.add("forecaster", name, cls, config=config)
