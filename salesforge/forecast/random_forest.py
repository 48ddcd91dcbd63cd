"""A global random forest on lags and calendar terms, forecasting recursively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sklearn.ensemble import RandomForestRegressor

from salesforge.forecast.lag_model import GlobalLagForecaster


@dataclass
class RandomForestConfig:
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
    #: Lags of y used as features; empty takes 1, 2, 7 (daily) and one season.
    lags: list[int] = field(default_factory=list)
    #: Seed of the bootstrap and feature sampling.
    random_state: int = 0
    #: Threads used to grow and apply the trees.
    n_jobs: int = 1


class RandomForestForecaster(GlobalLagForecaster):
    """scikit-learn's random forest, global across series, recursive over the horizon.

    Trees fit squared error on mean-scaled y, each on a bootstrap sample of at most
    ``max_rows_per_tree`` rows; ``feature_importances_`` holds the impurity
    importances by feature name (lag_<k>, day_of_week, month, day_of_year, trend, series,
    then exog_<name> for each covariate of ``forecast.exog``).
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "n_estimators": {"type": "int", "low": 50, "high": 300, "log": True},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
        "max_features": {"type": "float", "low": 0.3, "high": 1.0},
        "max_depth": {"type": "categorical", "choices": [None, 6, 10, 16]},
    }

    def __init__(self, n_estimators: int = 100, max_depth: int | None = None,
                 min_samples_leaf: int = 5, max_features: float = 0.6,
                 max_rows_per_tree: int | None = 10000, lags: list[int] | None = None,
                 random_state: int = 0, n_jobs: int = 1) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_rows_per_tree = max_rows_per_tree
        self.lags = lags
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _regressor(self, n_rows: int = 0) -> RandomForestRegressor:
        cap = self.max_rows_per_tree
        if cap is not None and int(cap) < 1:
            raise ValueError(f"max_rows_per_tree must be at least 1 or null, got {cap}")
        sample = None if cap is None or n_rows <= int(cap) else int(cap)
        return RandomForestRegressor(
            n_estimators=int(self.n_estimators), max_samples=sample,
            max_depth=None if self.max_depth is None else int(self.max_depth),
            min_samples_leaf=int(self.min_samples_leaf), max_features=float(self.max_features),
            random_state=int(self.random_state), n_jobs=int(self.n_jobs))
