"""Forecasting: the built-in forecasters and the engine of the forecast stage.

:class:`GlobalLagForecaster` (with its shared settings :class:`LagModelConfig`) is the
public base of the global lag models: a plugin subclasses it and implements
``_regressor``.
"""

from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig

__all__ = ["GlobalLagForecaster", "LagModelConfig"]
