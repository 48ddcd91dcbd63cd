"""Missing-value strategies per canonical column (``cleaner.missing.<column>``)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from salesforge.errors import ConfigError

#: Value given to a dimension the data does not have or leaves blank.
UNKNOWN = "Unknown"
NUMERIC_STRATEGIES = ("drop", "mean", "median", "mode", "zero", "ffill", "keep")
TEXT_STRATEGIES = ("drop", "mode", "ffill", "unknown", "keep")
#: What happens to a missing value when the config does not say.
DEFAULT_MISSING: dict[str, str] = {
    "date": "drop", "product": "drop", "category": "unknown", "region": "unknown",
    "quantity": "drop", "price": "drop", "revenue": "drop", "customer_id": "keep",
    "order_id": "keep", "discount": "zero", "cost": "keep",
}
_TEXT = ("product", "category", "region", "customer_id", "order_id")


def strategies(configured: Mapping[str, str] | None) -> dict[str, str]:
    """The defaults overridden by ``configured``; raises :class:`ConfigError` naming
    ``cleaner.missing.<column>`` for an unknown column or a strategy that does not fit."""
    chosen = dict(DEFAULT_MISSING)
    for column, strategy in (configured or {}).items():
        if strategy is None:
            continue
        if column not in DEFAULT_MISSING:
            raise ConfigError(f"config key cleaner.missing.{column} is not a canonical column "
                              f"(columns: {', '.join(DEFAULT_MISSING)}).")
        allowed = ("drop", "ffill") if column == "date" else \
            TEXT_STRATEGIES if column in _TEXT else NUMERIC_STRATEGIES
        if strategy not in allowed:
            raise ConfigError(f"config key cleaner.missing.{column}={strategy!r} is not a "
                              f"strategy for {column} (use one of {', '.join(allowed)}).")
        chosen[column] = str(strategy)
    return chosen


def fill(values: pd.Series, missing: pd.Series, strategy: str) -> pd.Series:
    """``values`` with the cells flagged by ``missing`` filled by ``strategy`` (``drop``
    and ``keep`` leave them; the caller rejects dropped rows)."""
    if strategy in ("drop", "keep") or not missing.any():
        return values
    present = values[~missing]
    if strategy == "ffill":
        return values.mask(missing).ffill()
    value: object
    if strategy == "unknown":
        value = UNKNOWN
    elif strategy == "zero":
        value = 0.0
    elif strategy == "mean":
        value = present.mean()
    elif strategy == "median":
        value = present.median()
    else:  # mode: the most frequent value, the smallest on ties
        counts = present.value_counts()
        value = counts.index[0] if len(counts) else None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return values
    return values.mask(missing, value)
