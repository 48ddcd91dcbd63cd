"""Context features for transaction detectors: each line against its own product's
baselines, in robust standard deviations (robust z), so one threshold means the same for a
cable and a laptop.

* ``price_vs_product``: log(list price / baseline) / the product's spread, the baseline
  being the closest of the product's established price points (per product, and per
  product x region where that has enough lines), its recent price (rolling median over
  time) and its median moved by the order's or customer's price level;
* ``quantity_vs_product``: log(quantity / baseline) / the product's spread, one-sided, the
  baseline being the closest of the product's median quantity (per product x region where
  that has enough lines), the median at the line's price point (volume prices) and the
  median moved by the order's or customer's usual scale (a wholesaler buys in bulk);
* ``repeat_order``: the same line (customer, product, quantity, price) ordered again within
  minutes: 3 per extra copy, on the copies only.

Rows whose product has fewer than ``min_rows`` priced lines have no baseline: their inputs are
0 and their ratios NaN; returns are not judged. Only ``product``, ``region``, ``customer_id``,
``order_id``, ``date``, ``is_return``, the measures and ``discount`` are read: other
pass-through columns (notes, store codes) are never inputs.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from salesforge.data.dates import nanoseconds
from salesforge.detect import baselines as bl
from salesforge.detect.keys import Keys, in_turn, product_chunks, rows_of
from salesforge.detect.known_context import (  # noqa: F401  (public here before)
    fit_on_known_context,
    fit_score_raw_on_known_context,
)
from salesforge.detect.repeats import repeats

#: The model inputs, in order.
FEATURES = ("price_vs_product", "quantity_vs_product", "repeat_order")
#: The numeric columns of the ``ratio`` table of :func:`context_features`, in order (its
#: last column, ``regional``, is boolean).
RATIOS = ("price_vs_product", "quantity_vs_product", "repeat_order", "usual_price",
          "usual_quantity")


@dataclass(frozen=True)
class ContextSettings:
    """The documented constants of the baselines (log scale unless said)."""

    #: Fewest priced lines a product needs for a baseline (else inputs 0).
    min_rows: int = 5
    #: Fewest lines a product x region group needs for its own baseline.
    min_region_rows: int = 20
    #: Price points: log-price bins this wide (about 5 %) holding at least 3 lines and 1 %
    #: of the product's lines.
    level_width: float = 0.05
    level_min_count: int = 3
    level_min_share: float = 0.01
    #: Anonymous lines and customers' lines have their own price points (when the data has
    #: a customer column).
    channels: bool = True
    #: Price points further than this from the product's median (9x dearer or cheaper) need
    #: 10 lines and 5 % of the product's: a far price repeated a few times is more likely a
    #: repeated error than a price point.
    level_band: float = float(np.log(9.0))
    #: Lines per product in the rolling median of its recent price.
    recent_window: int = 25
    #: Smallest price spread (log): about 30 %, the ordinary noise of sales, tiers and
    #: rounding around a price point.
    price_floor: float = 0.3
    #: Smallest quantity spread (log): quantities are heavier-tailed than prices.
    quantity_floor: float = 0.6
    #: Lines of evidence a baseline is worth: the floor grows as sqrt(1 + 20 / lines), so a
    #: product of 20 lines is judged with sqrt(2) times the floor (few lines, less certain).
    prior_lines: float = 20.0
    #: Quantile of |deviation| that estimates a product's price spread (robust to 5 % odd
    #: lines per product).
    coverage: float = 0.95
    #: Orders need this many lines, customers this many, to lend their scale.
    order_min_lines: int = 3
    customer_min_lines: int = 5
    #: Lines a product needs at one price point for that point's own median quantity.
    tier_min_rows: int = 5
    #: The same as ``coverage``, for quantities.
    quantity_coverage: float = 0.95
    #: Whose usual scale moves the quantity baseline.
    quantity_shifts: tuple[str, ...] = ("customer_id", "order_id")
    #: Robust z of each extra copy of a line ordered again within ``repeat_minutes``.
    repeat_unit: float = 3.0
    repeat_minutes: float = 5.0


SETTINGS = ContextSettings()


def list_prices(frame: pd.DataFrame) -> np.ndarray:
    """The price before discount, ``price / (1 - discount)``, where a ``discount`` column
    gives a fraction in [0, 1) (or a percentage in [0, 100)); the price itself otherwise,
    so a discounted sale is judged by its list price, not flagged as a price drop."""
    price = frame["price"].to_numpy(float)
    if "discount" not in frame.columns:
        return price
    discount = frame["discount"].to_numpy(float)
    if np.nanmax(np.abs(discount), initial=0.0) > 1:
        discount = discount / 100.0
    usable = (discount >= 0) & (discount < 1)
    return np.where(usable, price / np.where(usable, 1.0 - discount, 1.0), price)


def _log_positive(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log(np.where(values > 0, values, 1.0)), np.nan)


def _sales(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are sales: returns and cancellations mirror a sale and are not judged."""
    if "is_return" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return ~frame["is_return"].to_numpy(bool)


def _log_prices(frame: pd.DataFrame) -> np.ndarray:
    """Log list price of the sales (NaN for returns and prices that are not positive)."""
    return np.where(_sales(frame), _log_positive(list_prices(frame)), np.nan)


def _log_quantities(frame: pd.DataFrame) -> np.ndarray:
    """Log quantity of the sales (NaN for returns and quantities that are not positive)."""
    return np.where(_sales(frame), _log_positive(frame["quantity"].to_numpy(float)), np.nan)


def _own(keys: Keys, s: ContextSettings) -> np.ndarray:
    """The codes price points are found within: channel (anonymous or customer lines of a
    product) where the data has customers and ``s.channels``, else product."""
    return keys.channel if s.channels and keys.channel is not None else keys.product


def _closest(deviations: list[np.ndarray]) -> np.ndarray:
    """Element-wise, the deviation smallest in absolute value (NaN only where all are; the
    first of equals)."""
    best = deviations[0].copy()
    size = np.where(np.isnan(best), np.inf, np.abs(best))
    for other in deviations[1:]:
        other_size = np.where(np.isnan(other), np.inf, np.abs(other))
        closer = other_size < size
        best[closer] = other[closer]
        size[closer] = other_size[closer]
    return best


def _shifts(keys: Keys, deviation: np.ndarray, s: ContextSettings,
            by: tuple[str, ...] = ("customer_id", "order_id")) -> list[np.ndarray]:
    """The median ``deviation`` of each row's customer (customers with enough lines) and of
    its order (orders of several lines), NaN where there is none: how a buyer's lines sit
    against their products' baselines (a wholesaler's bulk, a channel's price list)."""
    found = []
    for column in by:
        codes, least = ((keys.customer, s.customer_min_lines) if column == "customer_id"
                        else (keys.order, s.order_min_lines))
        if codes is None:
            continue
        grouped = np.where(codes >= 0, codes, codes.max(initial=0) + 1)
        usable = (bl.group_sizes(deviation, grouped) >= least) & (codes >= 0)
        if not usable.any():  # e.g. one line per order: no order lends its scale
            continue
        shift = np.full(len(codes), np.nan)
        shift[usable] = bl.group_median(deviation[usable], grouped[usable])
        found.append(shift)
    return found


@dataclass
class PriceWork:
    """A frame's price context up to the order and customer shifts (which group rows of
    every product together, so they are made for the whole frame in between)."""

    log_price: np.ndarray
    known: np.ndarray
    own: np.ndarray
    #: The closest of the candidates that need only the rows' own products (one array
    #: kept instead of three until the shifts are known).
    closest: np.ndarray
    plain: np.ndarray


def price_work(frame: pd.DataFrame, keys: Keys, s: ContextSettings = SETTINGS) -> PriceWork:
    """The candidates of :func:`price_context` that need only the rows' own products."""
    product = keys.product
    log_price = _log_prices(frame)
    known = bl.group_sizes(log_price, product) >= s.min_rows
    log_price = np.where(known, log_price, np.nan)
    own = _own(keys, s)
    level = (s.level_width, s.level_min_count, s.level_min_share, s.level_band)
    candidates = [log_price - bl.nearest_level(log_price, own, *level)]
    if keys.regional is not None:
        enough = bl.group_sizes(log_price, keys.regional) >= s.min_region_rows
        candidates.append(log_price - bl.nearest_level(np.where(enough, log_price, np.nan),
                                                       keys.regional, *level))
    if "date" in frame.columns:
        times = nanoseconds(frame["date"])
        candidates.append(log_price - bl.rolling_median(log_price, own, times,
                                                        s.recent_window))
    plain = log_price - bl.group_median(log_price, product)
    return PriceWork(log_price, known, own, _closest(candidates), plain)


def price_finish(work: PriceWork, shifts: list[np.ndarray], s: ContextSettings = SETTINGS
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(robust z, usual price) from :func:`price_work` and the rows' shifts."""
    deviation = _closest([work.closest, *[work.plain - shift for shift in shifts]])
    deviation = np.where(np.isnan(deviation) & work.known, 0.0, deviation)
    scale = bl.spread(deviation, work.own, s.coverage, s.price_floor, s.prior_lines)
    return deviation / scale, np.exp(work.log_price - deviation)


def price_context(frame: pd.DataFrame, keys: Keys, s: ContextSettings = SETTINGS
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(robust z, usual price) per row: log list price against the closest of its
    product's price points, its product x region's price points, its recent price, and its
    product's median moved by its order's or customer's price level. With a customer
    column, anonymous lines and customers' lines are two channels with their own price
    points (shops often price guest and account sales differently)."""
    work = price_work(frame, keys, s)
    return price_finish(work, _shifts(keys, work.plain, s), s)


@dataclass
class QuantityWork:
    """A frame's quantity context up to the order and customer shifts."""

    log_quantity: np.ndarray
    known: np.ndarray
    local: np.ndarray
    plain: np.ndarray
    tier: np.ndarray


def quantity_work(frame: pd.DataFrame, keys: Keys, s: ContextSettings = SETTINGS
                  ) -> QuantityWork:
    """The candidates of :func:`quantity_context` that need only the rows' own products."""
    product = keys.product
    log_quantity = _log_quantities(frame)
    known = bl.group_sizes(log_quantity, product) >= s.min_rows
    log_quantity = np.where(known, log_quantity, np.nan)
    baseline = bl.group_median(log_quantity, product)
    local = np.zeros(len(frame), dtype=bool)
    if keys.regional is not None:
        local = bl.group_sizes(log_quantity, keys.regional) >= s.min_region_rows
        baseline = np.where(local, bl.group_median(log_quantity, keys.regional), baseline)
    plain = log_quantity - baseline
    price_bin = np.floor(_log_positive(list_prices(frame)) / s.level_width + 0.5)
    priced = np.isfinite(price_bin)
    where = product if keys.regional is None else np.where(
        local, keys.regional + product.max() + 1, product)  # region-aware where it can be
    lowest = float(np.min(price_bin[priced])) if priced.any() else 0.0
    bins = np.where(priced, price_bin - lowest + 1, 0).astype("int64")  # 0: no price
    tier = bl.combine(bl.factorize(where), bl.factorize(bins))
    enough = (bl.group_sizes(log_quantity, tier) >= s.tier_min_rows) & priced
    tier_deviation = np.where(enough, log_quantity - bl.group_median(log_quantity, tier),
                              np.nan)
    return QuantityWork(log_quantity, known, local, plain, tier_deviation)


def quantity_finish(work: QuantityWork, keys: Keys, shifts: list[np.ndarray],
                    s: ContextSettings = SETTINGS
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(robust z, usual quantity, regional baseline used) from :func:`quantity_work` and
    the rows' shifts."""
    deviation = _closest([work.plain, *[work.plain - shift for shift in shifts], work.tier])
    scale = bl.spread(deviation, keys.product, s.quantity_coverage, s.quantity_floor,
                      s.prior_lines)
    z = np.maximum(np.nan_to_num(deviation / scale), 0.0)  # fewer units is no anomaly
    usual = np.exp(work.log_quantity - deviation)
    return z, np.where(work.known, usual, np.nan), work.local & work.known


def quantity_context(frame: pd.DataFrame, keys: Keys, s: ContextSettings = SETTINGS
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(robust z, usual quantity, regional baseline used) per row: log quantity against the
    closest of its product's median (its product x region's where that has enough lines),
    the median of the product's lines sold at the same price point (volume prices: bulk
    lines at the bulk price are ordinary, a bulk quantity at the single-unit price is not),
    and the product's median moved by its order's or customer's usual scale (a wholesaler
    buys everything in bulk, a household in ones). One-sided: fewer units than usual is
    not an anomaly (z is 0 below the baseline)."""
    work = quantity_work(frame, keys, s)
    return quantity_finish(work, keys, _shifts(keys, work.plain, s, s.quantity_shifts), s)


#: Rows of whole products worked on at once by :func:`context_features`: every baseline is
#: per product (or finer), so a chunk of products gives the same values as the whole frame,
#: while its arrays stay small enough for the allocator to reuse their memory (at 5 M rows
#: the whole-frame pass spent more time zeroing fresh pages than computing).
CHUNK_ROWS = 250_000


#: Stands for an array a chunk does not keep between the two halves of its work.
_DROPPED = np.empty(0)
#: The columns the baselines read (besides the keys).
_INPUT_COLUMNS = ("date", "is_return", "quantity", "price", "discount")



def context_features(frame: pd.DataFrame, region: bool | None = None,
                     settings: ContextSettings = SETTINGS
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inputs, ratio)``, one row per transaction (same index as ``frame``).

    ``inputs``: the robust z of each feature in :data:`FEATURES` (0 where a product has no
    baseline). ``ratio``: per feature the plain quotient line / baseline (NaN without one;
    for ``repeat_order`` the number of extra copies), plus ``usual_price``,
    ``usual_quantity`` and ``regional`` (the quantity baseline is the product's in the
    row's region), which reasons and money impacts are written from. Product x region
    baselines are used when ``region`` is true (default: when the frame has more than one
    region). Worked out in chunks of whole products (:func:`product_chunks`), one thread per
    core; the order and customer shifts, which cross products, between the two halves of
    each chunk's work. Every chunk writes only its own rows, so the result does not depend
    on the order the threads finish in."""
    keys = Keys.of(frame, region)
    who = [keys.product if keys.regional is None else keys.regional]
    if keys.customer is not None:
        who.append(keys.customer + 1)
    same = bl.combine(*who)
    inputs_read = [c for c in _INPUT_COLUMNS if c in frame.columns]
    chunks = product_chunks(keys.product, CHUNK_ROWS)  # read now: tests set it smaller
    whole = len(chunks) == 1
    # the two tables' columns, filled chunk by chunk and wrapped without a copy
    inputs = np.empty((len(FEATURES), len(frame)))
    ratios = np.empty((len(RATIOS), len(frame)))
    local = np.empty(len(frame), dtype=bool)

    def parts():  # made one at a time: no chunk's rows are copied before they are needed
        for rows in chunks:
            yield rows, rows_of(frame, inputs_read, None if whole else rows), \
                keys if whole else keys.take(rows)

    def finish(rows, part, part_keys, prices, quantities, price_shifts, quantity_shifts):
        at = slice(None) if whole else rows
        price_z, usual_price = price_finish(prices, price_shifts, settings)
        quantity_z, usual_quantity, local[at] = quantity_finish(quantities, part_keys,
                                                                quantity_shifts, settings)
        extra = repeats(part, settings.repeat_minutes, same if whole else same[rows],
                        anonymous=None if part_keys.customer is None
                        else part_keys.customer < 0).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            filled = ((inputs, 0, np.nan_to_num(price_z)), (inputs, 1, quantity_z),
                      (inputs, 2, settings.repeat_unit * extra),
                      (ratios, 0, list_prices(part) / usual_price),
                      (ratios, 1, part["quantity"].to_numpy(float) / usual_quantity),
                      (ratios, 2, extra), (ratios, 3, usual_price), (ratios, 4, usual_quantity))
        for table, row, values in filled:  # one table row at a time: nothing stacked
            table[row, at] = values

    def work(chunk: tuple[Any, ...]) -> tuple[Any, ...]:
        rows, part, part_keys = chunk
        return (rows, part, part_keys, price_work(part, part_keys, settings),
                quantity_work(part, part_keys, settings))

    # one thread per core, at most one per chunk (NumPy's and pandas' kernels let go of the
    # GIL: two chunks at once take about 0.7 of the time on two cores)
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        if keys.customer is None and keys.order is None:  # each chunk from start to end
            def whole_chunk(chunk: tuple[Any, ...]) -> None:
                rows, part, part_keys, prices, quantities = work(chunk)
                finish(rows, part, part_keys, prices, quantities, [], [])

            for _ in in_turn(pool, whole_chunk, parts(), workers):
                pass
        else:  # the shifts group rows of several products: made between the two halves
            # Between the halves each chunk keeps only its baselines: its deviations go
            # into the whole-frame arrays the shifts need; its rows, keys, log prices and
            # quantities are taken again for the second half (at 10 M rows about 1 GB less
            # held at once, for about 0.2 s).
            price_plain, quantity_plain = np.empty(len(frame)), np.empty(len(frame))

            def first_half(chunk: tuple[Any, ...]) -> tuple[Any, ...]:
                rows, _part, _part_keys, prices, quantities = work(chunk)
                price_plain[rows], quantity_plain[rows] = prices.plain, quantities.plain
                return (replace(prices, log_price=_DROPPED, own=_DROPPED, plain=_DROPPED),
                        replace(quantities, log_quantity=_DROPPED, plain=_DROPPED))

            kept = list(in_turn(pool, first_half, parts(), workers))
            price_shifts = _shifts(keys, price_plain, settings)
            quantity_shifts = _shifts(keys, quantity_plain, settings, settings.quantity_shifts)

            def second_half(chunk: tuple[Any, ...]) -> None:
                (rows, part, part_keys), (prices, quantities) = chunk
                prices = replace(prices, own=_own(part_keys, settings),
                                 plain=price_plain[rows],
                                 log_price=np.where(prices.known, _log_prices(part), np.nan))
                quantities = replace(quantities, plain=quantity_plain[rows],
                                     log_quantity=np.where(quantities.known,
                                                           _log_quantities(part), np.nan))
                finish(rows, part, part_keys, prices, quantities,
                       [shift[rows] for shift in price_shifts],
                       [shift[rows] for shift in quantity_shifts])

            for _ in in_turn(pool, second_half, zip(parts(), kept, strict=True), workers):
                pass
    inputs_table = pd.DataFrame(inputs.T, index=frame.index, columns=list(FEATURES),
                                copy=False)
    ratio_table = pd.DataFrame(ratios.T, index=frame.index, columns=list(RATIOS), copy=False)
    ratio_table["regional"] = local
    return inputs_table, ratio_table
