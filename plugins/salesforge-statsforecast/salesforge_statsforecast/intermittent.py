"""Models for intermittent demand (many periods without sales): Croston (optimised), ADIDA,
IMAPA and TSB. They forecast a flat rate per period and have no intervals of their own:
the forecast stage calibrates theirs from backtest residuals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesforge_statsforecast.panel import ALIAS, StatsForecastForecaster

#: These models fit thousands of series a second; starting processes costs more than it
#: saves, so they run in this process unless ``n_jobs`` says otherwise.
N_JOBS = 1


@dataclass
class CrostonOptimizedConfig:
    """Settings of the ``croston_optimized`` forecaster (``forecaster.croston_optimized.*``)."""

    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = N_JOBS


@dataclass(eq=False)
class CrostonOptimizedForecaster(StatsForecastForecaster, CrostonOptimizedConfig):
    """statsforecast's CrostonOptimized: demand sizes and intervals between demands
    smoothed separately, each with its own optimised smoothing weight; the forecast is
    their ratio."""

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import CrostonOptimized

        return CrostonOptimized(alias=ALIAS)


@dataclass
class ADIDAConfig:
    """Settings of the ``adida`` forecaster (``forecaster.adida.*``)."""

    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = N_JOBS


@dataclass(eq=False)
class ADIDAForecaster(StatsForecastForecaster, ADIDAConfig):
    """statsforecast's ADIDA: the series summed over buckets of its mean inter-demand
    interval, smoothed, and spread back evenly over the periods."""

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import ADIDA

        return ADIDA(alias=ALIAS)


@dataclass
class IMAPAConfig:
    """Settings of the ``imapa`` forecaster (``forecaster.imapa.*``)."""

    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = N_JOBS


@dataclass(eq=False)
class IMAPAForecaster(StatsForecastForecaster, IMAPAConfig):
    """statsforecast's IMAPA: ADIDA at every bucket size up to the mean inter-demand
    interval, averaged."""

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import IMAPA

        return IMAPA(alias=ALIAS)


@dataclass
class TSBConfig:
    """Settings of the ``tsb`` forecaster (``forecaster.tsb.*``)."""

    #: Smoothing weight of the demand size, in (0, 1].
    alpha_d: float = 0.1
    #: Smoothing weight of the probability of a demand, in (0, 1]; it is updated every
    #: period, so obsolescence shows up before the next sale.
    alpha_p: float = 0.1
    #: Processes statsforecast may use; -1 = every core.
    n_jobs: int = N_JOBS


@dataclass(eq=False)
class TSBForecaster(StatsForecastForecaster, TSBConfig):
    """statsforecast's TSB (Teunter-Syntetos-Babai): demand size times the smoothed
    probability of a demand in a period; unlike Croston it decays when sales stop."""

    def _model(self, season_length: int) -> Any:
        from statsforecast.models import TSB

        for name in ("alpha_d", "alpha_p"):
            weight = float(getattr(self, name))
            if not 0 < weight <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {weight}")
        return TSB(alpha_d=float(self.alpha_d), alpha_p=float(self.alpha_p), alias=ALIAS)
