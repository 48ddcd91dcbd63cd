"""Every registered component — built-in or installed plugin — passes the contract suite."""

from __future__ import annotations

import pytest

from salesforge import Forecaster
from salesforge.plugin.manager import build_plugin_manager
from salesforge.registry import ComponentInfo
from salesforge.testing import check_component

REGISTRY = build_plugin_manager().registry


@pytest.mark.parametrize("info", list(REGISTRY), ids=lambda c: f"{c.kind}:{c.name}")
def test_component_honours_the_contract(info, tmp_path):
    check_component(info, tmp_path)


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
