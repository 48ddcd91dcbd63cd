"""Every registered component — built-in or installed plugin — passes the contract suite."""

from __future__ import annotations

import pytest

from salesforge import Forecaster
from salesforge.contract import component_checks, parametrize_with_checks
from salesforge.plugin.manager import build_plugin_manager
from salesforge.registry import ComponentInfo
from salesforge.testing import check_component

REGISTRY = build_plugin_manager().registry
#: The built-in components; each first-party plugin runs the same checks in its own tests.
BUILT_IN = [info for info in REGISTRY if info.distribution == "salesforge"]


@parametrize_with_checks(BUILT_IN, slow=["random_forest"])  # seconds per fit: full tier
def test_component_honours_the_contract(check, tmp_path):
    check(tmp_path)


def test_every_forecaster_check_runs_with_non_default_settings_too():
    linear = REGISTRY.get("forecaster", "linear")
    checks = component_checks(linear)
    variants = {dict(c.settings)["strategy"] for c in checks if c.name == "no_peeking"}
    assert variants == {"recursive", "direct"}
    names = {c.name for c in checks}
    assert {"settings", "fit_predict", "deterministic", "no_peeking", "save_load",
            "intervals", "covariates"} <= names


def test_the_per_check_items_cover_every_built_in_once_per_check():
    ids = [c.id for info in BUILT_IN for c in component_checks(info)]
    assert len(ids) == len(set(ids))
    assert {info.name for info in BUILT_IN} == {i.split(":", 1)[1].split("-", 1)[0]
                                                for i in ids}


def test_contract_suite_catches_a_forecaster_that_does_not_store_its_arguments(tmp_path):
    class Sloppy(Forecaster):
        def __init__(self, window: int = 3):
            self.window = window * 2  # breaks scikit-learn's rule

        def _fit(self, frame):
            self.level_ = frame["y"].mean()

        def _predict(self, future):
            return [self.level_] * len(future)

    info = ComponentInfo("forecaster", "sloppy", Sloppy, None, "test", "0", "")
    with pytest.raises(AssertionError, match="store its arguments unchanged"):
        check_component(info, tmp_path)


def test_contract_suite_catches_a_forecaster_that_predicts_the_past(tmp_path):
    class Backwards(Forecaster):
        def _fit(self, frame):
            self.level_ = frame["y"].mean()

        def _predict(self, future):
            return [float("nan")] * len(future)

    info = ComponentInfo("forecaster", "backwards", Backwards, None, "test", "0", "")
    with pytest.raises(AssertionError, match="finite"):
        check_component(info, tmp_path)


def test_the_settings_check_catches_defaults_that_drifted(tmp_path):
    from dataclasses import dataclass

    @dataclass
    class DriftedConfig:
        window: int = 7

    class Drifted(Forecaster):
        def __init__(self, window: int = 3):
            self.window = window

        def _fit(self, frame):
            self.level_ = frame["y"].mean()

        def _predict(self, future):
            return [self.level_] * len(future)

    info = ComponentInfo("forecaster", "drifted", Drifted, DriftedConfig, "test", "0", "")
    with pytest.raises(AssertionError, match="defaults to 7 in the config dataclass but 3"):
        check_component(info, tmp_path)
