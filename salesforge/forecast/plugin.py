"""Built-in forecasters: the seasonal-naive baseline, the window median, the global
linear model, the random forest and the combination of the run's other forecasters."""

from salesforge.forecast.combination import CombinationConfig, CombinationForecaster
from salesforge.forecast.linear import LinearConfig, LinearForecaster
from salesforge.forecast.random_forest import RandomForestConfig, RandomForestForecaster
from salesforge.forecast.seasonal_naive import SeasonalNaiveConfig, SeasonalNaiveForecaster
from salesforge.forecast.window_median import WindowMedianConfig, WindowMedianForecaster
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("forecaster", "seasonal_naive", SeasonalNaiveForecaster,
                 config=SeasonalNaiveConfig)
    registry.add("forecaster", "window_median", WindowMedianForecaster,
                 config=WindowMedianConfig)
    registry.add("forecaster", "linear", LinearForecaster, config=LinearConfig)
    registry.add("forecaster", "random_forest", RandomForestForecaster,
                 config=RandomForestConfig)
    registry.add("forecaster", "combination", CombinationForecaster, config=CombinationConfig)
