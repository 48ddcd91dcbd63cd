"""The standard cleaner: canonical columns, typed values, bad rows set aside with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from salesforge.base.cleaner import Cleaner, CleanResult
from salesforge.data.columns import map_columns
from salesforge.errors import DataError
from salesforge.schema import CANONICAL_COLUMNS, DIMENSIONS, MEASURES

#: Value given to a dimension the data does not have (e.g. no region column).
UNKNOWN = "Unknown"


@dataclass
class StandardCleanerConfig:
    """Settings of the ``standard`` cleaner (``cleaner.*``)."""

    #: Parse dd/mm dates day-first (True), month-first (False) or decide from the data;
    #: the run sets it from ``data.dayfirst``.
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
        taken = set(mapping)  # unmapped columns named like a canonical one keep their data
        renames = {c: f"{c}_source" for c in raw.columns if c in taken and mapping.get(c) != c}
        renames.update({src: canon for canon, src in mapping.items()})
        frame = raw.rename(columns=renames)
        reasons = pd.Series(pd.NA, index=frame.index, dtype="string")

        def reject(mask: pd.Series, why: str) -> None:
            reasons[mask.fillna(False).to_numpy(bool) & reasons.isna().to_numpy()] = why

        date = self._parse_dates(frame["date"], f"column {mapping['date']} of {source}")
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
                frame[key] = identifiers(frame[key])

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

    def _parse_dates(self, values: pd.Series, where: str) -> pd.Series:
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.astype("datetime64[ns]")
        if pd.api.types.is_numeric_dtype(values):  # Excel serial day numbers
            return (pd.Timestamp("1899-12-30") + pd.to_timedelta(values, unit="D")).astype(
                "datetime64[ns]")
        text = values.astype("string").str.strip()
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        if parsed.isna().mean() <= 0.5:
            return parsed.astype("datetime64[ns]")
        dayfirst = self.dayfirst if self.dayfirst is not None else day_first(text, where)
        sample = text.dropna()
        fmt = guess_datetime_format(sample.iloc[0], dayfirst=bool(dayfirst)) if len(sample) \
            else None
        parsed = pd.to_datetime(text, errors="coerce", format=fmt) if fmt else None
        if parsed is None or parsed.isna().sum() > text.isna().sum():
            parsed = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=bool(dayfirst))
        return parsed.astype("datetime64[ns]")


def identifiers(values: pd.Series) -> pd.Series:
    """Ids as text; whole floats (integers read with gaps, e.g. 12621.0) lose the ``.0``."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole == np.floor(whole)).all():
            return values.astype("Int64").astype("string")
    return values.astype("string")


_NUMERIC_DATE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})"


def day_first(text: pd.Series, where: str) -> bool:
    """Whether dd/mm dates are day-first, decided from the values: a first number above 12
    means day-first, a second number above 12 month-first. Raises :class:`DataError` when
    every value could be either (set ``data.dayfirst``)."""
    parts = text.str.extract(_NUMERIC_DATE)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    if first.isna().all():
        return False  # not a numeric day/month date: parsed by its words
    first_big, second_big = bool((first > 12).any()), bool((second > 12).any())
    if first_big != second_big:
        return first_big
    if first_big:
        raise DataError(f"dates in {where} mix day-first and month-first values; set "
                        "data.dayfirst=true or data.dayfirst=false.")
    raise DataError(
        f"dates in {where} are ambiguous: every day and month is 12 or less, so 03/04 could "
        "be 3 April or 4 March; set data.dayfirst=true (day first) or data.dayfirst=false."
    )
