"""Optuna tuning: search spaces, pruning on backtest windows, SQLite studies, never worse
than the untuned settings."""

from __future__ import annotations

import optuna
import pytest

from salesforge.errors import ConfigError
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.tuning import merge_space, suggest, tune


def test_merge_space_checks_specs_and_applies_overrides():
    space = merge_space(LinearForecaster.search_space,
                        {"alpha": {"type": "float", "low": 0.5, "high": 2.0}}, "tuning.space.x")
    assert space["alpha"] == {"type": "float", "low": 0.5, "high": 2.0}
    with pytest.raises(ConfigError, match=r"tuning\.space\.x\.alpha needs low <= high"):
        merge_space({}, {"alpha": {"type": "float", "low": 3, "high": 2}}, "tuning.space.x")
    with pytest.raises(ConfigError, match=r"tuning\.space\.x\.k\.type must be int"):
        merge_space({}, {"k": {"type": "weird"}}, "tuning.space.x")
    with pytest.raises(ConfigError, match="non-empty choices"):
        merge_space({}, {"k": {"type": "categorical", "choices": []}}, "tuning.space.x")


def test_suggest_draws_inside_the_space():
    space = {"n": {"type": "int", "low": 2, "high": 4}, "x": {"type": "float", "low": 0.1,
                                                               "high": 1.0, "log": True},
             "c": {"type": "categorical", "choices": [None, 6]}}
    study = optuna.create_study()
    for _ in range(5):
        params = suggest(study.ask(), space)
        assert 2 <= params["n"] <= 4 and 0.1 <= params["x"] <= 1.0 and params["c"] in (None, 6)


def test_pruning_stops_trials_that_lose_on_the_early_windows(tmp_path):
    space = {"x": {"type": "float", "low": 0.0, "high": 10.0}}
    calls = []

    def windows(params):
        for _ in range(4):
            calls.append(params["x"])
            yield params["x"]

    result = tune("toy", {"x": 5.0}, space, windows, n_trials=12, timeout=None,
                  storage=None, study_name="toy", seed=0)
    assert result.n_trials == 12 and result.n_pruned > 0
    assert len(calls) < 12 * 4, "pruned trials skip their later windows"
    assert result.default_value == 5.0 and result.best_value <= 5.0
    assert result.best_params["x"] == pytest.approx(result.best_value)


def test_a_sqlite_study_is_resumed_by_name(tmp_path):
    space = {"x": {"type": "float", "low": 0.0, "high": 10.0}}
    storage = f"sqlite:///{tmp_path / 'toy.db'}"

    def windows(params):
        yield (params["x"] - 3.0) ** 2

    first = tune("toy", {"x": 5.0}, space, windows, n_trials=3, timeout=None,
                 storage=storage, study_name="toy", seed=0)
    resumed = tune("toy", {"x": 5.0}, space, windows, n_trials=2, timeout=None,
                   storage=storage, study_name="toy", seed=1)
    assert len(resumed.history) == 5 and resumed.n_trials == 2
    assert resumed.default_value == first.default_value == 4.0
    assert resumed.best_value <= first.best_value
