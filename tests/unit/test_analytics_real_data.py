"""The analyzer on real transactions (UCI Online Retail, 20k-line sample, GBP, with
cancellations): KPIs, returns and the partial last month against plain pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.data.cleaning import StandardCleaner


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    from tests.unit.conftest import require_dataset

    raw = pd.read_csv(require_dataset("online_retail/online_retail_random20k.csv"))
    return StandardCleaner().clean(raw).clean


@pytest.fixture(scope="module")
def analysis(retail):
    return KpiAnalyzer().analyze(retail, "en", "GBP")


def test_kpis_and_returns_match_plain_pandas(retail, analysis):
    kpis = analysis.kpis
    returns = retail["is_return"].astype(bool)
    assert returns.sum() > 100  # the sample has real cancellations
    assert kpis["revenue"] == pytest.approx(retail["revenue"].sum())
    assert kpis["gross_sales"] == pytest.approx(retail.loc[~returns, "revenue"].sum())
    assert kpis["returns_value"] == pytest.approx(-retail.loc[returns, "revenue"].sum())
    assert kpis["return_rate_pct"] == pytest.approx(
        -retail.loc[returns, "revenue"].sum() / retail.loc[~returns, "revenue"].sum() * 100)
    assert kpis["orders"] == retail.loc[~returns, "order_id"].nunique()
    assert kpis["lines"] == (~returns).sum() and kpis["return_lines"] == returns.sum()
    assert kpis["customers"] == retail["customer_id"].nunique()
    returns_sentence = [s for s in analysis.insights if s.startswith("Returns took back")]
    assert returns_sentence and "£" in returns_sentence[0]


def test_the_partial_last_month_is_compared_on_the_same_days(retail, analysis):
    growth = analysis.tables["growth_monthly"].set_index("month")
    last = growth.iloc[-1]
    assert growth.index[-1] == "2011-12" and not last["complete"]
    assert last["end"] == "2011-12-09" and last["basis"] == "same days"
    day = retail["date"].dt.normalize()

    def between(start: str, end: str) -> float:
        return float(retail.loc[(day >= start) & (day <= end), "revenue"].sum())

    assert last["revenue"] == pytest.approx(between("2011-12-01", "2011-12-09"))
    assert last["previous_revenue"] == pytest.approx(between("2011-11-01", "2011-11-09"))
    assert last["year_ago_revenue"] == pytest.approx(between("2010-12-01", "2010-12-09"))
    assert last["yoy_pct"] == pytest.approx(
        (between("2011-12-01", "2011-12-09") / between("2010-12-01", "2010-12-09") - 1) * 100)
    november = growth.loc["2011-11"]
    assert november["complete"] and november["change_pct"] == pytest.approx(
        (between("2011-11-01", "2011-11-30") / between("2011-10-01", "2011-10-31") - 1) * 100)
    assert "(9 of 31 days so far)" in " ".join(analysis.insights)
