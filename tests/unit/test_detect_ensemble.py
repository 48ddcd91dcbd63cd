"""Ensembles by rank never lose to their members: on the sample's labels and on real Online
Retail lines with injected slips, the default ``weighted`` ensemble is within 0.02 F1 of its
best member when all flag the same share of rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.data.cleaning import StandardCleaner
from salesforge.data.sample import generate_sample
from salesforge.detect.ensemble import contrast, contrast_weights, rank_normalise
from salesforge.detect.partitions import score_transactions
from salesforge.detect.slips import inject_slips
from salesforge.plugin.manager import build_plugin_manager

REGISTRY = build_plugin_manager().registry
MEMBER_SETS = [["mad", "isolation_forest"], ["mad", "isolation_forest", "zscore"]]


@pytest.fixture(scope="module")
def sample_case() -> tuple[pd.DataFrame, np.ndarray]:
    sales, labels = generate_sample()
    return sales, sales["order_id"].isin(labels["order_id"]).to_numpy()


@pytest.fixture(scope="module")
def retail_case(datasets) -> tuple[pd.DataFrame, np.ndarray]:
    raw = pd.read_csv(datasets / "online_retail/online_retail_full.csv.gz", encoding="latin-1")
    frame, kind = inject_slips(StandardCleaner().clean(raw).clean, rate=0.005, seed=3)
    return frame, kind.notna().to_numpy()


def f1(frame: pd.DataFrame, truth: np.ndarray, name: str, settings: dict) -> float:
    detector = REGISTRY.create("detector", name, {**settings,
                                                  "contamination": float(truth.mean())})
    flags = score_transactions(frame, detector).flags
    return 2 * (flags & truth).sum() / (flags.sum() + truth.sum())


def check_within_best_member(frame: pd.DataFrame, truth: np.ndarray, members: list[str]
                             ) -> None:
    best = max(f1(frame, truth, name, {}) for name in members)
    ensemble = f1(frame, truth, "ensemble", {"members": members})
    assert ensemble >= best - 0.02, (members, ensemble, best)


@pytest.mark.parametrize("members", MEMBER_SETS, ids="+".join)
def test_ensemble_is_within_002_of_its_best_member_on_the_sample_labels(sample_case,
                                                                        members):
    check_within_best_member(*sample_case, members)


@pytest.mark.slow
@pytest.mark.parametrize("members", MEMBER_SETS[:1], ids="+".join)
def test_ensemble_is_within_002_of_its_best_member_on_injected_slips(retail_case, members):
    check_within_best_member(*retail_case, members)


def test_contrast_weights_favour_the_member_whose_alarms_stand_out():
    rng = np.random.default_rng(0)
    bulk = rng.normal(size=10000)
    sharp = np.r_[bulk, np.full(200, 40.0)]  # alarms 40 sigmas out
    blunt = np.r_[bulk, np.full(200, 3.0)]  # alarms barely beyond the bulk
    found = np.array([contrast(sharp, 0.02), contrast(blunt, 0.02)])
    assert found[0] > 10 * found[1]
    weights = contrast_weights(found, 8.0)
    assert weights[0] > 0.999 and weights.sum() == pytest.approx(1.0)
    assert contrast_weights(found, 0.0) == pytest.approx([0.5, 0.5])  # sharpness 0: mean
    reference = np.sort(rng.random(1000))
    ranks = rank_normalise(reference, np.array([0.0, 0.3, 0.3 + 1e-12, 0.99999, 1 - 1e-15]))
    assert (np.diff(ranks) > 0).all() and (ranks >= 0).all() and (ranks < 1).all()
