"""The synthetic weekly panel of ``salesforge sample --panel N``: canonical sales rows that give
back weekly series with the traits of real retail panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.cli import main
from salesforge.data.weekly_panel import generate_weekly_panel, holiday_weeks
from salesforge.forecast.series import build_series
from salesforge.schema import REQUIRED_COLUMNS

N_SERIES, WEEKS = 400, 143


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return generate_weekly_panel(N_SERIES, WEEKS, seed=5)


@pytest.fixture(scope="module")
def weekly(rows: pd.DataFrame) -> pd.DataFrame:
    """series_id x week units, zero-filled, as the forecast stage builds them."""
    series = build_series(rows, "quantity", "W", ["product"])
    return series.pivot(index="series_id", columns="ds", values="y")


def test_canonical_sales_rows_dated_on_week_ending_sundays(rows):
    assert list(rows.columns) == list(REQUIRED_COLUMNS)
    assert (rows["date"].dt.day_of_week == 6).all()
    assert rows["date"].min() == pd.Timestamp("2021-01-03")
    assert rows["date"].nunique() == WEEKS and rows["product"].nunique() == N_SERIES
    assert not rows.duplicated(["date", "product"]).any()
    assert (rows["quantity"] >= 1).all() and (rows["quantity"] % 1 == 0).all()
    np.testing.assert_allclose(rows["revenue"], (rows["quantity"] * rows["price"]).round(2))
    assert rows.groupby("product")[["category", "region", "price"]].nunique().eq(1).all().all()


def test_same_seed_same_panel_other_seed_other_panel(rows):
    pd.testing.assert_frame_equal(generate_weekly_panel(N_SERIES, WEEKS, seed=5), rows)
    assert not generate_weekly_panel(N_SERIES, WEEKS, seed=6).equals(rows)


def test_a_share_of_the_series_is_intermittent(weekly):
    # Syntetos-Boylan: average inter-demand interval (ADI) > 1.32 marks intermittent or
    # lumpy series, counted over the weeks after each product's first sale.
    started = weekly.where(weekly.gt(0).cummax(axis=1))
    adi = started.count(axis=1) / started.gt(0).sum(axis=1)
    share = float((adi > 1.32).mean())
    assert 0.15 <= share <= 0.45, share


def test_holiday_weeks_sell_more(weekly):
    marked = holiday_weeks(weekly.columns)
    assert marked["black_friday"].sum() == marked["christmas"].sum() == 2  # 2021 and 2022
    assert pd.Timestamp("2021-11-28") in weekly.columns[marked["black_friday"]]
    total = weekly.sum()
    usual = total[~np.any(list(marked.values()), axis=0)].median()
    assert total[marked["black_friday"]].min() > 1.3 * usual
    assert total[marked["christmas"]].min() > 1.2 * usual


def test_yearly_pattern_and_level_shifts(weekly):
    smooth = weekly[(weekly > 0).mean(axis=1) > 0.95]
    logged = np.log1p(smooth.to_numpy())

    def correlation(lag: int) -> float:
        """Median over series of the correlation of log sales ``lag`` weeks apart."""
        a, b = logged[:, :-lag], logged[:, lag:]
        a, b = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
        return float(np.median((a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))))

    assert correlation(52) > 0.1 > 0 > correlation(26)  # a yearly cycle, not a half-yearly
    halves = np.log(smooth.iloc[:, -26:].mean(axis=1) / smooth.iloc[:, 26:52].mean(axis=1))
    assert (halves.abs() > 0.5).mean() > 0.1  # level shifts, beyond the yearly pattern


def test_the_cli_writes_a_panel_that_a_run_reads_back(tmp_path, capsys):
    out = tmp_path / "panel.csv.gz"
    assert main(["sample", "--panel", "30", "--weeks", "60", "--seed", "1",
                 "--out", str(out)]) == 0
    assert "weekly panel of 30 products x 60 weeks" in capsys.readouterr().out
    written = pd.read_csv(out, parse_dates=["date"])
    expected = generate_weekly_panel(30, 60, seed=1)
    pd.testing.assert_frame_equal(written[["date", "quantity"]],
                                  expected[["date", "quantity"]], check_dtype=False)
    assert main(["sample", "--weeks", "10"]) == 2
    assert main(["sample", "--panel", "0", "--out", str(out)]) == 2
