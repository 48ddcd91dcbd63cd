"""Component is an ABC: a component that leaves out a method its kind requires cannot be
instantiated or registered."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from salesforge.base.analyzer import Analyzer
from salesforge.base.cleaner import Cleaner
from salesforge.base.detector import Detector
from salesforge.base.executor import Executor
from salesforge.base.feature_builder import FeatureBuilder
from salesforge.base.forecaster import Forecaster
from salesforge.base.loader import Loader
from salesforge.base.notifier import Notifier
from salesforge.base.reporter import Reporter
from salesforge.base.segmenter import Segmenter
from salesforge.errors import PluginError
from salesforge.plugin.manager import build_plugin_manager
from salesforge.registry import Registry

#: Each kind's base and the methods a component of that kind must write.
REQUIRED = {
    Analyzer: {"_analyze"}, Cleaner: {"_clean"}, Detector: {"_fit"}, Executor: {"_map"},
    FeatureBuilder: {"_transform"}, Forecaster: {"_fit", "_predict"}, Loader: {"_load"},
    Notifier: {"_send"}, Reporter: {"_write"}, Segmenter: {"_fit", "_predict"},
}


@pytest.mark.parametrize("base", list(REQUIRED), ids=lambda b: b.__name__)
def test_a_subclass_writing_nothing_cannot_be_instantiated(base: type) -> None:
    empty = type(f"Empty{base.__name__}", (base,), {})
    assert set(empty.__abstractmethods__) >= REQUIRED[base]
    with pytest.raises(TypeError, match="abstract"):
        empty()


class PredictOnly(Forecaster):
    """A forecaster that forgot ``_fit``."""

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(future))


def test_a_forecaster_missing_fit_cannot_be_instantiated_or_registered() -> None:
    with pytest.raises(TypeError, match="_fit"):
        PredictOnly()
    registry = Registry()
    registry.source = ("salesforge-halfdone", "0.1")
    with pytest.raises(PluginError, match=r"salesforge-halfdone .*'half'.* _fit"):
        registry.add("forecaster", "half", PredictOnly)
    assert ("forecaster", "half") not in registry


def test_a_forecaster_writing_both_methods_is_built() -> None:
    class Zero(PredictOnly):
        def _fit(self, frame: pd.DataFrame) -> None:
            self.seen_ = len(frame)

    frame = pd.DataFrame({"series_id": "a", "ds": pd.date_range("2024-01-01", periods=3),
                          "y": [1.0, 2.0, 3.0]})
    assert Zero().fit(frame, "D").predict(2)["y_pred"].tolist() == [0.0, 0.0]


def test_every_registered_component_is_concrete() -> None:
    registry = build_plugin_manager().registry
    assert len(registry) > 30
    assert [info.name for info in registry if inspect.isabstract(info.cls)] == []
