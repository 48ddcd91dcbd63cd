"""The ensemble detector builds its members from the registry that built it (the run's),
not from a process-wide discovery of its own."""

from __future__ import annotations

import pytest

from salesforge.errors import PluginError
from salesforge.plugin.manager import build_plugin_manager
from salesforge.registry import Registry
from salesforge.stages.detect import context_features
from salesforge.testing import example_transactions


def _run_registry() -> Registry:
    """A registry like a run's, with a member only this run's plugins registered."""
    built_in = build_plugin_manager(entry_points=False).registry
    registry = Registry()
    for name in ("ensemble", "zscore"):
        info = built_in.get("detector", name)
        registry.add("detector", name, info.cls, config=info.config)
    mad = built_in.get("detector", "mad")
    registry.source = ("acme-detectors", "1.0")
    registry.add("detector", "acme_mad", mad.cls, config=mad.config)
    return registry


def test_members_come_from_the_registry_that_built_the_ensemble():
    features, _ = context_features(example_transactions())
    registry = _run_registry()
    ensemble = registry.create("detector", "ensemble", {"members": ["acme_mad", "zscore"]})
    ensemble.fit(features)
    assert [type(m).__name__ for m in ensemble.members_] == ["RobustMADDetector",
                                                             "ZScoreDetector"]
    assert ensemble.score_samples(features).shape == (len(features),)


def test_an_ensemble_built_by_hand_uses_the_installed_components():
    features, _ = context_features(example_transactions())
    cls = _run_registry().get("detector", "ensemble").cls
    with pytest.raises(PluginError, match="unknown detector 'acme_mad'"):
        cls(members=["acme_mad", "zscore"]).fit(features)
    assert len(cls(members=["mad", "zscore"]).fit(features).members_) == 2
