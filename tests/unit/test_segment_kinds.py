"""Segment features, naming rules, ABC-XYZ and RFM segmenters, profiles and projections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.data.cleaning import StandardCleaner
from salesforge.segment.abc_xyz import CLASS_NAMES, ABCXYZSegmenter
from salesforge.segment.features import entity_features
from salesforge.segment.kmeans import KMeansSegmenter
from salesforge.segment.naming import NAMES, quadrant_names, rank_duplicates, trait_names
from salesforge.segment.profile import projection, segment_profile
from salesforge.segment.rfm import RFM_NAMES, RFMSegmenter


def sales(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Transactions from (date, product, quantity, price) tuples."""
    frame = pd.DataFrame(rows, columns=["date", "product", "quantity", "price"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["revenue"] = frame["quantity"] * frame["price"]
    return frame


# --- features --------------------------------------------------------------------------------


def test_entity_features_compute_each_measure_by_hand():
    frame = sales([("2024-01-01", "a", 2, 10.0), ("2024-01-02", "a", 1, 10.0),
                   ("2024-01-31", "a", 3, 20.0), ("2024-01-01", "b", 1, 5.0)])
    table = entity_features(frame, "product")
    a = table.loc["a"]
    assert (a["revenue"], a["transactions"], a["units"]) == (90.0, 3.0, 6.0)
    assert a["avg_price"] == pytest.approx(15.0)
    assert a["revenue_share"] == pytest.approx(90 / 95)
    # first half 30, second half 60: (60 - 30) / 90
    assert a["growth"] == pytest.approx(1 / 3)
    assert table.loc["b", "growth"] == pytest.approx(-1.0)
    assert a["recency_days"] == 0 and table.loc["b", "recency_days"] == 30
    assert "margin" not in table.columns
    assert (table.dtypes == "float64").all()


def test_entity_features_add_margin_when_cost_exists_and_ignore_pass_through_columns():
    frame = sales([("2024-01-01", "a", 2, 10.0), ("2024-01-09", "b", 1, 8.0),
                   ("2024-01-20", "b", 1, 8.0)])
    plain = entity_features(frame, "product")
    with_extras = entity_features(frame.assign(order_id=["x1", "x2", "x3"], notes="gift",
                                               store_code=[1e9, 2e9, 3e9]), "product")
    pd.testing.assert_frame_equal(plain, with_extras)
    costed = entity_features(frame.assign(cost=[6.0, 2.0, 2.0]), "product")
    assert costed.loc["a", "margin"] == pytest.approx(1 - 12 / 20)
    assert costed.loc["b", "margin"] == pytest.approx(0.75)


def test_demand_cv_is_zero_for_steady_demand_and_high_for_lumpy_demand():
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    steady = [(d, "steady", 1.0, 1.0) for d in days]
    lumpy = [(days[0], "lumpy", 50.0, 1.0), (days[-1], "lumpy", 20.0, 1.0)]
    table = entity_features(sales(steady + lumpy), "product", freq="W")
    assert table.loc["steady", "demand_cv"] < 0.1
    assert table.loc["lumpy", "demand_cv"] > 2


# --- naming rules ------------------------------------------------------------------------------


def test_quadrant_names_follow_the_medians_of_revenue_and_frequency():
    revenue = pd.Series([100.0, 90, 100, 90, 1, 2, 1, 2])
    frequency = pd.Series([50.0, 40, 1, 2, 50, 40, 1, 2])
    names = quadrant_names(revenue, frequency, [0, 0, 1, 1, 2, 2, 3, 3])
    assert names == {0: NAMES[(True, True)], 1: NAMES[(True, False)],
                     2: NAMES[(False, True)], 3: NAMES[(False, False)]}


def test_repeated_names_are_ranked_by_revenue_and_never_repeat():
    base = {0: "Star Products", 1: "Star Products", 2: "Low Performers", 3: "Star Products"}
    names = rank_duplicates(base, pd.Series({0: 5.0, 1: 9.0, 2: 1.0, 3: 7.0}))
    assert names == {1: "Star Products — top", 3: "Star Products — 2",
                     0: "Star Products — 3", 2: "Low Performers"}


def test_segments_sharing_a_name_are_told_apart_by_their_distinguishing_traits():
    base = {0: "Volume Products", 1: "Volume Products", 2: "Star Products"}
    centres = pd.DataFrame({"revenue": [0.1, 0.0, 2.0], "units": [-1.0, 1.5, 0.5],
                            "avg_price": [0.9, -0.8, 1.0], "revenue_share": [5.0, -5.0, 1.0]})
    names = trait_names(base, centres)
    # the two largest gaps between the siblings, revenue_share never a trait
    assert names == {0: "Volume Products — fewer units, higher price",
                     1: "Volume Products — more units, lower price", 2: "Star Products"}


def test_three_siblings_get_as_many_traits_as_make_them_unique():
    base = dict.fromkeys(range(3), "Low Performers")
    centres = pd.DataFrame({"units": [1.0, 1.0, -2.0], "avg_price": [0.5, 0.5, -1.0],
                            "growth": [0.3, -0.3, 0.0]})
    names = trait_names(base, centres)
    assert len(set(names.values())) == 3
    assert names[0] == "Low Performers — more units, higher price, faster growth"
    assert names[2] == "Low Performers — fewer units, lower price"
    # centres that cannot be told apart are left to the revenue rank
    same = trait_names({0: "Star Products", 1: "Star Products"},
                       pd.DataFrame({"units": [1.0, 1.0]}))
    assert rank_duplicates(same, pd.Series({0: 1.0, 1: 2.0})) == {
        1: "Star Products — top", 0: "Star Products — 2"}


def test_kmeans_chooses_k_by_silhouette_when_n_clusters_is_null():
    rng = np.random.default_rng(0)
    centres = {"star": (1e6, 500), "premium": (1e6, 20), "low": (2e4, 20)}
    rows = [{"revenue": r * rng.uniform(0.95, 1.05), "transactions": t * rng.uniform(0.95, 1.05),
             "units": t} for r, t in centres.values() for _ in range(12)]
    features = pd.DataFrame(rows, index=[f"e{i}" for i in range(len(rows))])
    segmenter = KMeansSegmenter(n_clusters=None, k_min=2, k_max=6).fit(features)
    assert segmenter.model_.n_clusters == 3
    assert max(segmenter.silhouettes_, key=segmenter.silhouettes_.get) == 3
    assert set(segmenter.segment_names_.values()) == {"Star Products", "Premium Products",
                                                      "Low Performers"}
    with pytest.raises(ValueError, match="k_min"):
        KMeansSegmenter(n_clusters=None, k_min=5, k_max=3).fit(features)


def test_predict_names_for_a_new_products_stats():
    rng = np.random.default_rng(1)
    rows = [{"revenue": r * rng.uniform(0.9, 1.1), "transactions": t * rng.uniform(0.9, 1.1),
             "units": t * 2.0} for r, t in [(1e6, 500), (1e6, 20), (2e4, 500), (2e4, 20)]
            for _ in range(8)]
    features = pd.DataFrame(rows, index=[f"p{i}" for i in range(32)])
    segmenter = KMeansSegmenter(features=["revenue", "transactions", "units"]).fit(features)
    new = pd.DataFrame({"revenue": [1.05e6], "transactions": [22.0], "units": [44.0]},
                       index=["new"])
    assert segmenter.predict_names(new) == ["Premium Products"]


# --- ABC x XYZ ---------------------------------------------------------------------------------


def test_abc_classes_follow_the_pareto_cumulative_share():
    revenue = [50.0, 30.0, 10.0, 5.0, 3.0, 2.0]  # cumulative before: 0, .5, .8, .9, .95, .98
    features = pd.DataFrame({"revenue": revenue, "demand_cv": [0.1, 0.7, 2.0, 0.1, 0.1, 0.1]},
                            index=list("uvwxyz"))
    segmenter = ABCXYZSegmenter().fit(features)
    names = [CLASS_NAMES[label][:2] for label in segmenter.labels_]
    assert names == ["AX", "AY", "BZ", "BX", "CX", "CX"]
    assert len(set(segmenter.segment_names_.values())) == 9
    assert segmenter.segment_names_[0] == "AX: top revenue, steady demand"
    new = pd.DataFrame({"revenue": [40.0, 6.0, 0.5], "demand_cv": [3.0, 0.8, 0.2]})
    assert [CLASS_NAMES[label][:2] for label in segmenter.predict(new)] == ["AZ", "BY", "CX"]
    with pytest.raises(ValueError, match="a_share"):
        ABCXYZSegmenter(a_share=0.9, b_share=0.8).fit(features)


# --- RFM ----------------------------------------------------------------------------------------


def test_rfm_names_customers_by_recency_frequency_and_money():
    n = 50
    rng = np.random.default_rng(2)
    recency = rng.uniform(0, 300, n)
    frequency = rng.integers(1, 40, n).astype(float)
    monetary = frequency * rng.uniform(50, 150, n)
    # a recent heavy buyer, a lapsed heavy buyer and a lapsed one-off buyer
    recency[:3], frequency[:3], monetary[:3] = [1, 299, 299], [39, 39, 1], [9e3, 9e3, 10]
    features = pd.DataFrame({"recency_days": recency, "transactions": frequency,
                             "revenue": monetary}, index=[f"c{i}" for i in range(n)])
    segmenter = RFMSegmenter().fit(features)
    names = [segmenter.segment_names_[label] for label in segmenter.labels_[:3]]
    assert names == ["Champions", "At Risk", "Lost"]
    assert set(segmenter.segment_names_.values()) == set(RFM_NAMES.values())
    scores = segmenter.scores(features)
    assert scores.loc["c0"].tolist() == [5, 5, 5]
    assert RFMSegmenter.default_entity == "customer_id"


def test_rfm_on_online_retail_customers(shared_dataset):
    raw = pd.read_csv(shared_dataset("online_retail/online_retail_random20k.csv"))
    clean = StandardCleaner().clean(raw).clean
    customers = clean[clean["customer_id"].notna()]
    features = entity_features(customers, "customer_id")
    segmenter = RFMSegmenter().fit(features)
    counts = pd.Series([segmenter.segment_names_[x] for x in segmenter.labels_]).value_counts()
    assert {"Champions", "Lost", "At Risk"} <= set(counts.index)
    champions = features[segmenter.labels_ == 0]
    lost = features[segmenter.labels_ == 6]
    assert champions["revenue"].median() > 5 * lost["revenue"].median()
    assert champions["recency_days"].median() < lost["recency_days"].median()


# --- profile and projection ----------------------------------------------------------------------


def test_profile_and_projection_describe_every_segment():
    rng = np.random.default_rng(4)
    features = pd.DataFrame({"revenue": rng.lognormal(10, 1, 40),
                             "transactions": rng.lognormal(3, 1, 40),
                             "units": rng.lognormal(4, 1, 40)},
                            index=[f"p{i}" for i in range(40)])
    segmenter = KMeansSegmenter().fit(features)
    table = features.reset_index(names="entity").assign(
        segment_id=segmenter.labels_,
        segment_name=[segmenter.segment_names_[x] for x in segmenter.labels_])
    profile = segment_profile(table, ["revenue", "transactions", "units"])
    assert profile["entities"].sum() == 40
    assert profile["segment_revenue_share"].sum() == pytest.approx(1.0)
    assert profile["segment_revenue_share"].is_monotonic_decreasing
    points = projection(features)
    assert list(points.columns) == ["x", "y"] and points.index.equals(features.index)
    assert points["x"].var() >= points["y"].var() > 0
