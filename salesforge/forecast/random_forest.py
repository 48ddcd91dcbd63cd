"""A global random forest on the lag model's features."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sklearn.ensemble import RandomForestRegressor

from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig


@dataclass
class RandomForestConfig(LagModelConfig):
    """Settings of the ``random_forest`` forecaster (``forecaster.random_forest.*``)."""

    #: Trees in the forest.
    n_estimators: int = 100
    #: Maximum depth of each tree; null grows until leaves hold ``min_samples_leaf`` rows.
    max_depth: int | None = None
    #: Fewest training rows in a leaf: larger smooths out single spikes.
    min_samples_leaf: int = 5
    #: Share of features tried at each split.
    max_features: float = 0.6
    #: Most rows in each tree's bootstrap sample (keeps big panels fast); null = all rows.
    max_rows_per_tree: int | None = 10000
    #: Seed of the bootstrap and feature sampling.
    random_state: int = 0
    #: Threads used to grow and apply the trees; null = every core.
    n_jobs: int | None = None
    #: log1p: squared-error trees chase spikes on the raw scale.
    target_transform: str = "log1p"
    #: series: steadier than window for squared-error trees (measured on the sample's
    #: daily series and Superstore; equal on Online Retail and a synthetic panel).
    normalize: str = "series"


@dataclass(eq=False)
class RandomForestForecaster(GlobalLagForecaster, RandomForestConfig):
    """scikit-learn's random forest on the features of
    :class:`~salesforge.forecast.lag_model.GlobalLagForecaster` (lags, rolling windows,
    calendar, trend, series code, covariates; missing values handled by the trees).

    Trees fit squared error on the scaled y, each on a bootstrap sample of at most
    ``max_rows_per_tree`` rows; ``feature_importances_`` holds the impurity importances
    by feature name.
    """

    #: The base's other strategy, with fewer trees: the contract checks behaviour, not
    #: accuracy.
    contract_settings: ClassVar[tuple[dict[str, Any], ...]] = tuple(
        {**variant, "n_estimators": 20} for variant in GlobalLagForecaster.contract_settings)

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "n_estimators": {"type": "int", "low": 50, "high": 300, "log": True},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
        "max_features": {"type": "float", "low": 0.3, "high": 1.0},
        "max_depth": {"type": "categorical", "choices": [None, 6, 10, 16]},
    }

    def _regressor(self, n_rows: int = 0) -> RandomForestRegressor:
        cap = self.max_rows_per_tree
        if cap is not None and int(cap) < 1:
            raise ValueError(f"max_rows_per_tree must be at least 1 or null, got {cap}")
        sample = None if cap is None or n_rows <= int(cap) else int(cap)
        return RandomForestRegressor(
            n_estimators=int(self.n_estimators), max_samples=sample,
            max_depth=None if self.max_depth is None else int(self.max_depth),
            min_samples_leaf=int(self.min_samples_leaf), max_features=float(self.max_features),
            random_state=int(self.random_state),
            n_jobs=-1 if self.n_jobs is None else int(self.n_jobs))
