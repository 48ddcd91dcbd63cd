"""Integer codes of the columns detection's baselines group by, and chunks of whole
products to work through a large frame in (every baseline is per product or finer): the
chunks' row numbers, their rows, and running them on a thread pool in turn."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from salesforge.detect import baselines as bl


@dataclass
class Keys:
    """Integer codes of the columns the baselines group by, factorised once per frame."""

    product: np.ndarray
    regional: np.ndarray | None = None
    customer: np.ndarray | None = None
    order: np.ndarray | None = None
    channel: np.ndarray | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame, region: bool | None = None) -> Keys:
        product = bl.factorize(frame["product"])
        has_regions = "region" in frame.columns and (region is None or bool(region))
        regional = None
        if has_regions:
            codes = bl.factorize(frame["region"])
            if region is not None or codes.max(initial=0) > 0:
                regional = bl.combine(product, codes)
        keys = cls(product=product, regional=regional)
        if "customer_id" in frame.columns:
            keys.customer = np.where(frame["customer_id"].notna().to_numpy(bool),
                                     bl.factorize(frame["customer_id"]), -1)
            keys.channel = bl.combine(product, (keys.customer < 0).astype("int64"))
        if "order_id" in frame.columns and _orders_have_lines(frame["order_id"]):
            keys.order = np.where(frame["order_id"].notna().to_numpy(bool),
                                  bl.factorize(frame["order_id"]), -1)
        return keys

    def take(self, rows: np.ndarray) -> Keys:
        """The keys of ``rows`` (codes keep their values: a group is the same group)."""
        return Keys(self.product[rows], _take(self.regional, rows), _take(self.customer, rows),
                    _take(self.order, rows), _take(self.channel, rows))


def _take(codes: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if codes is None else codes[rows]


def _orders_have_lines(order_id: pd.Series, block: int = 50_000) -> bool:
    """Whether an order id repeats within the first ``block`` rows (clean data is sorted by
    date, so the lines of an order sit together): one id per line (the bundled sample) has
    no order context, and a million unique ids are not factorised for nothing."""
    head = order_id.iloc[:block].dropna()
    return len(head) > 0 and bool(head.duplicated().any())


def product_chunks(product: np.ndarray, most: int) -> list[np.ndarray]:
    """Row numbers (ascending) of chunks of whole products, about ``most`` rows each (a
    larger product is a chunk of its own)."""
    sizes = np.bincount(product)
    chunk = (np.cumsum(sizes) - sizes) // max(most, 1)  # per product code, non-decreasing
    if chunk[-1] == 0:
        return [np.arange(len(product))]
    of_row = chunk.astype(np.int16 if chunk[-1] < 2**15 else np.int64)[product]
    order = np.argsort(of_row, kind="stable")  # stable (radix for int16): row order kept
    bounds = np.searchsorted(of_row[order], np.unique(chunk), side="left")
    return [part for part in np.split(order, bounds[1:]) if len(part)]


def rows_of(frame: pd.DataFrame, columns: list[str], rows: np.ndarray | None
             ) -> pd.DataFrame:
    """``columns`` of ``frame`` at positions ``rows`` (all with None), taken column by
    column: nothing but those cells is copied (``frame[columns]`` would copy the columns
    whole first)."""
    index = frame.index if rows is None else frame.index[rows]
    return pd.DataFrame({c: frame[c].array if rows is None else frame[c].array.take(rows)
                         for c in columns}, index=index)


def in_turn(pool: ThreadPoolExecutor, fn: Callable[[Any], Any], items: Iterable[Any],
             ahead: int) -> Iterator[Any]:
    """``fn`` over ``items`` on ``pool``, in order, with at most ``ahead`` items taken
    from ``items`` and not yet returned (a chunk's rows are copied only when a thread is
    free for it)."""
    pending: deque[Future] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
