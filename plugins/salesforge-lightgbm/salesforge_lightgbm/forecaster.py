"""A global LightGBM model on the lag model's features: the model of the M5 winners.

The design matrix, the per-series scaling and the multi-step strategy are salesforge's
:class:`~salesforge.forecast.lag_model.GlobalLagForecaster`; this module only chooses the
regressor and writes it in LightGBM's own text model format. LightGBM is imported the first
time a model is fitted or loaded, never when salesforge discovers the plugin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig

#: Objectives the ``objective`` setting accepts (LightGBM's names). ``tweedie`` and
#: ``poisson`` (the M5 winners' choice for unit sales) need y >= 0.
OBJECTIVES = ("regression", "regression_l1", "huber", "tweedie", "poisson")
#: Objectives that refuse negative targets.
NON_NEGATIVE = ("tweedie", "poisson")
#: The file holding the boosters of ``strategy=direct`` (one per group of steps): a JSON
#: object whose ``boosters`` list holds each in LightGBM's own text model format.
DIRECT_FILE = "model.direct.lgb.json"
__all__ = ["DIRECT_FILE", "NON_NEGATIVE", "OBJECTIVES", "LightGBMConfig",
           "LightGBMForecaster"]


@dataclass
class LightGBMConfig(LagModelConfig):
    """Settings of the ``lightgbm`` forecaster (``forecaster.lightgbm.*``); the settings of
    the features and the strategy (``lags``, ``windows``, ``strategy``, ...) are those every
    global lag model shares."""

    #: Boosting rounds (trees). 100 at a learning rate of 0.1 matched 500 at 0.05 on the
    #: benchmark panels (MASE within 1%) in a fifth of the time.
    n_estimators: int = 100
    #: Shrinkage applied to each tree.
    learning_rate: float = 0.1
    #: Most leaves in one tree (LightGBM grows trees leaf-wise).
    num_leaves: int = 31
    #: Fewest training rows in a leaf: larger smooths out single spikes.
    min_child_samples: int = 20
    #: Share of training rows sampled for each tree (bagging; 1 = all rows).
    subsample: float = 0.8
    #: Share of features sampled for each tree.
    colsample_bytree: float = 0.8
    #: Seed of the row and feature sampling: the same seed and data give the same forecast.
    random_state: int = 0
    #: Threads LightGBM may use; null = every core (inside an executor's worker process,
    #: the cores that worker is given).
    n_jobs: int | None = None
    #: Loss the trees fit: regression (squared error),
    #: regression_l1 (absolute error), huber, tweedie or poisson (need y >= 0).
    objective: str = "regression_l1"


@dataclass(eq=False)
class LightGBMForecaster(GlobalLagForecaster, LightGBMConfig):
    """LightGBM on the features of :class:`~salesforge.forecast.lag_model.GlobalLagForecaster`
    (lags, rolling means and deviations, the seasonal mean, calendar and holidays, trend,
    series code, covariates of ``forecast.exog``; missing values handled by the trees): one
    model for all series (global), as in the M5 competition.

    The features, the per-series scaling, the strategies (``recursive``, ``direct``) and the
    divergence guard are the base's; forecasts never read actuals after the cutoff.
    Deterministic for a fixed ``random_state`` and thread count (LightGBM's
    ``deterministic`` mode). After fit, ``feature_importances_`` is a Series of gain
    importances (summing to 1) by feature name. The fitted booster is saved in LightGBM's
    own text model format (the boosters of ``direct`` in one JSON file, :data:`DIRECT_FILE`).
    """

    #: The base's other strategy, with fewer trees: the contract checks behaviour, not
    #: accuracy.
    contract_settings: ClassVar[tuple[dict[str, Any], ...]] = tuple(
        {**variant, "n_estimators": 20} for variant in GlobalLagForecaster.contract_settings)

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "n_estimators": {"type": "int", "low": 50, "high": 1000, "log": True},
        "learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True},
        "num_leaves": {"type": "int", "low": 8, "high": 256, "log": True},
        "min_child_samples": {"type": "int", "low": 5, "high": 200, "log": True},
        "subsample": {"type": "float", "low": 0.5, "high": 1.0},
        "colsample_bytree": {"type": "float", "low": 0.5, "high": 1.0},
    }
    native_attributes: ClassVar[tuple[str, ...]] = ("model_",)

    def _fit(self, frame: pd.DataFrame) -> None:
        objective = self._objective()
        if objective in NON_NEGATIVE and bool((frame["y"] < 0).any()):
            raise ValueError(f"objective {objective!r} needs y >= 0 but the series have "
                             "negative values; use objective='regression_l1' or 'huber'")
        super()._fit(frame)

    def _objective(self) -> str:
        objective = str(self.objective)
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, "
                             f"got {objective!r}")
        return objective

    def _regressor(self, n_rows: int = 0) -> Any:
        from lightgbm import LGBMRegressor

        subsample = float(self.subsample)
        return LGBMRegressor(
            n_estimators=int(self.n_estimators), learning_rate=float(self.learning_rate),
            num_leaves=int(self.num_leaves), min_child_samples=int(self.min_child_samples),
            subsample=subsample, subsample_freq=1 if subsample < 1 else 0,
            colsample_bytree=float(self.colsample_bytree), objective=self._objective(),
            random_state=int(self.random_state),
            n_jobs=None if self.n_jobs is None else int(self.n_jobs),
            importance_type="gain", deterministic=True, force_row_wise=True, verbose=-1,
        )

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """The booster in LightGBM's text model format (no pickle); the boosters of
        ``strategy=direct`` as a list of those texts in :data:`DIRECT_FILE`."""
        if isinstance(value, list):
            texts = [_booster(model).model_to_string() for model in value]
            (folder / DIRECT_FILE).write_text(json.dumps({"boosters": texts}),
                                              encoding="utf-8")
            return DIRECT_FILE
        file = f"{name.rstrip('_')}.lgb.txt"
        _booster(value).save_model(str(folder / file))
        return file

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        """LightGBM ``Booster`` objects read from the text models (a list of them for
        :data:`DIRECT_FILE`); a booster's ``predict`` takes the same design matrix as the
        fitted regressor's."""
        from lightgbm import Booster

        if file == DIRECT_FILE:
            document = json.loads((folder / file).read_text(encoding="utf-8"))
            return [Booster(model_str=text) for text in document["boosters"]]
        return Booster(model_file=str(folder / file))


def _booster(model: Any) -> Any:
    """The ``Booster`` of a fitted ``LGBMRegressor`` (or the booster itself, once loaded)."""
    return getattr(model, "booster_", model)
