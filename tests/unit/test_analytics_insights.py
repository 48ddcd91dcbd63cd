"""Insights on fixed data: exact English and Indonesian sentences, ranking, provenance,
returns, the KPI counts named for what they count, and the wording taken from the gettext
catalog (no Indonesian text in the insight modules)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re

import pandas as pd
import pytest
from babel.messages.pofile import read_po

from salesforge.analytics import insight_text
from salesforge.analytics.insight_text import (
    DIMENSION_MESSAGES,
    DRIFT_STATUS_MESSAGES,
    EFFECT_MESSAGES,
    LEVEL_MESSAGES,
    MESSAGES,
    TEMPLATES,
    VERB_MESSAGES,
    templates,
)
from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.i18n import catalog_path, extracted_messages, month_names, weekday_names


def shop() -> pd.DataFrame:
    """Six orders, 1 Jan - 14 Feb 2024 (February partial: 14 of 29 days)."""
    rows = [
        ("2024-01-01", "Kopi", "Minuman", "Jakarta", 10, 10_000, "O1"),  # Monday
        ("2024-01-15", "Teh", "Minuman", "Bandung", 5, 8_000, "O2"),     # Monday
        ("2024-01-20", "Roti", "Makanan", "Jakarta", 4, 15_000, "O3"),   # Saturday
        ("2024-02-05", "Kopi", "Minuman", "Jakarta", 12, 10_000, "O4"),  # Monday
        ("2024-02-10", "Roti", "Makanan", "Bandung", 4, 20_000, "O5"),   # Saturday
        ("2024-02-14", "Teh", "Minuman", "Jakarta", 5, 8_000, "O6"),     # Wednesday
    ]
    frame = pd.DataFrame(rows, columns=["date", "product", "category", "region", "quantity",
                                        "price", "order_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame[["quantity", "price"]] = frame[["quantity", "price"]].astype(float)
    frame["revenue"] = frame["quantity"] * frame["price"]
    return frame


# Hand-computed: total 440,000; Jan 200,000; 1-14 Feb 240,000 vs 1-14 Jan 100,000 (+140%);
# bridge 1-14 Jan -> 1-14 Feb: volume (12-10) x 10,000 = 20,000, new Roti + Teh 120,000;
# Kopi 220,000 = 50%; Minuman and Jakarta 1-14 Feb 160,000 vs 100,000 (+60,000, +60%);
# Jakarta 320,000 = 72.7% of revenue; Mondays 260,000 = 59.1%.
ENGLISH = [
    "Revenue totalled Rp 440,000 from 6 orders between 2024-01-01 and 2024-02-14.",
    "Revenue in 2024-02 (14 of 29 days so far) rose 140.0% against the same days of 2024-01.",
    "From 2024-01 to 2024-02 revenue changed by +Rp 140,000; the largest driver was new "
    "products (+Rp 120,000).",
    "Kopi is the top product with Rp 220,000 (50.0% of revenue).",
    "Minuman had the largest revenue change among categories in 2024-02: +Rp 60,000 (+60.0%).",
    "Jakarta had the largest revenue change among regions in 2024-02: +Rp 60,000 (+60.0%).",
    "Jakarta leads the regions with 72.7% of revenue.",
    "Monday is the strongest day of the week with 59.1% of revenue.",
    "The best month was 2024-01 with Rp 200,000.",
]
INDONESIAN = [
    "Total pendapatan Rp 440.000 dari 6 pesanan antara 2024-01-01 dan 2024-02-14.",
    "Pendapatan 2024-02 (14 dari 29 hari sejauh ini) naik 140,0% dibanding hari yang sama "
    "pada 2024-01.",
    "Dari 2024-01 ke 2024-02 pendapatan berubah +Rp 140.000; pendorong terbesar adalah "
    "produk baru (+Rp 120.000).",
    "Kopi adalah produk teratas dengan Rp 220.000 (50,0% dari pendapatan).",
    "Minuman mengalami perubahan pendapatan terbesar di antara kategori pada 2024-02: "
    "+Rp 60.000 (+60,0%).",
    "Jakarta mengalami perubahan pendapatan terbesar di antara wilayah pada 2024-02: "
    "+Rp 60.000 (+60,0%).",
    "Jakarta memimpin wilayah dengan 72,7% dari pendapatan.",
    "Senin adalah hari terkuat dalam seminggu dengan 59,1% dari pendapatan.",
    "Bulan terbaik adalah 2024-01 dengan Rp 200.000.",
]


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("id", INDONESIAN)])
def test_insights_are_the_exact_expected_sentences(language, expected):
    assert KpiAnalyzer().analyze(shop(), language, "IDR").insights == expected


def test_every_insight_points_at_the_cell_its_number_comes_from():
    analysis = KpiAnalyzer().analyze(shop(), "en")
    expected = {"total": 440_000, "change": 140.0, "bridge": 120_000, "top_product": 50.0,
                "mover_category": 60_000, "mover_region": 60_000, "top_region": 320 / 440 * 100,
                "weekday": 260 / 440 * 100, "best_month": 200_000}
    assert [d.key for d in analysis.details] == list(expected)
    for detail in analysis.details:
        cell = analysis.tables[detail.table].iloc[detail.row][detail.column]
        assert float(cell) == pytest.approx(detail.value) == pytest.approx(expected[detail.key])
    scores = [d.score for d in analysis.details]
    assert scores == sorted(scores, reverse=True)
    bridge = analysis.tables["bridge_category"].set_index("category").loc["Total"]
    assert (bridge["volume"], bridge["new"], bridge["price"], bridge["mix"]) == \
        (20_000, 120_000, 0, 0)


def test_counts_are_named_for_what_they_count():
    frame = shop()
    frame.loc[5, "order_id"] = "O5"  # two lines, one order
    analysis = KpiAnalyzer().analyze(frame, "en")
    kpis = analysis.kpis
    assert (kpis["orders"], kpis["lines"], kpis["transactions"]) == (5, 6, 5)
    assert kpis["average_order_value"] == pytest.approx(440_000 / 5)
    monthly = analysis.tables["monthly"].set_index("month")
    assert list(monthly["lines"]) == [3, 3] and list(monthly["orders"]) == [3, 2]
    assert "transactions" not in monthly
    without = KpiAnalyzer().analyze(frame.drop(columns="order_id"), "en")
    assert without.kpis["orders"] is None and without.kpis["transactions"] == 6
    assert "orders" not in without.tables["monthly"]
    assert without.insights[0] == ("Revenue totalled Rp 440,000 from 6 sales lines between "
                                   "2024-01-01 and 2024-02-14.")


def test_returns_are_netted_and_measured_when_flagged():
    frame = shop().assign(is_return=False)
    returned = pd.DataFrame({"date": [pd.Timestamp("2024-02-12")], "product": ["Kopi"],
                             "category": ["Minuman"], "region": ["Jakarta"],
                             "quantity": [-2.0], "price": [10_000.0], "revenue": [-20_000.0],
                             "order_id": ["R1"], "is_return": [True]})
    frame = pd.concat([frame, returned], ignore_index=True)
    analysis = KpiAnalyzer().analyze(frame, "en")
    kpis = analysis.kpis
    assert kpis["revenue"] == 420_000 and kpis["gross_sales"] == 440_000
    assert kpis["returns_value"] == 20_000 and kpis["return_lines"] == 1
    assert kpis["return_rate_pct"] == pytest.approx(20_000 / 440_000 * 100)
    assert kpis["orders"] == 6 and kpis["lines"] == 6  # a return is not a sale
    assert kpis["units"] == 38.0
    assert "Returns took back 4.5% of gross sales (Rp 20,000)." in analysis.insights
    indonesian = KpiAnalyzer().analyze(frame, "id").insights
    assert "Retur mengurangi 4,5% dari penjualan kotor (Rp 20.000)." in indonesian
    plain = KpiAnalyzer().analyze(shop(), "en").kpis
    assert plain["return_rate_pct"] is None and plain["return_lines"] is None


def test_other_currencies_and_a_single_day():
    insights = KpiAnalyzer().analyze(shop().assign(price=1.5, revenue=15.0), "en", "USD")
    assert insights.insights[0] == ("Revenue totalled $90.00 from 6 orders between "
                                    "2024-01-01 and 2024-02-14.")
    one_day = shop().assign(date=pd.Timestamp("2024-03-10"))
    analysis = KpiAnalyzer().analyze(one_day, "id")
    assert analysis.insights[0].startswith("Total pendapatan Rp 440.000 dari 6 pesanan")
    assert not any("naik" in s or "turun" in s for s in analysis.insights)
    assert "bridge_category" not in analysis.tables


def test_pareto_share_of_the_top_products():
    frame = pd.concat([shop().assign(product=f"P{i}", revenue=float(r))
                       for i, r in enumerate([50, 20, 10, 10, 5, 5, 0.0 + 0, 0])],
                      ignore_index=True)
    frame = frame[frame["revenue"] > 0]
    analysis = KpiAnalyzer(pareto_share=0.2).analyze(frame, "en")
    # 6 products -> the top ceil(1.2) = 2 bring (50 + 20) / 100 = 70% of revenue.
    assert analysis.kpis["pareto_top_products"] == 2
    assert analysis.kpis["pareto_revenue_share_pct"] == pytest.approx(70.0)
    assert "The top 2 of 6 products bring 70.0% of revenue." in analysis.insights
    bottom = analysis.tables["bottom_products"]
    assert list(bottom["product"])[:2] == ["P5", "P4"] and bottom["rank"].iloc[0] == 6


# --- the wording is the gettext catalog's (issue 18) ---------------------------------------

INSIGHT_MODULES = ("insight_text", "insights", "drift_insight", "formatting")


def id_catalog() -> dict[str, str]:
    """English message id -> Indonesian msgstr."""
    with catalog_path("id").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def insight_catalog() -> dict[str, str]:
    """English message id -> Indonesian msgstr, for every insight message."""
    catalog = id_catalog()
    return {message: catalog[message] for message in insight_messages()}


def words_of(texts) -> set[str]:
    return {w for text in texts for w in re.findall(r"[^\W\d_]+", text.lower())}


def insight_messages() -> list[str]:
    return [*MESSAGES.values(), *VERB_MESSAGES, *EFFECT_MESSAGES.values(),
            *DRIFT_STATUS_MESSAGES.values(), *LEVEL_MESSAGES, *DIMENSION_MESSAGES.values()]


def test_indonesian_insights_are_the_catalog_translations():
    catalog = insight_catalog()
    assert set(insight_messages()) <= set(extracted_messages())
    assert templates("id") == {key: catalog[m] for key, m in MESSAGES.items()}
    assert templates("en") == MESSAGES and TEMPLATES["en"] == MESSAGES
    sentences = KpiAnalyzer().analyze(shop(), "id", "IDR").insights
    assert sentences[0] == catalog[MESSAGES["total"]].format(
        revenue="Rp 440.000", count=catalog[MESSAGES["orders"]].format(n=6),
        start="2024-01-01", end="2024-02-14")
    assert catalog[MESSAGES["best_month"]].format(month="2024-01", revenue="Rp 200.000") \
        in sentences
    assert sentences[-2].startswith(weekday_names("id", "wide")[0])  # Senin, from Babel


def test_every_insight_sentence_is_looked_up_in_the_catalog(monkeypatch):
    monkeypatch.setattr(insight_text, "gettext", lambda language: lambda m: f"<{m}>")
    sentences = KpiAnalyzer().analyze(shop(), "id", "IDR").insights
    assert len(sentences) == len(INDONESIAN)
    assert all(s.startswith("<") and s.endswith(".>") for s in sentences)
    assert "<new products>" in sentences[2] and "<categories>" in sentences[4]


def test_no_insight_module_holds_indonesian_text():
    # words of the Indonesian insight texts and day and month names that no English
    # message of the catalog uses ("total", "volume", "drift", "run" are both)
    words = words_of(insight_catalog().values()) | words_of(weekday_names("id", "wide")) \
        | words_of(month_names("id", "wide"))
    words -= words_of(id_catalog())
    assert {"pendapatan", "naik", "turun", "wilayah", "senin"} <= words
    for name in INSIGHT_MODULES:
        module = importlib.import_module(f"salesforge.analytics.{name}")
        tree = ast.parse(inspect.getsource(module))
        texts = [node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        found = words_of(texts) & words
        assert found == set(), f"Indonesian words in salesforge.analytics.{name}: {found}"
