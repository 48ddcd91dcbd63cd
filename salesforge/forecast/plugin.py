"""Built-in forecasters: the seasonal-naive baseline and the global linear model."""

from salesforge.forecast.linear import LinearConfig, LinearForecaster
from salesforge.forecast.seasonal_naive import SeasonalNaiveConfig, SeasonalNaiveForecaster
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("forecaster", "seasonal_naive", SeasonalNaiveForecaster,
                 config=SeasonalNaiveConfig)
    registry.add("forecaster", "linear", LinearForecaster, config=LinearConfig)
