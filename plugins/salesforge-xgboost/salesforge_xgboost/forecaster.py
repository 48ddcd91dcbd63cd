"""A global gradient-boosted model on the lag model's features."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig

if TYPE_CHECKING:
    from xgboost import XGBRegressor

#: Absolute error: the trees fit the median, which the spikes of sales data (promotions,
#: bulk orders) barely move, and which is what MAE and MASE reward. Squared error let a
#: single recent spike leak into every later forecast through the trend and lag splits.
OBJECTIVE = "reg:absoluteerror"
#: Under absolute error each row has hessian 1, so a leaf holds at least this many rows:
#: its value is a median of several residuals, never one memorised spike.
MIN_CHILD_WEIGHT = 20
#: The file holding the boosters of ``strategy=direct`` (one per group of steps): a JSON
#: object whose ``boosters`` list holds each in XGBoost's own JSON model format.
DIRECT_FILE = "model.direct.xgb.json"
__all__ = ["DIRECT_FILE", "OBJECTIVE", "XGBoostConfig", "XGBoostForecaster"]


@dataclass
class XGBoostConfig(LagModelConfig):
    """Settings of the ``xgboost`` forecaster (``forecaster.xgboost.*``)."""

    #: Boosting rounds (trees).
    n_estimators: int = 60
    #: Maximum depth of each tree.
    max_depth: int = 6
    #: Shrinkage applied to each tree.
    learning_rate: float = 0.15
    #: Share of training rows sampled for each tree.
    subsample: float = 0.9
    #: Share of features sampled for each tree.
    colsample_bytree: float = 0.9
    #: Seed of the row and column sampling: the same seed and data give the same forecast.
    random_state: int = 0
    #: Threads XGBoost may use; null = every core (inside an executor's worker process,
    #: the cores that worker is given).
    n_jobs: int | None = None
    #: XGBoost objective: reg:absoluteerror fits the median (what MAE and MASE reward);
    #: reg:pseudohubererror is about 2.5 times faster and a little less accurate.
    objective: str = OBJECTIVE


@dataclass(eq=False)
class XGBoostForecaster(GlobalLagForecaster, XGBoostConfig):
    """XGBoost on the features of :class:`~salesforge.forecast.lag_model.GlobalLagForecaster`
    (lags, rolling means and deviations, the seasonal mean, calendar and holidays, trend,
    series code, covariates of ``forecast.exog``; missing values handled by the trees).

    One model for all series (global); each series is scaled by its recent level so large
    and small series share trees; the trees fit absolute error (:data:`OBJECTIVE`).
    ``strategy=recursive`` feeds step h on the forecasts of steps < h;
    ``strategy=direct`` fits one booster per group of steps; neither ever reads actuals
    from the forecast window. Deterministic for a fixed ``random_state``
    (``tree_method="hist"``). After fit, ``feature_importances_`` is a Series of gain
    importances (summing to 1) by feature name. The fitted booster is saved in XGBoost's
    own JSON format (the boosters of ``direct`` in one JSON file, :data:`DIRECT_FILE`).
    """

    #: The base's other strategy, with fewer trees: the contract checks behaviour, not
    #: accuracy.
    contract_settings: ClassVar[tuple[dict[str, Any], ...]] = tuple(
        {**variant, "n_estimators": 20} for variant in GlobalLagForecaster.contract_settings)

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "n_estimators": {"type": "int", "low": 40, "high": 600, "log": True},
        "max_depth": {"type": "int", "low": 3, "high": 10},
        "learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True},
        "subsample": {"type": "float", "low": 0.5, "high": 1.0},
        "colsample_bytree": {"type": "float", "low": 0.5, "high": 1.0},
    }
    native_attributes: ClassVar[tuple[str, ...]] = ("model_",)

    def _regressor(self, n_rows: int = 0) -> XGBRegressor:
        from xgboost import XGBRegressor  # imported when a model is made, not at discovery

        return XGBRegressor(
            n_estimators=int(self.n_estimators), max_depth=int(self.max_depth),
            learning_rate=float(self.learning_rate), subsample=float(self.subsample),
            colsample_bytree=float(self.colsample_bytree), random_state=int(self.random_state),
            n_jobs=None if self.n_jobs is None else int(self.n_jobs), tree_method="hist",
            objective=str(self.objective), min_child_weight=MIN_CHILD_WEIGHT,
        )

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """The booster in XGBoost's JSON model format (no pickle); the boosters of
        ``strategy=direct`` as a list of those in :data:`DIRECT_FILE`."""
        if isinstance(value, list):
            boosters = [json.loads(bytes(m.get_booster().save_raw("json"))) for m in value]
            (folder / DIRECT_FILE).write_text(json.dumps({"boosters": boosters}),
                                              encoding="utf-8")
            return DIRECT_FILE
        file = f"{name.rstrip('_')}.xgb.json"
        value.save_model(folder / file)
        return file

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        if file == DIRECT_FILE:
            document = json.loads((folder / file).read_text(encoding="utf-8"))
            models = []
            for booster in document["boosters"]:
                model = self._regressor()
                model.load_model(bytearray(json.dumps(booster).encode("utf-8")))
                models.append(model)
            return models
        model = self._regressor()
        model.load_model(folder / file)
        return model
