"""Scores that keep their order: every detector's 0..1 score is strictly increasing in its
raw statistic, never saturates at 1, and flagged rows (almost) never tie."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.data.cleaning import StandardCleaner
from salesforge.data.sample import generate_sample
from salesforge.detect.context import FEATURES, context_features
from salesforge.detect.partitions import score_transactions
from salesforge.detect.scaling import positive_unit, signed_unit
from salesforge.plugin.manager import build_plugin_manager

REGISTRY = build_plugin_manager().registry
DETECTORS = ["mad", "zscore", "isolation_forest", "ensemble"]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return generate_sample(rows=12000, seed=11)[0]


def tied_share(values: np.ndarray) -> float:
    """Share of values equal to another value of the array."""
    if len(values) == 0:
        return 0.0
    _, counts = np.unique(values, return_counts=True)
    return float(counts[counts > 1].sum() / len(values))


def test_unit_maps_are_strictly_increasing_and_never_reach_one():
    raw = np.array([0.0, 1e-6, 0.5, 3.0, 3.0 + 1e-9, 10, 100, 1e4, 1e6, 1e12])
    scores = positive_unit(raw)
    assert (np.diff(scores) > 0).all() and scores[0] == 0 and (scores < 1).all()
    assert positive_unit(np.array([3.0]))[0] == 0.5  # the documented scale
    z = np.r_[-raw[::-1], raw[1:]]
    signed = signed_unit(z)
    assert (np.diff(signed) > 0).all() and (signed > 0).all() and (signed < 1).all()


@pytest.mark.parametrize("name", DETECTORS)
def test_score_is_strictly_increasing_in_the_raw_statistic(sample, name):
    inputs, _ = context_features(sample)
    detector = REGISTRY.create("detector", name, {}).fit(inputs)
    # real rows plus rows pushed ever further out on each feature
    steps = np.array([0.5, 2, 5, 20, 100, 1e3, 1e5])
    probes = [pd.DataFrame(0.0, index=range(len(steps)), columns=list(FEATURES))
              .assign(**{feature: steps}) for feature in FEATURES]
    frame = pd.concat([inputs, *probes], ignore_index=True)
    scores, raw = detector.scores_and_raw(frame)
    np.testing.assert_array_equal(scores, detector.score_samples(frame))
    np.testing.assert_array_equal(raw, detector.raw_score_samples(frame))
    order = np.argsort(raw, kind="stable")
    higher_raw = np.diff(raw[order]) > 1e-12 * np.abs(raw[order][1:])  # beyond rounding
    assert (np.diff(scores[order])[higher_raw] > 0).all()  # distinct raws, ordered scores
    assert (np.abs(np.diff(scores[order])[~higher_raw]) < 1e-9).all()  # equal raws, scores
    assert scores.max() < 1.0  # no saturation, even 100,000 sigmas out
    if name in ("mad", "zscore"):  # robust sigmas: every step of every probe is told apart
        for probe in np.split(raw[len(inputs):], len(FEATURES)):
            assert (np.diff(probe) > 0).all()


def test_default_run_ranks_every_flagged_row_of_the_sample(sample):
    scored = score_transactions(sample, REGISTRY.create("detector", "mad", {}))
    flagged = scored.scores[scored.flags]
    assert len(flagged) > 100
    assert tied_share(flagged) <= 0.01
    assert len(np.unique(flagged)) > 0.99 * len(flagged)
    assert flagged.max() < 1.0 and flagged.max() - flagged.min() > 0.1  # a real spread


@pytest.mark.slow
def test_flagged_real_retail_rows_rarely_tie(datasets):
    # the same line at the same odd price recurs in real data (web postage at 3.29 four
    # times): equal raw statistics, ordered by money at stake, then recency
    raw = pd.read_csv(datasets / "online_retail/online_retail_full.csv.gz", encoding="latin-1")
    clean = StandardCleaner().clean(raw).clean
    scored = score_transactions(clean, REGISTRY.create("detector", "mad", {}))
    flagged = scored.scores[scored.flags]
    assert len(flagged) > 100 and tied_share(scored.raw[scored.flags]) > 0.05
    assert tied_share(flagged) <= 0.01
