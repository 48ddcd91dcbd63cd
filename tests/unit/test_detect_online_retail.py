"""Transaction detectors on the real UCI Online Retail file (CC0) with seeded, labelled slips
injected by :mod:`salesforge.detect.slips` (the script ``benchmarks/inject_slips.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from salesforge.data.cleaning import StandardCleaner
from salesforge.detect.partitions import score_transactions
from salesforge.detect.slips import KINDS, inject_slips
from salesforge.plugin.manager import build_plugin_manager
from salesforge.stages.detect import flagged_table

REGISTRY = build_plugin_manager().registry


@pytest.fixture(scope="module")
def clean(datasets) -> pd.DataFrame:
    raw = pd.read_csv(datasets / "online_retail/online_retail_full.csv.gz", encoding="latin-1")
    return StandardCleaner().clean(raw).clean


@pytest.fixture(scope="module")
def injected(clean) -> dict[float, tuple[pd.DataFrame, pd.Series]]:
    return {rate: inject_slips(clean, rate=rate, seed=0) for rate in (0.005, 0.01)}


@pytest.mark.slow
def test_slips_are_appended_copies_and_the_real_rows_are_kept(clean, injected):
    frame, kind = injected[0.005]
    pd.testing.assert_frame_equal(frame.iloc[:len(clean)], clean, check_dtype=False,
                                  check_categorical=False)  # slip ids widen categories
    slips = kind.notna().to_numpy()
    assert slips.sum() == round(0.005 / 0.995 * len(clean))
    assert slips.mean() == pytest.approx(0.005, abs=1e-4)
    counts = kind.value_counts()
    assert set(counts.index) == set(KINDS) and counts.max() - counts.min() <= 5
    assert frame.loc[slips, "order_id"].str.startswith("SLIP-").all()
    assert frame.loc[slips, "order_id"].is_unique
    again, kind_again = inject_slips(clean, rate=0.005, seed=0)  # seeded: the same file
    pd.testing.assert_frame_equal(frame, again)
    pd.testing.assert_series_equal(kind, kind_again)


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.005, 0.01])
def test_default_detector_finds_the_slips_with_f1_and_pr_auc_of_090(injected, rate):
    frame, kind = injected[rate]
    truth = kind.notna().to_numpy()
    scored = score_transactions(frame, REGISTRY.create("detector", "mad", {}))
    hits = (scored.flags & truth).sum()
    precision, recall = hits / scored.flags.sum(), hits / truth.sum()
    assert 2 * precision * recall / (precision + recall) >= 0.9
    assert average_precision_score(truth, scored.scores) >= 0.9
    by_kind = pd.Series(scored.flags[truth]).groupby(kind[truth].to_numpy()).mean()
    assert by_kind[["price_x10", "price_x100", "price_div10", "duplicate_burst"]].min() >= 0.9
    assert by_kind["other_product_price"] >= 0.7  # some land near a real price point
    assert by_kind["quantity_x25"] >= 0.5  # bulk buyers make quantity slips the hardest


@pytest.mark.slow
def test_reasons_name_the_measure_that_slipped(injected):
    frame, kind = injected[0.01]
    scored = score_transactions(frame, REGISTRY.create("detector", "mad", {}))
    table = flagged_table(frame, scored, "mad").join(kind.rename("slip"))
    found = table.dropna(subset=["slip"])
    first_word = found["reason"].str.extract(r"^(\w+)")[0]
    expected = found["slip"].map(lambda k: "repeated" if k == "duplicate_burst"
                                 else k.split("_")[0].replace("other", "price"))
    assert (first_word == expected).mean() > 0.95
    x10 = found.loc[found["slip"] == "price_x10", "reason"]
    shown = x10.str.extract(r"^price ([\d.]+)x the product median")[0].astype(float)
    # judged against the nearest of the product's own price points (list, bulk, web), so
    # the ratio shown is often less than 10; it is always well above them
    assert (shown > 2).mean() > 0.95 and shown.median() >= 5
    assert (found["money_impact"].abs() > 0).all()
    burst = found[found["slip"] == "duplicate_burst"]
    np.testing.assert_allclose(burst["money_impact"], burst["revenue"])  # the whole copy


@pytest.mark.slow
def test_real_lines_flagged_without_slips_are_few_and_never_returns(clean):
    scored = score_transactions(clean, REGISTRY.create("detector", "mad", {}))
    table = flagged_table(clean, scored, "mad")
    assert 0 < len(table) < 0.002 * len(clean)  # real oddities: fees, bulk, repeated orders
    assert not table["is_return"].any()  # cancellations mirror a sale and are not judged
    assert table["reason"].str.contains("robust z").all()
    assert table["anomaly_score"].is_monotonic_decreasing
