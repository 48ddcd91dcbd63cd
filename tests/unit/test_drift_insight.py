"""The data-drift insight (salesforge.analytics.drift_insight): the largest drift in words,
in English and Indonesian, tied to its cell of the ``drift`` table."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.analytics.drift_insight import (
    DRIFT_TABLE,
    add_drift_insight,
    drift_insight,
    drift_table,
)
from salesforge.analytics.insight_text import TEMPLATES
from salesforge.base.analyzer import Analysis, Insight
from salesforge.data.drift import compare_profiles
from salesforge.data.profile import profile_clean

RUN = "20261203-101010-abcdef"


def sales(price_factor: float = 1.0, north: float = 0.7) -> pd.DataFrame:
    rows = 6_000
    product = [f"P{i % 12}" for i in range(rows)]
    price = pd.Series([1000.0 * (1 + i % 12) * (1 + (i % 7) / 100) for i in range(rows)])
    quantity = pd.Series([float(1 + i % 4) for i in range(rows)])
    region = ["North" if (i % 100) < round(north * 100) else "South" for i in range(rows)]
    return pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=rows, freq="h"),
        "product": pd.Series(product, dtype="string"),
        "category": pd.Series(["Food", "Drink", "Home"] * (rows // 3), dtype="string"),
        "region": pd.Series(region, dtype="string"),
        "quantity": quantity, "price": price * price_factor,
        "revenue": quantity * price,  # left alone: price is the one column that moves
    })


def drift(**current) -> dict:
    entry = compare_profiles(profile_clean(sales()), profile_clean(sales(**current)))
    return {**entry, "reference_run": RUN}


def test_the_price_sentence_names_the_run_and_the_change():
    found = drift_insight(drift(price_factor=1.12), "en")
    assert found is not None
    table, insight = found
    assert insight.text.startswith(f"Prices moved most since run {RUN}: the median product "
                                   "price is 12.0% higher (")
    assert insight.text.endswith(", drift).")
    assert table.iloc[insight.row]["column"] == "price" and insight.table == DRIFT_TABLE
    assert insight.value == pytest.approx(float(table.iloc[insight.row][insight.column]))
    indonesian = drift_insight(drift(price_factor=0.9), "id")[1].text
    assert indonesian.startswith(f"Harga paling banyak bergeser sejak run {RUN}: median harga "
                                 "produk 10,0% lebih rendah (")


def test_a_category_sentence_gives_the_shares():
    text = drift_insight(drift(north=0.3), "en")[1].text
    assert text.startswith(f"The region mix shifted most since run {RUN}: the share of ")
    assert "from 70.0% to 30.0%" in text or "from 30.0% to 70.0%" in text
    assert "PSI " in text and text.endswith(", drift).")
    assert drift_insight(drift(north=0.3), "id")[1].text.startswith("Komposisi region ")


def test_no_drift_says_the_data_matches():
    text = drift_insight(drift(), "en")[1].text
    assert text.startswith(f"The data matches run {RUN}: no column drifted (largest change: ")
    assert drift_insight(drift(), "id")[1].text.startswith(f"Data sesuai dengan run {RUN}")


def analysis() -> Analysis:
    details = [Insight("total", "Total.", 1.0, "kpis", 0, "value", 100),
               Insight("weekday", "Monday.", 1.0, "weekday", 0, "share_pct", 12)]
    return Analysis(tables={}, insights=[d.text for d in details], details=details)


def test_the_insight_is_ranked_among_the_others():
    drifted = analysis()
    add_drift_insight(drifted, drift(price_factor=1.3), "en")
    assert [d.key for d in drifted.details] == ["total", "data_drift", "weekday"]
    assert drifted.insights == [d.text for d in drifted.details]
    assert set(drift_table(drift())["column"]) == {"quantity", "price", "revenue", "category",
                                                   "region"}
    quiet = analysis()
    add_drift_insight(quiet, drift(), "en")
    assert [d.key for d in quiet.details] == ["total", "weekday", "data_drift"]
    assert DRIFT_TABLE in quiet.tables and quiet.insights[-1] == quiet.details[-1].text
    untouched = analysis()
    add_drift_insight(untouched, {**drift(), "largest": None}, "en")
    assert len(untouched.details) == 2 and DRIFT_TABLE not in untouched.tables


def test_every_drift_template_exists_in_both_languages():
    keys = {k for k in TEMPLATES["en"] if k.startswith("drift")}
    assert keys == {k for k in TEMPLATES["id"] if k.startswith("drift")} and len(keys) == 6
