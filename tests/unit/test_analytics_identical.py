"""The analyzer's fast path (codes encoded once, shared aggregates, distinct counts on
integers; :mod:`salesforge.analytics.facts`) gives exactly the tables, KPIs and insights
of a plain reference: pandas ``groupby`` / ``nunique`` / ``pivot_table`` on text columns,
the way the analyzer aggregated before (issue 20). Compared bit for bit, on the bundled
sample and on variants of it with returns, missing keys, repeated and shuffled order ids,
customers and non-integer amounts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.analytics.facts import MONTH, Facts
from salesforge.analytics.growth import coverage_end, monthly_stamped
from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.sample import sample_path

TEXT = pd.StringDtype("pyarrow")
DIMENSIONS = ("product", "category", "region", "customer_id", "order_id")


class ReferenceFacts(Facts):
    """The aggregates the analyzer's tables are made of, computed plainly on text columns
    (no codes, no caches): what ``measures``, ``growth`` and ``kpis`` did before."""

    def __init__(self, clean: pd.DataFrame) -> None:
        self.clean = clean
        self.day_of_row = clean["date"].dt.normalize()
        self.first = self.day_of_row.min()
        self.stamped = monthly_stamped(clean["date"])
        self.end = coverage_end(clean["date"])
        self.days = pd.date_range(self.first, self.end, freq="D")
        self.sales = (~clean["is_return"].fillna(False).astype(bool)).to_numpy(bool) \
            if "is_return" in clean.columns else np.ones(len(clean), dtype=bool)

    def distinct(self, name: str) -> int:
        return int(self.clean[name].nunique())

    def orders(self) -> int:
        return int(self.clean.loc[self.sales, "order_id"].nunique())

    def summary(self, name: str) -> pd.DataFrame:
        clean = self.clean
        key = clean["date"].dt.to_period("M").rename("month") if name == MONTH else clean[name]
        frame = clean.assign(_line=self.sales.astype("int64"))
        table = frame.groupby(key, observed=True, sort=True).agg(
            revenue=("revenue", "sum"), units=("quantity", "sum"), lines=("_line", "sum"))
        if "order_id" in clean.columns:
            orders = clean["order_id"].where(self.sales)
            table["orders"] = orders.groupby(key, observed=True, sort=True).nunique()
        return table

    def daily(self, name: str | None = None) -> pd.DataFrame:
        clean, day = self.clean, self.day_of_row
        if name is None:
            table = clean.groupby(day)["revenue"].sum().to_frame("revenue")
        else:
            table = clean.pivot_table(index=day, columns=name, values="revenue",
                                      aggfunc="sum", observed=True, fill_value=0.0)
            table.columns = table.columns.astype(str)
        return table.reindex(self.days, fill_value=0.0).astype(float)

    def between(self, lo: int, hi: int, columns: list[str]) -> pd.DataFrame:
        day = self.day_of_row
        inside = (day >= self.first + pd.Timedelta(days=lo)) \
            & (day <= self.first + pd.Timedelta(days=hi))
        return self.clean.loc[inside, columns]


def as_text(clean: pd.DataFrame) -> pd.DataFrame:
    """``clean`` with its encoded columns as Arrow text again (what the cleaner gave before)."""
    out = clean.copy()
    for column in DIMENSIONS:
        if column in out.columns:
            out[column] = out[column].astype(TEXT)
    return out


def assert_same(clean: pd.DataFrame, language: str = "en", currency: str = "IDR") -> None:
    reference = KpiAnalyzer()._analyze(ReferenceFacts(as_text(clean)), language, currency)
    fast = KpiAnalyzer().analyze(clean, language, currency)
    assert list(fast.tables) == list(reference.tables)
    for name, table in reference.tables.items():
        pd.testing.assert_frame_equal(fast.tables[name], table, check_exact=True, obj=name)
    assert fast.kpis == reference.kpis
    assert fast.insights == reference.insights
    assert [d.as_dict() for d in fast.details] == [d.as_dict() for d in reference.details]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The bundled sample, loaded and cleaned as a run does (dimensions encoded)."""
    return StandardCleaner().clean(CsvLoader().load(sample_path())).clean


def variant(clean: pd.DataFrame, orders_per_line: float, seed: int = 7) -> pd.DataFrame:
    """``clean`` with non-integer amounts, 3% returns, customers, some missing order ids and
    regions, and order ids shared by ``1 / orders_per_line`` lines in shuffled order."""
    rng = np.random.default_rng(seed)
    out, rows = as_text(clean), len(clean)
    out["revenue"] = out["revenue"] * rng.uniform(0.3, 1.7, rows) / 7.0
    out["quantity"] = out["quantity"] + rng.uniform(0, 1, rows).round(2)
    ids = rng.integers(0, max(1, int(rows * orders_per_line)), rows)
    out["order_id"] = pd.Series([f"INV-{i:07d}" for i in ids], dtype=TEXT)
    returned = rng.uniform(size=rows) < 0.03
    out["is_return"] = returned
    out.loc[returned, "revenue"] *= -1
    out["customer_id"] = pd.Series([f"C{i}" for i in rng.integers(0, 500, rows)], dtype=TEXT)
    out.loc[rng.uniform(size=rows) < 0.01, "order_id"] = pd.NA
    out.loc[rng.uniform(size=rows) < 0.01, "region"] = pd.NA
    return out


def test_sample_is_encoded_once_by_the_cleaner(sample):
    for column in ("product", "category", "region"):
        assert isinstance(sample[column].dtype, pd.CategoricalDtype), column
    assert sample["order_id"].is_unique  # one order per line: stays text (an identifier)
    assert isinstance(sample["order_id"].dtype, pd.StringDtype)


@pytest.mark.parametrize("language", ["en", "id"])
def test_bundled_sample_matches_the_reference(sample, language):
    assert_same(sample, language)


def test_text_columns_are_encoded_once_and_match(sample):
    assert_same(as_text(sample))


@pytest.mark.parametrize("orders_per_line", [1.0, 0.3, 0.05])
def test_repeated_shuffled_order_ids_returns_and_gaps_match(sample, orders_per_line):
    frame = variant(sample, orders_per_line)
    assert_same(frame, currency="GBP")  # order ids as text: fingerprint path or codes
    encoded = frame.copy()
    for column in DIMENSIONS:
        encoded[column] = encoded[column].astype("category")
    assert_same(encoded, currency="GBP")  # every key a categorical, order ids too


def test_unsorted_rows_and_a_single_month_match(sample):
    shuffled = variant(sample, 0.5).sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert_same(shuffled)
    january = sample[sample["date"] < "2022-02-01"].reset_index(drop=True)
    assert_same(january)  # categories unused in the subset must not become groups
