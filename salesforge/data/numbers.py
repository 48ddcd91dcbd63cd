"""Numbers written as text: thousands separators, decimal commas (``1.234.567,89``),
currency text (``Rp 15.000``, ``$1,200.50``, ``IDR 2.500``), percent signs and accounting
negatives (``(1,200)``). Parsed once per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd

STRING = pd.StringDtype("pyarrow")
_WORDS = r"(?i)[a-z]{2,}\.?"  # currency words and codes: Rp, Rp., IDR, USD, EUR
_SYMBOLS = r"[^0-9,.\-+eE%()]"
_RUPIAH = r"(?i)\b(?:rp|idr)\b"


def parse_numbers(values: pd.Series, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """``(numbers, failed)``: ``values`` as float64 (NaN where missing or not a number) and
    a mask of cells that held text that is not a number.

    :param decimal: ``"."`` or ``","`` forces the decimal mark; ``None`` decides from the
        column (a value such as ``15.000,50`` or ``1.234.567`` means decimal comma; currency
        text in rupiah means ``.`` groups thousands).
    """
    if pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        return numbers, pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
        return numbers, pd.Series(False, index=values.index)
    codes, uniques = pd.factorize(values.astype(STRING), use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=STRING).str.strip()
    parsed = _parse_distinct(distinct, decimal).to_numpy(float)
    known = codes >= 0
    out = np.full(len(codes), np.nan)
    out[known] = parsed[codes[known]]
    blank = np.zeros(len(codes), dtype=bool)
    blank[known] = (distinct == "").to_numpy(bool)[codes[known]]
    failed = known & ~blank & np.isnan(out)
    return pd.Series(out, index=values.index), pd.Series(failed, index=values.index)


def decimal_mark(text: pd.Series, raw: pd.Series | None = None) -> str:
    """``","`` when the column's values (``text``: digits and marks only) show a decimal
    comma, else ``"."``; with no evidence either way, rupiah amounts in ``raw`` mean ``","``."""
    comma_last = text.str.contains(r"\.\d{3},\d*$|^[^.]*,\d{1,2}$|^[^.]*,\d{4,}$", regex=True)
    dot_groups = text.str.contains(r"\d\.\d{3}\.\d{3}", regex=True)
    dot_last = text.str.contains(r",\d{3}\.\d*$|^[^,]*\.\d{1,2}$|^[^,]*\.\d{4,}$", regex=True)
    comma_groups = text.str.contains(r"\d,\d{3},\d{3}", regex=True)
    comma = int(comma_last.sum()) + int(dot_groups.sum())
    dot = int(dot_last.sum()) + int(comma_groups.sum())
    if comma != dot:
        return "," if comma > dot else "."
    rupiah = raw is not None and bool(raw.str.contains(_RUPIAH, regex=True).any())
    return "," if rupiah else "."


def _parse_distinct(text: pd.Series, decimal: str | None) -> pd.Series:
    percent = text.str.endswith("%").fillna(False).to_numpy(bool)
    bracketed = text.str.fullmatch(r"\(.*\)").fillna(False).to_numpy(bool)
    bare = text.str.replace(_WORDS, "", regex=True).str.replace(_SYMBOLS, "", regex=True)
    bare = bare.str.replace(r"[%()]", "", regex=True)
    mark = decimal or decimal_mark(bare, text)
    if mark == ",":
        bare = bare.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        bare = bare.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(bare.astype(object), errors="coerce").astype("float64").to_numpy()
    numbers = np.where(percent, numbers / 100.0, numbers)
    numbers = np.where(bracketed, -np.abs(numbers), numbers)
    return pd.Series(numbers, index=text.index)
