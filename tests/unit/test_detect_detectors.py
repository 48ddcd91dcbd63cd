"""Robust MAD, Isolation Forest and ensemble detectors; context-aware transaction features;
the rule that pass-through columns are never model inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from salesforge.data.sample import generate_sample
from salesforge.detect.context import FEATURES, context_features
from salesforge.detect.ensemble import EnsembleDetector, rank_normalise
from salesforge.detect.explain import explain
from salesforge.detect.isolation_forest import IsolationForestDetector
from salesforge.detect.mad import RobustMADDetector
from salesforge.detect.scaling import RawScoreNormaliser, robust_center_scale
from salesforge.detect.zscore import ZScoreDetector


@pytest.fixture(scope="module")
def sample():
    return generate_sample(rows=12000, seed=11)


def contaminated(rows: int = 4000, share: float = 0.15, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 1, (rows, 2))
    bad = rng.random(rows) < share
    values[bad, 0] += rng.choice([-8, 8], bad.sum())
    return pd.DataFrame(values, columns=["a", "b"]), bad


def test_robust_scale_ignores_outliers_and_survives_a_zero_mad():
    values = np.r_[np.random.default_rng(0).normal(5, 2, 10000), np.full(500, 1e6)]
    center, scale = robust_center_scale(values)
    assert center == pytest.approx(5, abs=0.2) and scale == pytest.approx(2, rel=0.1)
    _, wide = robust_center_scale(values, coverage=0.8)
    assert wide == pytest.approx(2, rel=0.1)  # 5 % anomalies leave the 80 % quantile alone
    mostly_one = np.r_[np.ones(900), np.arange(2, 102)]
    _, scale = robust_center_scale(mostly_one)
    assert scale > 0
    _, constant = robust_center_scale(np.full(10, 3.0))
    assert constant == 1.0


def test_robust_scale_of_many_rows_is_the_same_on_threads_as_in_turn(monkeypatch):
    from salesforge.detect import scaling

    rng = np.random.default_rng(3)
    values = np.column_stack([rng.lognormal(size=300_000), rng.normal(size=300_000),
                              np.ones(300_000)])  # the last column constant: a fallback
    values[rng.random(300_000) < 0.1, 0] = np.nan
    threaded = robust_center_scale(values, coverage=0.9)
    monkeypatch.setattr(scaling, "PARALLEL_ROWS", 10**9)
    in_turn = robust_center_scale(values, coverage=0.9)
    for a, b in zip(threaded, in_turn, strict=True):
        np.testing.assert_array_equal(a, b)


def test_mad_is_not_blinded_by_many_anomalies_where_zscore_is():
    features, bad = contaminated(share=0.15)
    mad = RobustMADDetector().fit(features).predict(features)
    zscore = ZScoreDetector().fit(features).predict(features)
    assert (mad & bad).sum() / bad.sum() > 0.95
    assert (zscore & bad).sum() / bad.sum() < 0.5  # the anomalies inflate the std
    assert (mad & ~bad).mean() < 0.01


def test_mad_threshold_and_contamination():
    features, _ = contaminated(share=0.0)
    detector = RobustMADDetector(threshold=3.0).fit(features)
    assert detector.predict(features).mean() == pytest.approx(2 * 0.0027, abs=0.004)
    detector = RobustMADDetector(contamination=0.1).fit(features)
    assert detector.predict(features).mean() == pytest.approx(0.1, abs=0.005)
    with pytest.raises(ValueError, match="coverage"):
        RobustMADDetector(coverage=0.3).fit(features)
    contributions = detector.contributions(pd.DataFrame({"a": [9.0], "b": [0.0]}))
    assert contributions.idxmax(axis=1).iloc[0] == "a"


def test_raw_scores_are_normalised_monotonically_onto_the_unit_interval():
    raw = np.random.default_rng(0).exponential(1, 5000)
    normaliser = RawScoreNormaliser().fit(raw)
    probe = np.array([-100.0, 0.0, 0.5, 1.0, 3.0, 50.0, 1e9])
    scores = normaliser.transform(probe)
    assert (np.diff(scores) >= 0).all() and scores[0] >= 0 and scores[-1] <= 1
    assert normaliser.transform(np.median(raw)) == pytest.approx(0.5)


def test_isolation_forest_finds_isolated_points_and_scores_higher_is_worse():
    features, bad = contaminated(share=0.02, seed=3)
    detector = IsolationForestDetector(contamination=0.02).fit(features)
    scores = detector.score_samples(features)
    # 0.75 = 3 robust sigmas of the forest's raw score (the map no longer saturates at 1)
    assert scores[bad].mean() > 0.75 > scores[~bad].mean()
    assert (detector.predict(features) & bad).sum() / bad.sum() > 0.8
    by_threshold = IsolationForestDetector(contamination=None, threshold=0.99).fit(features)
    assert by_threshold.threshold_ == 0.99
    again = IsolationForestDetector(contamination=0.02).fit(features).score_samples(features)
    np.testing.assert_allclose(scores, again)


def test_ensemble_combines_member_ranks_by_mean_or_max():
    features, _ = contaminated(share=0.02, seed=5)
    members = ["mad", "zscore"]
    ensemble = EnsembleDetector(members=members, combine="mean").fit(features)
    parts = [rank_normalise(np.sort(m.score_samples(features)), m.score_samples(features))
             for m in ensemble.members_]
    np.testing.assert_allclose(ensemble.score_samples(features), np.mean(parts, axis=0))
    highest = EnsembleDetector(members=members, combine="max").fit(features)
    np.testing.assert_allclose(highest.score_samples(features), np.max(parts, axis=0))
    assert highest.contributions(features) is not None
    with pytest.raises(ValueError, match="combine"):
        EnsembleDetector(combine="median").fit(features)
    with pytest.raises(ValueError, match="members"):
        EnsembleDetector(members=["ensemble"]).fit(features)


# --- context-aware detection ------------------------------------------------------------------


def with_row(sales: pd.DataFrame, **values) -> pd.DataFrame:
    row = sales.iloc[[0]].copy()
    for key, value in values.items():
        row[key] = value
    row["revenue"] = row["price"] * row["quantity"]
    row["order_id"] = "SO-TEST"
    return pd.concat([sales, row], ignore_index=True)


@pytest.mark.parametrize("detector", [RobustMADDetector(), ZScoreDetector(),
                                      IsolationForestDetector()], ids=type)
def test_a_price_ordinary_for_another_product_is_anomalous_for_this_one(sample, detector):
    sales, _ = sample
    cable = sales.loc[sales["product"] == "USB-C Cable", "price"].median()
    ram = sales.loc[sales["product"] == "RAM 16GB", "price"]
    price = 10 * cable
    assert ram.quantile(0.05) <= price <= ram.quantile(0.95)  # ordinary for RAM
    frame = with_row(sales, product="USB-C Cable", category="Accessories", quantity=1.0,
                     price=price)
    logs, ratio = context_features(frame)
    assert detector.fit(logs).predict(logs)[-1]
    contributions = (detector.contributions(logs.tail(1)) if detector.contributions(logs.tail(1))
                     is not None else logs.tail(1).abs())
    text, impact, _ = explain(contributions, ratio.tail(1), frame.tail(1),
                              detector.raw_score_samples(logs.tail(1)), detector.raw_name,
                              lambda value: f"{value:.1f}")
    # judged against the nearest of the cable's own price points (its prices drift and vary)
    usual = ratio["usual_price"].iloc[-1]
    assert cable * 0.9 < usual < cable * 1.1
    assert text[0].startswith(f"price {price / usual:.1f}x the product median ({usual:.1f})")
    assert f"{detector.raw_name} " in text[0]
    assert impact[0] == pytest.approx(price - usual)  # one unit: the price it should have had


def test_quantity_unusual_for_the_product_in_that_region_is_explained_with_the_region():
    rng = np.random.default_rng(0)
    n = 4000
    frame = pd.DataFrame({
        "product": rng.choice(["A", "B"], n), "region": rng.choice(["Jakarta", "Medan"], n),
        "quantity": rng.integers(1, 3, n).astype(float), "price": 10.0})
    # in Medan product A sells in bulk (x50), so bulk is ordinary there ...
    bulk = (frame["product"] == "A") & (frame["region"] == "Medan")
    frame.loc[bulk, "quantity"] *= 50
    # ... but not in Jakarta
    frame.loc[n] = {"product": "A", "region": "Jakarta", "quantity": 75.0, "price": 10.0}
    frame["revenue"] = frame["quantity"] * frame["price"]
    logs, ratio = context_features(frame)
    detector = RobustMADDetector().fit(logs)
    flags = detector.predict(logs)
    assert flags[-1]
    assert flags[bulk.reindex(frame.index, fill_value=False).to_numpy()].mean() < 0.05
    text, _, _ = explain(detector.contributions(logs.tail(1)), ratio.tail(1), frame.tail(1),
                         detector.raw_score_samples(logs.tail(1)), "robust z", str)
    assert text[0].startswith("quantity") and "the product median in Jakarta" in text[0]
    usual = frame.loc[(frame["product"] == "A") & (frame["region"] == "Jakarta"), "quantity"]
    assert ratio["quantity_vs_product"].iloc[-1] == pytest.approx(75 / usual.median())


def test_pass_through_columns_never_change_the_inputs_or_the_scores(sample):
    sales, _ = sample
    logs, _ = context_features(sales)
    rng = np.random.default_rng(0)
    noisy = sales.assign(notes=rng.choice(["gift", "rush", None], len(sales)),
                         store_code=rng.integers(0, 10**9, len(sales)),
                         ticket_value=rng.lognormal(20, 5, len(sales)))
    noisy_logs, _ = context_features(noisy)
    pd.testing.assert_frame_equal(logs, noisy_logs)
    assert tuple(logs.columns) == FEATURES
    np.testing.assert_array_equal(RobustMADDetector().fit(logs).score_samples(logs),
                                  RobustMADDetector().fit(noisy_logs).score_samples(noisy_logs))


def test_default_detector_reaches_the_f1_target_on_a_fresh_sample(sample):
    sales, labels = sample
    logs, _ = context_features(sales)
    flags = RobustMADDetector().fit(logs).predict(logs)
    truth = sales["order_id"].isin(labels["order_id"]).to_numpy()
    hits = (flags & truth).sum()
    f1 = 2 * hits / (flags.sum() + truth.sum())
    assert f1 >= 0.95


def test_robust_center_scale_equals_the_nan_functions_along_the_axis():
    """Issue 20: each column's non-NaN values are copied once instead of ``nanmedian`` /
    ``nanquantile`` along axis 0 three times; the results are the same, bit for bit, with
    NaN, constant, mostly constant and empty columns."""
    from scipy.special import ndtri

    from salesforge.detect.scaling import robust_center_scale

    def reference(values, coverage):
        values = np.asarray(values, dtype="float64")
        center = np.nanmedian(values, axis=0)
        deviation = np.abs(values - center)
        scale = 1.4826 * np.nanmedian(deviation, axis=0)
        if coverage > 0.5:
            scale = np.maximum(scale, np.nanquantile(deviation, coverage, axis=0)
                               / ndtri((1.0 + coverage) / 2.0))
        scale = np.where(scale > 1e-12, scale, 1.2533 * np.nanmean(deviation, axis=0))
        scale = np.where(scale > 1e-12, scale, np.nanstd(values, axis=0))
        return center, np.where(scale > 1e-12, scale, 1.0)

    rng = np.random.default_rng(0)
    wide = rng.standard_t(3, (20_001, 4))
    wide[rng.random(wide.shape) < 0.1] = np.nan
    wide[:, 2] = np.where(rng.random(len(wide)) < 0.9, 1.0, wide[:, 2])
    wide[:, 3] = np.nan
    cases = [(wide, 0.5), (wide, 0.8), (wide[:, 0], 0.8), (wide[:, 2], 0.5),
             (np.ones((100, 2)), 0.8), (np.r_[np.ones(99), 5.0], 0.5),
             (np.full(10, np.nan), 0.5), (np.zeros((0, 3)), 0.5)]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for values, coverage in cases:
            for got, expected in zip(robust_center_scale(values, coverage),
                                     reference(values, coverage), strict=True):
                assert np.shape(got) == np.shape(expected)
                assert np.array_equal(got, expected, equal_nan=True)
