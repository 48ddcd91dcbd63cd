"""The context real data needs: per-product baselines that follow a price change, volume
prices, bulk buyers and repeated orders; returns are not judged; every flag has a money
impact and one sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.detect.context import context_features
from salesforge.detect.partitions import score_transactions
from salesforge.detect.repeats import repeats
from salesforge.plugin.manager import build_plugin_manager
from salesforge.stages.detect import flagged_table

REGISTRY = build_plugin_manager().registry


def shop(lines: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Lines of 20 products over a year: prices within 3 % of their list price, 1-3 units,
    150 customers, one line per order."""
    rng = np.random.default_rng(seed)
    product = rng.integers(0, 20, lines)
    price = (1.0 + product) * rng.uniform(0.97, 1.03, lines)
    return pd.DataFrame({
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 365,
                                                                               lines)), "D"),
        "product": [f"P{p}" for p in product], "region": "North",
        "customer_id": [f"C{c}" for c in rng.integers(0, 150, lines)],
        "order_id": [f"O{i}" for i in range(lines)],
        "quantity": rng.integers(1, 4, lines).astype(float), "price": price.round(2)})


def flagged(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(revenue=frame["price"] * frame["quantity"]).reset_index(drop=True)
    return flagged_table(frame, score_transactions(frame, REGISTRY.create("detector", "mad",
                                                                          {})), "mad")


def test_a_price_change_stops_being_an_anomaly_once_it_is_the_price():
    frame = shop()
    raised = (frame["product"] == "P4") & (frame["date"] >= "2024-07-01")
    frame.loc[raised, "price"] = (frame.loc[raised, "price"] * 1.6).round(2)  # +60 % for good
    found = flagged(frame)
    assert raised.sum() > 50 and not found.index.isin(frame.index[raised]).any()
    slip = frame.iloc[[-1]].assign(product="P4", price=8.0 * 10)  # a slip after the change
    assert flagged(pd.concat([frame, slip], ignore_index=True)).index[0] == len(frame)


def test_volume_prices_make_bulk_ordinary_but_not_bulk_at_the_unit_price():
    frame = shop()
    bulk = frame.index[(frame["product"] == "P2")][:40]
    frame.loc[bulk, "quantity"] = 100.0  # the bulk tier: 100 units at 20 % off
    frame.loc[bulk, "price"] = 2.4
    slip = frame.loc[[bulk[0]]].assign(price=3.0, customer_id="C999", order_id="SLIP")
    found = flagged(pd.concat([frame, slip], ignore_index=True))
    assert not found.index.isin(bulk).any()
    assert len(frame) in found.index  # 100 units at the single-unit price
    reason = found.loc[len(frame), "reason"]
    assert reason.startswith("quantity ") and "x the product median (" in reason


def test_a_bulk_buyer_is_judged_by_their_own_scale():
    frame = shop()
    wholesaler = frame["customer_id"] == "C7"
    frame.loc[wholesaler, "quantity"] *= 40  # buys everything by the forty
    found = flagged(frame)
    assert wholesaler.sum() > 10 and not found.index.isin(frame.index[wholesaler]).any()


def test_a_burst_of_repeated_orders_flags_the_copies_not_the_order():
    frame = shop()
    line = frame.iloc[[100]]
    copies = pd.concat([line] * 3, ignore_index=True).assign(
        order_id=["R1", "R2", "R3"], date=line["date"].iloc[0] + pd.to_timedelta([1, 2, 3],
                                                                                 "min"))
    later = line.assign(order_id="R4", date=line["date"].iloc[0] + pd.Timedelta(hours=3))
    frame = pd.concat([frame, copies, later], ignore_index=True)
    assert list(repeats(frame)[[100, *range(len(frame) - 4, len(frame))]]) == [0, 3, 3, 3, 0]
    found = flagged(frame)
    copies_at = list(range(len(frame) - 4, len(frame) - 1))
    assert set(copies_at) <= set(found.index) and 100 not in found.index
    assert found.loc[copies_at, "reason"].str.startswith("repeated order").all()
    np.testing.assert_allclose(found.loc[copies_at, "money_impact"],
                               frame.loc[copies_at, "price"] * frame.loc[copies_at, "quantity"])
    anonymous = frame.assign(customer_id=None)  # without a customer nobody is repeating
    assert context_features(anonymous)[0]["repeat_order"].max() == 0


def test_returns_are_not_judged_and_every_flag_has_money_and_a_sentence():
    frame = shop()
    frame["is_return"] = False
    odd = frame.index[:3]
    frame.loc[odd, ["quantity", "is_return"]] = [-50.0, True]  # refunds at odd prices
    frame.loc[odd, "price"] *= 20
    slip = frame.iloc[[10]].assign(price=frame["price"].iloc[10] * 12)
    found = flagged(pd.concat([frame, slip], ignore_index=True))
    inputs, ratio = context_features(frame)
    assert (inputs.loc[odd] == 0).all().all() and ratio.loc[odd, "price_vs_product"].isna().all()
    assert not found["is_return"].any() and len(frame) in found.index
    top = found.loc[len(frame)]
    assert top["reason"].startswith("price ") and "robust z" in top["reason"]
    assert top["money_impact"] == pytest.approx(
        top["revenue"] - top["quantity"] * top["price"] / ratio_of(top["reason"]), rel=0.02)


def ratio_of(reason: str) -> float:
    return float(reason.split("x the product median")[0].split()[-1])
