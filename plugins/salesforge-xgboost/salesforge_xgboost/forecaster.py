"""A global gradient-boosted model on lags and calendar terms, forecasting recursively."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from xgboost import XGBRegressor

from salesforge.forecast.lag_model import CALENDAR, GlobalLagForecaster
from salesforge.forecast.seasonality import season_length

#: Absolute error: the trees fit the median, which the spikes of sales data (promotions,
#: bulk orders) barely move, and which is what MAE and MASE reward. Squared error let a
#: single recent spike leak into every later forecast through the trend and lag splits.
OBJECTIVE = "reg:absoluteerror"
#: Under absolute error each row has hessian 1, so a leaf holds at least this many rows:
#: its value is a median of several residuals, never one memorised spike.
MIN_CHILD_WEIGHT = 5
__all__ = ["CALENDAR", "OBJECTIVE", "XGBoostConfig", "XGBoostForecaster"]


@dataclass
class XGBoostConfig:
    """Settings of the ``xgboost`` forecaster (``forecaster.xgboost.*``)."""

    #: Boosting rounds (trees).
    n_estimators: int = 300
    #: Maximum depth of each tree.
    max_depth: int = 6
    #: Shrinkage applied to each tree.
    learning_rate: float = 0.05
    #: Share of training rows sampled for each tree.
    subsample: float = 0.9
    #: Share of features sampled for each tree.
    colsample_bytree: float = 0.9
    #: Lags of y used as features; empty takes 1, 2, 7 and one season of the frequency.
    lags: list[int] = field(default_factory=list)
    #: Seed of the row and column sampling: the same seed and data give the same forecast.
    random_state: int = 0
    #: Threads XGBoost may use.
    n_jobs: int = 1


class XGBoostForecaster(GlobalLagForecaster):
    """XGBoost on lags of y, day of week, month, day of year, a trend, the series' code and
    the covariates of ``forecast.exog`` (``exog_<name>``).

    One model for all series (global); each series is scaled by its mean so large and
    small series share trees; the trees fit absolute error (:data:`OBJECTIVE`). Multi-step
    forecasts are recursive: step h feeds on the forecasts of steps < h, never on actuals
    from the forecast window. Deterministic for a fixed ``random_state``
    (``tree_method="hist"``). After fit, ``feature_importances_`` is a Series of gain
    importances (summing to 1) by feature name: lag_<k>, ..., day_of_week, ..., series,
    exog_<name>.
    The fitted booster is saved in XGBoost's own JSON format.
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "n_estimators": {"type": "int", "low": 100, "high": 800, "log": True},
        "max_depth": {"type": "int", "low": 3, "high": 10},
        "learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True},
        "subsample": {"type": "float", "low": 0.5, "high": 1.0},
        "colsample_bytree": {"type": "float", "low": 0.5, "high": 1.0},
    }
    native_attributes: ClassVar[tuple[str, ...]] = ("model_",)

    def __init__(
        self,
        n_estimators: int = 300,
        max_depth: int = 6,
        learning_rate: float = 0.05,
        subsample: float = 0.9,
        colsample_bytree: float = 0.9,
        lags: list[int] | None = None,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.lags = lags
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _default_lags(self) -> list[int]:
        return [1, 2, 7, season_length(self.freq_)]

    def _regressor(self, n_rows: int = 0) -> XGBRegressor:
        return XGBRegressor(
            n_estimators=int(self.n_estimators), max_depth=int(self.max_depth),
            learning_rate=float(self.learning_rate), subsample=float(self.subsample),
            colsample_bytree=float(self.colsample_bytree), random_state=int(self.random_state),
            n_jobs=int(self.n_jobs), tree_method="hist", objective=OBJECTIVE,
            min_child_weight=MIN_CHILD_WEIGHT,
        )

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """The booster in XGBoost's JSON model format (no pickle)."""
        file = f"{name.rstrip('_')}.xgb.json"
        value.save_model(folder / file)
        return file

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        model = self._regressor()
        model.load_model(folder / file)
        return model
