"""The price-volume-mix bridge against hand-computed values."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.analytics.bridge import EFFECTS, bridge, bridge_steps


def lines(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["product", "category", "quantity", "price"])
    return frame.assign(revenue=frame["quantity"] * frame["price"])


BASE = lines([("A", "X", 10, 5.0), ("B", "X", 5, 10.0), ("C", "Y", 2, 20.0)])
CURRENT = lines([("A", "X", 12, 6.0), ("B", "X", 4, 10.0), ("D", "Y", 4, 5.0)])


def test_total_bridge_matches_hand_computation():
    row = bridge(BASE, CURRENT).iloc[0]
    # Continuing A and B: base units 15, base revenue 100 -> average price 20/3.
    assert row["base_revenue"] == 140.0 and row["current_revenue"] == 132.0
    assert row["volume"] == pytest.approx((16 - 15) * 20 / 3)          # 6.667
    assert row["mix"] == pytest.approx((12 * 5 + 4 * 10) - 16 * 20 / 3)  # -6.667
    assert row["price"] == pytest.approx((6 - 5) * 12 + (10 - 10) * 4)   # 12
    assert row["new"] == 20.0 and row["lost"] == -40.0
    assert row["change"] == -8.0
    assert sum(row[e] for e in EFFECTS) == pytest.approx(row["change"])


def test_bridge_by_category_adds_up_per_group():
    table = bridge(BASE, CURRENT, "category").set_index("category")
    x, y = table.loc["X"], table.loc["Y"]
    assert (x["base_revenue"], x["current_revenue"]) == (100.0, 112.0)
    assert x["price"] == pytest.approx(12.0) and x["new"] == 0 and x["lost"] == 0
    assert x["volume"] == pytest.approx(20 / 3) and x["mix"] == pytest.approx(-20 / 3)
    assert (y["volume"], y["mix"], y["price"], y["new"], y["lost"]) == (0, 0, 0, 20.0, -40.0)
    for _, row in table.iterrows():
        assert row["base_revenue"] + sum(row[e] for e in EFFECTS) == \
            pytest.approx(row["current_revenue"])


def test_returns_are_left_out_of_the_bridge():
    current = pd.concat([CURRENT, lines([("A", "X", -3, 6.0)]).assign(is_return=True)],
                        ignore_index=True)
    current["is_return"] = current["is_return"].eq(True)
    assert bridge(BASE, current).iloc[0]["current_revenue"] == 132.0


def test_bridge_steps_form_a_waterfall():
    steps = bridge_steps(bridge(BASE, CURRENT).iloc[0], "Jan", "Feb")
    assert list(steps["step"]) == ["Jan", *EFFECTS, "Feb"]
    assert steps["start"].iloc[1] == 140.0
    assert steps["end"].iloc[-2] == pytest.approx(132.0)  # the last effect lands on current
    assert list(steps["end"].iloc[1:-2]) == pytest.approx(list(steps["start"].iloc[2:-1]))
