"""Unit tests for salesforge.analytics.formatting and the KPI analyzer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesforge.analytics.formatting import (
    MoneyFormat,
    format_money,
    format_number,
    format_percent,
    format_signed_money,
    format_signed_percent,
)
from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.sample import generate_sample

# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (1234567.891, 2, "en", "1,234,567.89"),
        (1234567.891, 2, "id", "1.234.567,89"),
        (1234567, 0, "en", "1,234,567"),
        (1234567, 0, "id", "1.234.567"),
        (999.5, 1, "id", "999,5"),
        (0, 0, "en", "0"),
        (-1234.5, 1, "en", "-1,234.5"),
        (-1234.5, 1, "id", "-1.234,5"),
        (1_000_000_000, 0, "id", "1.000.000.000"),
        (12.3456, 3, "en", "12.346"),
    ],
)
def test_format_number(value, decimals, language, expected):
    assert format_number(value, decimals, language) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_format_number_missing(missing):
    assert format_number(missing) == "–"


@pytest.mark.parametrize("language, mark", [("en", ","), ("id", ".")])
def test_rupiah_has_no_cents_and_the_language_s_thousands_mark(language, mark):
    """One number style per text (issue 18): English "Rp 1,234,567 from 33,850 orders",
    Indonesian "Rp 1.234.567 dari 33.850 pesanan"."""
    assert format_money(1234567, "IDR", language) == f"Rp 1{mark}234{mark}567"
    assert format_money(1234567.4, "IDR", language) == f"Rp 1{mark}234{mark}567"
    assert format_money(1234567.6, "idr", language) == f"Rp 1{mark}234{mark}568"
    assert format_money(0, "IDR", language) == "Rp 0"
    assert format_money(999, "IDR", language) == "Rp 999"
    money = MoneyFormat("IDR", language, signed=True)
    assert money.many(np.array([1234567.0, -5.0, 0.0])) == [
        money(1234567.0), money(-5.0), money(0.0)]


def test_rupiah_is_the_default_currency():
    assert format_money(18231344744.0) == "Rp 18,231,344,744"
    assert format_money(18231344744.0, language="id") == "Rp 18.231.344.744"


@pytest.mark.parametrize(
    ("value", "currency", "language", "expected"),
    [
        (1234.5, "USD", "en", "$1,234.50"),
        (1234.5, "USD", "id", "$1.234,50"),
        (-1234.5, "USD", "en", "-$1,234.50"),
        (1234.5, "GBP", "en", "£1,234.50"),
        (1234.5, "EUR", "id", "€1.234,50"),
        (12, "JPY", "en", "JPY 12.00"),
    ],
)
def test_other_currencies(value, currency, language, expected):
    assert format_money(value, currency, language) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (12.345, 1, "en", "12.3%"),
        (12.345, 1, "id", "12,3%"),
        (-3.0, 2, "id", "-3,00%"),
        (1234.5, 1, "en", "1,234.5%"),
        (1234.5, 1, "id", "1.234,5%"),
        (0.0, 0, "en", "0%"),
    ],
)
def test_format_percent(value, decimals, language, expected):
    assert format_percent(value, decimals, language) == expected


def test_format_percent_takes_a_percent_not_a_fraction():
    assert format_percent(0.5) == "0.5%"


# --- KPIs ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_5k() -> pd.DataFrame:
    sales, _ = generate_sample(rows=5000, seed=1)
    return StandardCleaner().clean(sales).clean


@pytest.fixture(scope="module")
def analysis_en(clean_5k):
    return KpiAnalyzer().analyze(clean_5k, "en", "IDR")


def test_kpis_equal_independent_pandas_computations(clean_5k, analysis_en):
    sales, _ = generate_sample(rows=5000, seed=1)  # straight from the generator
    kpis = analysis_en.kpis
    assert kpis["revenue"] == pytest.approx(sales["revenue"].sum(), rel=1e-12)
    assert kpis["transactions"] == sales["order_id"].nunique() == 5000
    assert kpis["units"] == pytest.approx(float(sales["quantity"].sum()))
    assert kpis["average_order_value"] == pytest.approx(
        sales["revenue"].sum() / sales["order_id"].nunique())
    assert kpis["products"] == sales["product"].nunique() == 15
    assert kpis["customers"] is None  # the sample has no customer column
    assert kpis["date_min"] == sales["date"].min().strftime("%Y-%m-%d") == "2022-01-01"
    assert kpis["date_max"] == sales["date"].max().strftime("%Y-%m-%d") == "2023-12-31"
    table = analysis_en.tables["kpis"].set_index("kpi")["value"]
    assert table["revenue"] == kpis["revenue"]
    assert list(table.index) == list(kpis)


def test_monthly_table_equals_pandas(clean_5k, analysis_en):
    monthly = analysis_en.tables["monthly"]
    expected = clean_5k.groupby(clean_5k["date"].dt.strftime("%Y-%m")).agg(
        revenue=("revenue", "sum"), units=("quantity", "sum"), rows=("revenue", "size"))
    assert list(monthly["month"]) == list(expected.index)
    assert len(monthly) == 24
    np.testing.assert_allclose(monthly["revenue"], expected["revenue"])
    np.testing.assert_allclose(monthly["units"], expected["units"])
    np.testing.assert_array_equal(monthly["lines"], expected["rows"])
    growth = expected["revenue"].pct_change().to_numpy() * 100
    assert math.isnan(monthly["growth_pct"].iloc[0])
    np.testing.assert_allclose(monthly["growth_pct"].iloc[1:], growth[1:])
    assert monthly["revenue"].sum() == pytest.approx(analysis_en.kpis["revenue"])


@pytest.mark.parametrize("column", ["product", "category", "region"])
def test_breakdown_tables_equal_pandas(clean_5k, analysis_en, column):
    table = analysis_en.tables[{"product": "products", "category": "categories",
                                "region": "regions"}[column]]
    expected = clean_5k.groupby(column, observed=True)["revenue"].sum().sort_values(ascending=False)
    limit = 10 if column == "product" else len(expected)
    assert list(table[column]) == list(expected.index[:limit])
    np.testing.assert_allclose(table["revenue"], expected.to_numpy()[:limit])
    np.testing.assert_allclose(table["share_pct"],
                               expected.to_numpy()[:limit] / expected.sum() * 100)
    counts = clean_5k[column].value_counts()
    assert list(table["lines"]) == [counts[v] for v in table[column]]


def test_top_n_limits_the_products_table(clean_5k):
    analysis = KpiAnalyzer(top_n=3).analyze(clean_5k)
    assert len(analysis.tables["products"]) == 3
    assert len(analysis.tables["regions"]) == 7  # other tables are not cut


def test_insights_are_deterministic(clean_5k, analysis_en):
    again = KpiAnalyzer().analyze(clean_5k.copy(), "en", "IDR")
    assert again.insights == analysis_en.insights
    again_id = KpiAnalyzer().analyze(clean_5k, "id", "IDR")
    assert again_id.insights == KpiAnalyzer().analyze(clean_5k, "id", "IDR").insights


def by_key(analysis) -> dict[str, str]:
    return {d.key: d.text for d in analysis.details}


def test_insights_en_and_id_differ_but_carry_the_same_facts(clean_5k, analysis_en):
    english = analysis_en.insights
    indonesian = KpiAnalyzer().analyze(clean_5k, "id", "IDR").insights
    assert len(english) == len(indonesian) >= 8
    assert all(e != i for e, i in zip(english, indonesian, strict=True))
    revenue = analysis_en.kpis["revenue"]
    assert format_money(revenue, "IDR") in english[0]  # one number style per sentence
    assert format_money(revenue, "IDR", "id") in indonesian[0]
    assert english[0].startswith("Revenue totalled ")
    assert "from 5,000 orders between 2022-01-01 and 2023-12-31" in english[0]
    assert indonesian[0].startswith("Total pendapatan ")
    assert "dari 5.000 pesanan antara 2022-01-01 dan 2023-12-31" in indonesian[0]
    top = analysis_en.tables["products"].iloc[0]
    en, ind = by_key(analysis_en), by_key(KpiAnalyzer().analyze(clean_5k, "id", "IDR"))
    assert en["top_product"].startswith(f"{top['product']} is the top product")
    assert f"({format_percent(top['share_pct'], 1, 'en')} of revenue)" in en["top_product"]
    assert f"({format_percent(top['share_pct'], 1, 'id')} dari pendapatan)" in ind["top_product"]


def test_insights_best_and_last_month(clean_5k, analysis_en):
    growth = analysis_en.tables["growth_monthly"]
    best = growth.loc[growth["revenue"].idxmax()]  # every month of the sample is complete
    texts = by_key(analysis_en)
    assert texts["best_month"] == (
        f"The best month was {best['month']} with {format_money(best['revenue'])}.")
    change = growth["change_pct"].iloc[-1]
    verb = "rose" if change > 0 else "fell"
    assert texts["change"] == (
        f"Revenue in 2023-12 {verb} {format_percent(abs(change))} against 2023-11.")
    region = analysis_en.tables["regions"].iloc[0]
    assert texts["top_region"] == (
        f"{region['region']} leads the regions with {format_percent(region['share_pct'])} "
        "of revenue.")


def test_insights_use_the_requested_currency(clean_5k):
    insights = KpiAnalyzer().analyze(clean_5k, "en", "USD").insights
    assert "$" in insights[0] and "Rp" not in insights[0]


def orders_frame() -> pd.DataFrame:
    """Three orders over five lines, one customer twice."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-20", "2024-02-03",
                                "2024-02-03"]),
        "product": ["Kopi", "Teh", "Kopi", "Roti", "Kopi"],
        "category": ["Minuman", "Minuman", "Minuman", "Makanan", "Minuman"],
        "region": ["Jakarta", "Jakarta", "Bandung", "Jakarta", "Jakarta"],
        "quantity": [2.0, 1.0, 1.0, 3.0, 1.0],
        "price": [10.0, 5.0, 10.0, 20.0, 10.0],
        "revenue": [20.0, 5.0, 10.0, 60.0, 10.0],
        "order_id": ["O1", "O1", "O2", "O3", "O3"],
        "customer_id": ["C1", "C1", "C2", "C1", "C1"],
    })


def test_average_order_value_uses_order_id_when_present():
    kpis = KpiAnalyzer().analyze(orders_frame()).kpis
    assert kpis["transactions"] == 3
    assert kpis["average_order_value"] == pytest.approx(105.0 / 3)
    assert kpis["customers"] == 2
    assert kpis["units"] == 8.0


def test_average_order_value_counts_rows_without_order_id():
    kpis = KpiAnalyzer().analyze(orders_frame().drop(columns=["order_id"])).kpis
    assert kpis["transactions"] == 5
    assert kpis["average_order_value"] == pytest.approx(105.0 / 5)


def test_analyzer_rejects_unknown_language_and_empty_data():
    with pytest.raises(ValueError, match="language"):
        KpiAnalyzer().analyze(orders_frame(), "fr")
    with pytest.raises(ValueError, match="no rows"):
        KpiAnalyzer().analyze(orders_frame().iloc[:0])


def test_single_month_has_no_change_sentence():
    frame = orders_frame()
    frame["date"] = pd.Timestamp("2024-03-10")
    analysis = KpiAnalyzer().analyze(frame, "id")
    keys = [d.key for d in analysis.details]
    assert keys[0] == "total" and "change" not in keys and "bridge" not in keys
    assert not any("naik" in sentence or "turun" in sentence for sentence in analysis.insights)


def test_negative_amounts_put_the_sign_first():
    assert format_money(-1234567, "IDR") == "-Rp 1,234,567"
    assert format_signed_money(1234, "IDR") == "+Rp 1,234"
    assert format_signed_money(-1234.5, "USD") == "-$1,234.50"
    assert format_signed_percent(5.0) == "+5.0%" and format_signed_percent(-2.5, 1, "id") == "-2,5%"
    assert format_signed_percent(0.0) == "0.0%"


def test_values_that_round_to_zero_have_no_minus_sign():
    assert format_percent(-0.0) == "0.0%" and format_percent(-0.01, 1, "id") == "0,0%"
    assert format_money(-0.4, "IDR") == "Rp 0" and format_number(-0.0) == "0"
