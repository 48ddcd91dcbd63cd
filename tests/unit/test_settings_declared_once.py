"""Each setting is declared once: every component salesforge and its first-party plugins
register is a dataclass over its kind's base and its config dataclass, so ``__init__`` is
derived from the config and cannot drift from it (issue 17)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from salesforge import Forecaster
from salesforge.plugin.manager import build_plugin_manager
from salesforge.registry import ComponentInfo
from salesforge.testing import check_component

REGISTRY = build_plugin_manager().registry
CONFIGURED = [info for info in REGISTRY if info.config is not None]


@pytest.mark.parametrize("info", CONFIGURED, ids=lambda i: f"{i.kind}:{i.name}")
def test_the_component_init_is_derived_from_its_config(info: ComponentInfo) -> None:
    assert dataclasses.is_dataclass(info.cls), f"{info.cls.__name__} writes its own __init__"
    assert issubclass(info.cls, info.config)
    assert info.cls._param_names() == [f.name for f in dataclasses.fields(info.config)]
    assert info.cls().get_params() == info.settings()


def test_first_party_components_all_have_a_config() -> None:
    first_party = [i for i in REGISTRY if i.distribution.startswith("salesforge")]
    assert len(first_party) > 40
    # loaders of no setting (json, parquet) are the only ones without a config
    assert sorted(i.name for i in first_party if i.config is None) == ["json", "parquet"]


def test_components_compare_by_identity_and_hash() -> None:
    info = REGISTRY.get("forecaster", "linear")
    first, second = info.cls(), info.cls()
    assert first != second and first == first
    assert len({first, second}) == 2


@dataclasses.dataclass
class ShiftConfig:
    #: Added to the last value.
    shift: float = 1.0
    #: Unused; a list default.
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class Shift(Forecaster, ShiftConfig):
    """The last value plus ``shift``."""

    def _fit(self, frame: pd.DataFrame) -> None:
        self.last_ = frame.groupby("series_id")["y"].last()

    def _predict(self, future: pd.DataFrame) -> pd.Series:
        return future["series_id"].map(self.last_).to_numpy(float) + float(self.shift)


class HandWritten(Forecaster):
    """A third party's hand-written __init__ whose default drifted from its config."""

    def __init__(self, shift: float = 2.0, tags: list[str] | None = None) -> None:
        self.shift = shift
        self.tags = tags

    _fit = Shift._fit
    _predict = Shift._predict


def test_the_documented_pattern_passes_the_contract_and_drift_fails_it(tmp_path) -> None:
    good = ComponentInfo("forecaster", "shift", Shift, ShiftConfig, "acme", "1.0", "")
    check_component(good, tmp_path / "good")
    assert Shift(shift=3.0).get_params() == {"shift": 3.0, "tags": []}
    drifted = ComponentInfo("forecaster", "drift", HandWritten, ShiftConfig, "acme", "1.0", "")
    with pytest.raises(AssertionError, match=r"shift defaults to 1\.0 in the config"):
        check_component(drifted, tmp_path / "drifted")
