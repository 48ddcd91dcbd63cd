"""Models for smooth demand: AutoETS, AutoTheta, AutoARIMA and MSTL, with their own
prediction intervals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from salesforge.forecast.seasonality import season_length
from salesforge_statsforecast.panel import ALIAS, StatsForecastForecaster

#: Extra seasonal periods MSTL models by default at sub-weekly frequencies (offset rule
#: code -> periods): a year of days, a week of hours.
LONGER_SEASONS = {"D": 365, "H": 168}


@dataclass
class AutoETSConfig:
    """Settings of the ``auto_ets`` forecaster (``forecaster.auto_ets.*``)."""

    #: Periods in a season; 0 = one season of the frequency (7 daily, 52 weekly, 12
    #: monthly). statsforecast fits no seasonal ETS beyond 24 periods (weekly data).
    season_length: int = 0
    #: ETS components as error, trend, season: each Z (chosen by AICc), A, M or N.
    model: str = "ZZZ"
    #: Damped trend: null lets AICc choose.
    damped: bool | None = None
    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = -1


@dataclass(eq=False)
class AutoETSForecaster(StatsForecastForecaster, AutoETSConfig):
    """statsforecast's AutoETS: exponential smoothing with error, trend and seasonal
    components chosen per series by AICc (Hyndman's ``ets``), with its own intervals."""

    own_intervals: ClassVar[bool] = True

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import AutoETS

        return AutoETS(season_length=season_length, model=str(self.model),
                       damped=self.damped, alias=ALIAS)


@dataclass
class AutoThetaConfig:
    """Settings of the ``auto_theta`` forecaster (``forecaster.auto_theta.*``)."""

    #: Periods in a season; 0 = one season of the frequency.
    season_length: int = 0
    #: Seasonal decomposition when the series is seasonal: multiplicative or additive.
    decomposition_type: str = "multiplicative"
    #: Theta variant: STM, OTM, DSTM or DOTM; null lets the fit choose per series.
    model: str | None = None
    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = -1


@dataclass(eq=False)
class AutoThetaForecaster(StatsForecastForecaster, AutoThetaConfig):
    """statsforecast's AutoTheta: the Theta method (the M3 winner) in its standard,
    optimised and dynamic variants, chosen per series, with its own intervals."""

    own_intervals: ClassVar[bool] = True

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import AutoTheta

        return AutoTheta(season_length=season_length,
                         decomposition_type=str(self.decomposition_type),
                         model=None if self.model is None else str(self.model), alias=ALIAS)


@dataclass
class AutoARIMAConfig:
    """Settings of the ``auto_arima`` forecaster (``forecaster.auto_arima.*``)."""

    #: Periods in a season; 0 = one season of the frequency.
    season_length: int = 0
    #: Search the orders step by step (Hyndman-Khandakar); false tries up to nmodels.
    stepwise: bool = True
    #: Approximate the likelihood while searching (faster on long series).
    approximation: bool = False
    #: Most non-seasonal AR order.
    max_p: int = 5
    #: Most non-seasonal MA order.
    max_q: int = 5
    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = -1


@dataclass(eq=False)
class AutoARIMAForecaster(StatsForecastForecaster, AutoARIMAConfig):
    """statsforecast's AutoARIMA: seasonal ARIMA with orders chosen per series by AICc
    (Hyndman's ``auto.arima``), with its own intervals. The slowest of these models on
    long seasons (52 weeks)."""

    own_intervals: ClassVar[bool] = True

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import AutoARIMA

        return AutoARIMA(season_length=season_length, stepwise=bool(self.stepwise),
                         approximation=bool(self.approximation), max_p=int(self.max_p),
                         max_q=int(self.max_q), alias=ALIAS)


@dataclass
class MSTLConfig:
    """Settings of the ``mstl`` forecaster (``forecaster.mstl.*``)."""

    #: Seasonal periods to decompose; empty = one season of the frequency, plus a year of
    #: days for daily data and a week of hours for hourly data.
    season_lengths: list[int] = field(default_factory=list)
    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = -1


@dataclass(eq=False)
class MSTLForecaster(StatsForecastForecaster, MSTLConfig):
    """statsforecast's MSTL: several seasonal patterns removed by repeated STL, the
    remaining trend forecast by AutoETS without a season; with its own intervals.
    Periods longer than half of a series are left out for that series by MSTL itself."""

    own_intervals: ClassVar[bool] = True

    def seasons(self) -> list[int]:
        """The seasonal periods of the fitted frequency (the setting, or its default)."""
        chosen = [int(m) for m in (self.season_lengths or [])]
        if any(m < 2 for m in chosen):
            raise ValueError(f"season_lengths must each be at least 2, got {chosen}")
        if chosen:
            return sorted(set(chosen))
        code = pd.tseries.frequencies.to_offset(self.freq_).rule_code.split("-")[0].upper()
        return sorted({season_length(self.freq_), LONGER_SEASONS.get(code, 0)} - {0, 1}) or [1]

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import MSTL

        seasons = self.seasons()
        return MSTL(season_length=seasons if len(seasons) > 1 else seasons[0], alias=ALIAS)
