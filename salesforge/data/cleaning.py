"""The standard cleaner: canonical columns, typed values, bad rows set aside with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.cleaner import Cleaner, CleanResult
from salesforge.data.columns import map_columns
from salesforge.errors import DataError
from salesforge.schema import CANONICAL_COLUMNS, DIMENSIONS, MEASURES

#: Value given to a dimension the data does not have (e.g. no region column).
UNKNOWN = "Unknown"


@dataclass
class StandardCleanerConfig:
    """Settings of the ``standard`` cleaner (``cleaner.*``)."""

    #: Parse ambiguous dates day-first (True), month-first (False) or decide from the data.
    dayfirst: bool | None = None
    #: Drop exact duplicate rows (counted in ``manifest.data.rows_duplicate``).
    drop_duplicates: bool = True
    #: Reject rows whose quantity is zero or negative (returns, cancellations).
    reject_non_positive: bool = True


class StandardCleaner(Cleaner):
    """Map columns, parse dates and numbers, derive revenue or price, reject bad rows."""

    def __init__(self, dayfirst: bool | None = None, drop_duplicates: bool = True,
                 reject_non_positive: bool = True) -> None:
        self.dayfirst = dayfirst
        self.drop_duplicates = drop_duplicates
        self.reject_non_positive = reject_non_positive

    def _clean(self, raw: pd.DataFrame, columns: dict[str, str], source: str) -> CleanResult:
        mapping = map_columns(raw.columns, columns, source)
        if "date" not in mapping:
            raise DataError(
                f"{source} has no date column; name it with data.columns.date=<column> "
                f"(columns: {', '.join(map(str, raw.columns))})."
            )
        if "revenue" not in mapping and not {"quantity", "price"} <= set(mapping):
            raise DataError(
                f"{source} has neither a revenue column nor quantity and price columns; name "
                f"them with data.columns.revenue=<column> (columns: "
                f"{', '.join(map(str, raw.columns))})."
            )
        frame = raw.rename(columns={src: canon for canon, src in mapping.items()})
        frame = frame.loc[:, ~frame.columns.duplicated()]
        reasons = pd.Series(pd.NA, index=frame.index, dtype="string")

        def reject(mask: pd.Series, why: str) -> None:
            reasons[mask.fillna(False).to_numpy(bool) & reasons.isna().to_numpy()] = why

        date = self._parse_dates(frame["date"])
        reject(date.isna(), f"date is missing or not a date (column {mapping['date']})")
        frame["date"] = date

        for measure in MEASURES:
            if measure in mapping:
                values = pd.to_numeric(frame[measure], errors="coerce").astype("float64")
                reject(values.isna(), f"{measure} is missing or not a number "
                                      f"(column {mapping[measure]})")
                frame[measure] = values
        for optional in ("discount", "cost"):
            if optional in mapping:
                frame[optional] = pd.to_numeric(frame[optional], errors="coerce")
        if "quantity" not in frame:
            frame["quantity"] = 1.0
        if "revenue" not in frame:
            frame["revenue"] = frame["quantity"] * frame["price"]
        if "price" not in frame:
            frame["price"] = frame["revenue"] / frame["quantity"].where(frame["quantity"] != 0)
        if self.reject_non_positive:
            reject(frame["quantity"] <= 0, "quantity is zero or negative (return or cancellation)")
            reject(frame["price"] < 0, "price is negative")

        for dimension in DIMENSIONS:
            if dimension in mapping:
                values = frame[dimension].astype("string").str.strip()
                if dimension == "product":
                    reject(values.isna() | (values == ""),
                           f"product is missing (column {mapping['product']})")
                frame[dimension] = values.fillna(UNKNOWN).replace("", UNKNOWN)
            else:
                frame[dimension] = pd.Series(UNKNOWN, index=frame.index, dtype="string")
        for key in ("customer_id", "order_id"):
            if key in mapping:
                frame[key] = frame[key].astype("string")

        frame.insert(0, "source_row", np.arange(1, len(frame) + 1))
        bad = reasons.notna().to_numpy()
        rejected = raw.loc[bad].copy()
        rejected.insert(0, "source_row", frame.loc[bad, "source_row"].to_numpy())
        rejected["reason"] = reasons[bad].to_numpy()
        good = frame.loc[~bad]

        duplicates = 0
        if self.drop_duplicates:
            dup = good.drop(columns="source_row").duplicated(keep="first").to_numpy()
            duplicates = int(dup.sum())
            good = good.loc[~dup]
        ordered = [c for c in CANONICAL_COLUMNS if c in good.columns]
        rest = [c for c in good.columns if c not in ordered]
        clean = good[ordered + rest].sort_values("date", kind="stable").reset_index(drop=True)
        return CleanResult(clean, rejected.reset_index(drop=True), duplicates, mapping)

    def _parse_dates(self, values: pd.Series) -> pd.Series:
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.astype("datetime64[ns]")
        text = values.astype("string").str.strip()
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        if parsed.isna().mean() > 0.5:
            orders = [self.dayfirst] if self.dayfirst is not None else [False, True]
            candidates = [pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=first)
                          for first in orders]
            parsed = min(candidates, key=lambda c: int(c.isna().sum()))
        return parsed.astype("datetime64[ns]")
