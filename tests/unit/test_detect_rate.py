"""The requested rate holds: ``detector.contamination=c`` flags round(c x rows) rows (plus
rows tied at the cut) down to 0.1 %; ``detector.threshold=t`` flags scores at or above it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.base.detector import rate_cut
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.sample import generate_sample
from salesforge.detect.partitions import score_transactions
from salesforge.detect.scaling import positive_unit
from salesforge.plugin.manager import build_plugin_manager

REGISTRY = build_plugin_manager().registry
RATES = (0.001, 0.005, 0.01, 0.05)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return generate_sample()[0]  # the bundled sample: 33,850 rows


@pytest.fixture(scope="module")
def retail(datasets) -> pd.DataFrame:
    raw = pd.read_csv(datasets / "online_retail/online_retail_random20k.csv")
    return StandardCleaner().clean(raw).clean


def check_rate(frame: pd.DataFrame, name: str, rate: float) -> int:
    detector = REGISTRY.create("detector", name, {"contamination": rate})
    scored = score_transactions(frame, detector)
    wanted = round(rate * len(frame))
    cut = scored.cut
    at_cut = int((scored.raw == scored.raw[scored.flags].min()).sum())  # tied at the cut
    assert cut.mode == "contamination"
    assert wanted <= scored.flags.sum() <= wanted + max(at_cut - 1, 0)  # ties at the cut only
    assert cut.flagged == scored.flags.sum() and cut.share == pytest.approx(scored.flags.mean())
    return int(scored.flags.sum())


@pytest.mark.parametrize("rate", RATES)
def test_contamination_flags_that_share_of_the_sample(sample, rate):
    flagged = check_rate(sample, "mad", rate)
    if rate <= 0.01:  # the cut falls among the anomalies, whose scores never tie
        assert flagged == round(rate * len(sample))


def test_every_rate_flags_a_different_number_of_rows(sample):
    # the bug: 0.01 and 0.005 both flagged the 456 rows whose score had saturated at 1.0
    counts = [check_rate(sample, "mad", rate) for rate in RATES]
    assert counts == sorted(counts) and len(set(counts)) == len(RATES)


@pytest.mark.parametrize("rate", RATES)
def test_contamination_flags_that_share_of_real_retail_lines(retail, rate):
    check_rate(retail, "mad", rate)


@pytest.mark.parametrize("name", ["isolation_forest", "ensemble"])
def test_other_detectors_hold_the_rate_too(sample, name):
    check_rate(sample, name, 0.005)


def test_threshold_mode_flags_scores_at_or_above_it(sample):
    detector = REGISTRY.create("detector", "mad", {"threshold": 5.0})
    scored = score_transactions(sample, detector)
    assert scored.cut.mode == "threshold"
    assert scored.cut.value == pytest.approx(positive_unit(np.array([5.0]))[0])
    np.testing.assert_array_equal(scored.flags, scored.raw >= 5.0)
    stricter = score_transactions(sample, REGISTRY.create("detector", "mad", {"threshold": 8.0}))
    assert 0 < stricter.flags.sum() < scored.flags.sum()


def test_rate_cut_counts_ties_and_never_flags_for_a_zero_count():
    scores = np.array([0.1, 0.5, 0.5, 0.9, 0.7])
    assert rate_cut(scores, 0.4) == 0.7  # round(2) rows: 0.9 and 0.7
    assert (scores >= rate_cut(scores, 0.6)).sum() == 4  # 3 wanted; 0.5 is tied at the cut
    assert (scores >= rate_cut(scores, 0.05)).sum() == 0  # round(0.25) = 0 rows
