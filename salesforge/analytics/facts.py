"""The clean rows encoded once for one analysis, and the aggregates its tables share.

Every table of the ``kpis`` analyzer groups the same rows: by product, category, region,
month and day. :class:`Facts` reads the frame once - a day number per row, the sales
mask, integer codes per dimension (a categorical's own codes, so the cleaner's encoding
is reused; other columns are factorised once here), the order ids' distinct check - and
keeps the per-table aggregates (daily revenue matrices, per-group summaries) so that no
table groups the transactions twice.

Sums are pandas' grouped sums over the transaction rows in their order, as before, so
every number is the same to the last bit; only the grouping keys changed (codes instead
of text) and distinct order counts (:mod:`salesforge.analytics.distinct`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesforge.analytics.distinct import all_distinct, codes_of, distinct_per_group
from salesforge.schema import DIMENSIONS

#: The key of calendar months in :meth:`Facts.key` and :meth:`Facts.summary` (a name no
#: column has); the summary's index is called ``month``.
MONTH = "<month>"


def sales_mask(clean: pd.DataFrame) -> pd.Series:
    """True for sales rows, False for returns (all True when there is no ``is_return``)."""
    if "is_return" not in clean.columns:
        return pd.Series(True, index=clean.index)
    return ~clean["is_return"].fillna(False).astype(bool)


def _day_numbers(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(calendar day number per row, counted from 1970-01-01, in the dates' own wall time;
    missing-date mask)."""
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)  # wall time: days as ``dt.normalize`` cuts them
    values = dates.to_numpy()
    missing = np.isnat(values)
    unit, count = np.datetime_data(values.dtype)
    # numpy's stubs take only a literal unit; datetime_data gives it as a str
    per_day = int(np.timedelta64(1, "D")
                  / np.timedelta64(count, unit))  # type: ignore[call-overload]
    return np.floor_divide(values.view(np.int64), per_day), missing


class Facts:
    """``clean`` read once for an analysis (see the module docstring).

    ``day`` is each row's day offset from the first date (``-1`` for a missing date),
    ``days`` the calendar days from the first date to :attr:`end` (the last covered day),
    ``sales`` the sales-row mask, ``stamped`` whether the rows are monthly totals.
    """

    def __init__(self, clean: pd.DataFrame) -> None:
        self.clean = clean
        dates = clean["date"]
        numbers, missing = _day_numbers(dates)
        gaps = bool(missing.any())
        dated = numbers[~missing] if gaps else numbers
        self.day = (numbers - dated.min()).astype(np.int32)
        if gaps:
            self.day[missing] = -1
        self.first: pd.Timestamp = dates.min().normalize()
        present = np.flatnonzero(np.bincount(self.day[~missing] if gaps else self.day))
        dom = (self.first + pd.to_timedelta(present, unit="D")).day.to_numpy()
        self.stamped = bool(not gaps and len(present) > 1 and (dom == 1).all())
        last = dates.max().normalize()
        self.end: pd.Timestamp = last + pd.offsets.MonthEnd(0) if self.stamped else last
        self.days = pd.date_range(self.first, self.end, freq="D")
        self.sales = sales_mask(clean).to_numpy(bool)
        self._keys: dict[str, tuple[np.ndarray, pd.Index]] = {}
        self._cache: dict[Any, Any] = {}

    @classmethod
    def of(cls, clean: pd.DataFrame | Facts) -> Facts:
        """``clean`` itself when it is already :class:`Facts`, else its facts."""
        return clean if isinstance(clean, Facts) else cls(clean)

    def column(self, name: str) -> np.ndarray:
        """The values of column ``name`` as a NumPy array."""
        return self.clean[name].to_numpy()

    # --- grouping keys ---------------------------------------------------------------------

    def key(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """(code per row, -1 for missing; the values the codes stand for, in sorted order)
        of a column, or of ``month`` (calendar months as periods)."""
        if name not in self._keys:
            if name == MONTH:
                self._keys[name] = self._months()
            else:
                values = self.clean[name]
                if isinstance(values.dtype, pd.CategoricalDtype):
                    self._keys[name] = (values.cat.codes.to_numpy(), values.cat.categories)
                else:
                    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
                    self._keys[name] = (codes, pd.Index(uniques))
        return self._keys[name]

    def _months(self) -> tuple[np.ndarray, pd.Index]:
        months = pd.period_range(self.first, self.end, freq="M", name="month")
        offset = (self.days.year - self.first.year) * 12 + self.days.month - self.first.month
        per_day = np.asarray(offset, dtype=np.int32)
        codes = np.where(self.day >= 0, per_day[np.maximum(self.day, 0)], -1)
        return codes, months

    def distinct(self, name: str) -> int:
        """Distinct non-missing values of column ``name`` (``Series.nunique``)."""
        values = self.clean[name]
        if name in self._keys or name in DIMENSIONS \
                or isinstance(values.dtype, pd.CategoricalDtype):  # grouped on anyway
            codes, labels = self.key(name)
            return int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=len(labels))))
        present = values.notna().to_numpy(bool)
        if all_distinct(values, present):
            return int(present.sum())
        return int(values.nunique())

    # --- orders ----------------------------------------------------------------------------

    def _orders(self) -> tuple[np.ndarray, np.ndarray | None, int]:
        """(sales rows with an order id; order codes, or None when every such row has its
        own order id; number of codes)."""
        if "orders" not in self._cache:
            values = self.clean["order_id"]
            rows = self.sales & values.notna().to_numpy(bool)
            if all_distinct(values, rows):
                self._cache["orders"] = (rows, None, 0)
            else:
                codes, count = codes_of(values)
                self._cache["orders"] = (rows, codes, count)
        return self._cache["orders"]

    def orders(self) -> int:
        """Distinct order ids among the sales rows."""
        rows, codes, count = self._orders()
        if codes is None:
            return int(rows.sum())
        return int(np.count_nonzero(np.bincount(codes[rows], minlength=count)))

    def orders_by(self, codes: np.ndarray, ngroups: int) -> np.ndarray:
        """Distinct order ids among the sales rows per group code (``ngroups`` counts)."""
        rows, orders, count = self._orders()
        rows = rows & (codes >= 0)
        groups = codes[rows].astype(np.int64)
        if orders is None:
            return np.bincount(groups, minlength=ngroups)
        return distinct_per_group(groups, ngroups, orders[rows], count)

    # --- shared aggregates -----------------------------------------------------------------

    def summary(self, name: str) -> pd.DataFrame:
        """Per value of ``name`` (a column or ``month``; rows with a missing key left out,
        sorted by value): revenue and units (returns netted), sales ``lines`` and, when
        the data has order ids, ``orders``. Indexed by the values; do not modify."""
        cached = ("summary", name)
        if cached not in self._cache:
            codes, labels = self.key(name)
            frame = pd.DataFrame({"revenue": self.column("revenue"),
                                  "units": self.column("quantity"),
                                  "lines": self.sales.astype(np.int64)}, copy=False)
            valid = codes >= 0
            keys = codes
            if not valid.all():
                frame, keys = frame[valid], codes[valid]
            table = frame.groupby(keys, sort=True).sum()
            present = table.index.to_numpy()
            if "order_id" in self.clean.columns:
                table["orders"] = self.orders_by(codes, len(labels))[present]
            table.index = labels.take(present).rename(labels.name or name)
            self._cache[cached] = table
        return self._cache[cached]

    def daily(self, name: str | None = None) -> pd.DataFrame:
        """Revenue per calendar day (:attr:`days`, zero-filled): one ``revenue`` column, or
        one column per value of column ``name`` (as text, sorted). Do not modify."""
        cached = ("daily", name)
        if cached not in self._cache:
            self._cache[cached] = self._daily(name)
        return self._cache[cached]

    def _daily(self, name: str | None) -> pd.DataFrame:
        revenue = self.column("revenue")
        dated = self.day >= 0
        if name is None:
            sums = pd.Series(revenue[dated]).groupby(self.day[dated], sort=True).sum()
            values = np.zeros((len(self.days), 1))
            values[sums.index.to_numpy(), 0] = sums.to_numpy(float)
            return pd.DataFrame(values, index=self.days, columns=["revenue"])
        codes, labels = self.key(name)
        rows = dated & (codes >= 0)
        width = np.int64(max(len(labels), 1))
        cells = self.day[rows].astype(np.int64) * width + codes[rows]
        sums = pd.Series(revenue[rows]).groupby(cells, sort=True).sum()
        cell = sums.index.to_numpy()
        present = np.unique(cell % width)
        values = np.zeros((len(self.days), len(present)))
        values[cell // width, np.searchsorted(present, cell % width)] = sums.to_numpy(float)
        columns = pd.Index(labels.take(present), name=name).astype(str)
        return pd.DataFrame(values, index=self.days, columns=columns)

    def between(self, lo: int, hi: int, columns: list[str]) -> pd.DataFrame:
        """The rows dated ``lo..hi`` days after the first date (inclusive), ``columns``
        only."""
        return self.clean.loc[(self.day >= lo) & (self.day <= hi), columns]
