"""Money and unit columns: the lone measure of an aggregated file, and deriving the one
of quantity, price and revenue that a row or a file lacks from the other two."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from salesforge.errors import DataError

#: Parts of a column name that mark a key or a period, not an amount.
_NOT_MEASURES = ("id", "code", "kode", "no", "number", "nomor", "key", "year", "tahun",
                 "month", "bulan", "week", "minggu", "day", "hari", "zip", "postal", "row",
                 "index", "store", "dept")


def lone_measure(raw: pd.DataFrame, mapping: Mapping[str, str], source: str) -> str:
    """The one number column of a file that maps no revenue, quantity or price (e.g.
    ``ds, y`` or weekly sales per store); raises :class:`DataError` when there is none or
    several, saying how to name one."""
    used = set(mapping.values())
    candidates = [
        str(c) for c in raw.columns
        if c not in used and pd.api.types.is_numeric_dtype(raw[c])
        and not pd.api.types.is_bool_dtype(raw[c])
        and not set(_tokens(str(c))) & set(_NOT_MEASURES)
    ]
    columns = ", ".join(map(str, raw.columns))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise DataError(f"{source} has no numeric measure: no revenue, quantity or price column "
                        f"and no number column; name one with data.columns.revenue=<column> "
                        f"(columns: {columns}).")
    raise DataError(f"{source} has several number columns ({', '.join(candidates)}) and none "
                    "named like revenue, quantity or price; choose one with "
                    "data.columns.revenue=<column>.")


def _tokens(name: str) -> list[str]:
    """Words of a column name: ``"CustomerID"`` -> customer, id; ``"Row ID"`` -> row, id."""
    return [t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def derive(frame: pd.DataFrame, present: set[str]) -> dict[str, str]:
    """Fill quantity, price and revenue in place from each other; returns what was derived.

    Per row, a missing one of the three is computed from the other two (revenue = quantity
    x price, price = revenue / quantity, quantity = revenue / price). A file without a
    quantity column gets 1 per row when price is also missing; without price and revenue
    both, price and revenue stay empty (a units-only file).
    """
    notes: dict[str, str] = {}
    if "quantity" not in present:
        if {"revenue", "price"} <= present:
            frame["quantity"] = frame["revenue"] / frame["price"].where(frame["price"] != 0)
            notes["quantity"] = "revenue / price (no quantity column)"
        else:
            frame["quantity"] = np.ones(len(frame))
            notes["quantity"] = "1 per row (no quantity column)"
    if "revenue" not in present:
        frame["revenue"] = frame["quantity"] * frame["price"] if "price" in present \
            else np.full(len(frame), np.nan)
        notes["revenue"] = "quantity x price (no revenue column)" if "price" in present \
            else "none (no revenue or price column)"
    if "price" not in present:
        frame["price"] = frame["revenue"] / frame["quantity"].where(frame["quantity"] != 0)
        notes["price"] = "revenue / quantity (no price column)"
    return notes


def fill_from_others(frame: pd.DataFrame, present: set[str]) -> dict[str, int]:
    """Where a mapped measure is missing in a row but the other two are there, compute it;
    returns how many cells were filled per measure."""
    if not {"quantity", "price", "revenue"} <= set(frame.columns):
        return {}
    if not any(np.isnan(frame[m].to_numpy(float)).any() for m in present):
        return {}
    q, p, r = frame["quantity"], frame["price"], frame["revenue"]
    filled = {}
    rules = {"revenue": (r.isna() & q.notna() & p.notna(), lambda: q * p),
             "price": (p.isna() & r.notna() & q.notna() & (q != 0), lambda: r / q),
             "quantity": (q.isna() & r.notna() & p.notna() & (p != 0), lambda: r / p)}
    for measure, (mask, compute) in rules.items():
        if measure in present and mask.any():
            frame[measure] = frame[measure].mask(mask, compute())
            filled[measure] = int(mask.sum())
    return filled
