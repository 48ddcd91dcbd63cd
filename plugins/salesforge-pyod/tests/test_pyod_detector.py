"""The pyod detector, tested the way a third-party plugin tests itself: installed, found
through its entry point, held to the core's contract suite, and finding real anomalies."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd
import pytest
from salesforge_pyod.detector import PyODDetector, pyod_class

from salesforge.contract import parametrize_with_checks
from salesforge.data.sample import generate_sample
from salesforge.detect.context import context_features
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import modules_loaded_by_core

DIST = "salesforge-pyod"


@pytest.fixture(scope="module")
def sample():
    sales, labels = generate_sample(rows=6000, seed=5)
    logs, _ = context_features(sales)
    return logs, sales["order_id"].isin(labels["order_id"]).to_numpy()


def test_entry_point_registers_the_detector():
    points = importlib.metadata.entry_points(group="salesforge")
    assert any(p.name == "pyod" and p.dist.name == DIST for p in points)
    info = build_plugin_manager().registry.get("detector", "pyod")
    assert info.distribution == DIST and info.cls is PyODDetector


@parametrize_with_checks([build_plugin_manager().registry.get("detector", "pyod")])
def test_pyod_detector_honours_the_component_contract(check, tmp_path):
    check(tmp_path)


@pytest.mark.parametrize("model", ["ECOD", "copod", "HBOS", "KNN"])
def test_models_by_name_rank_the_sample_anomalies_high(sample, model):
    logs, truth = sample
    detector = PyODDetector(model=model).fit(logs)
    scores = detector.score_samples(logs)
    assert ((scores >= 0) & (scores <= 1)).all()
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(truth, scores) > 0.9
    # contamination=0.02 sets the threshold; tied scores at it (HBOS, KNN) flag a few more
    assert 0.01 <= detector.predict(logs).mean() <= 0.08


def test_params_reach_the_pyod_model_and_threshold_works_without_contamination(sample):
    logs, _ = sample
    detector = PyODDetector(model="LOF", params={"n_neighbors": 7}, contamination=None,
                            threshold=0.99).fit(logs)
    assert detector.model_.n_neighbors == 7 and detector.threshold_ == 0.99


def test_unknown_models_are_named_in_the_error():
    assert pyod_class("ecod").__name__ == "ECOD"
    with pytest.raises(ValueError, match=r"detector\.model='Nope' is not a PyOD model"):
        PyODDetector(model="Nope").fit(pd.DataFrame({"a": np.arange(10.0)}))


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_and_plugin_discovery_never_import_pyod():
    assert modules_loaded_by_core(("pyod", "numba"), entry_points=True) == []


def test_the_audit_ensemble_is_within_002_f1_of_its_best_member_on_the_sample():
    """``+experiment=anomaly_audit`` (MAD + Isolation Forest + ECOD) used to lose to MAD
    alone (F1 0.687 against 1.0): combined by rank and weighted by contrast, it no longer
    does when every detector flags the labelled share."""
    from salesforge.detect.partitions import score_transactions

    sales, labels = generate_sample()
    truth = sales["order_id"].isin(labels["order_id"]).to_numpy()
    registry = build_plugin_manager().registry

    def f1(name: str, settings: dict) -> float:
        detector = registry.create("detector", name, {**settings,
                                                      "contamination": float(truth.mean())})
        flags = score_transactions(sales, detector).flags
        return 2 * (flags & truth).sum() / (flags.sum() + truth.sum())

    members = ["mad", "isolation_forest", "pyod"]
    best = max(f1(name, {}) for name in members)
    assert f1("ensemble", {"members": members}) >= best - 0.02
