"""Returns and cancellations: flagged by the cleaner, netted or dropped as configured."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError

HANDLING = ("net", "drop")


def check_handling(value: str) -> str:
    """``value`` if it is a known handling, else a :class:`ConfigError` naming the key."""
    if value not in HANDLING:
        raise ConfigError(f"config key cleaner.returns={value!r} must be net (returns stay in "
                          "the clean data and reduce totals) or drop (returns go to "
                          "rejected.csv).")
    return value


def return_mask(quantity: pd.Series, order_id: pd.Series | None,
                prefixes: Sequence[str]) -> np.ndarray:
    """True for a return or cancellation: negative quantity, or an order id made of a
    cancellation prefix followed by a digit (``C536379``; ``CA-2019-1`` is not one)."""
    mask = (quantity.to_numpy(float, na_value=np.nan) < 0)
    if order_id is not None and prefixes:
        ids = order_id.astype(pd.StringDtype("pyarrow"))
        for prefix in prefixes:
            starts = ids.str.startswith(str(prefix)).fillna(False).to_numpy(bool)
            if starts.any():  # the regex runs only on the few ids with the prefix
                digit = ids[starts].str.match(rf"{re.escape(str(prefix))}\d")
                starts[starts] = digit.fillna(False).to_numpy(bool)
                mask |= starts
    return mask


def sales_only(clean: pd.DataFrame) -> pd.DataFrame:
    """The rows that are not returns (all rows when there is no ``is_return`` column)."""
    if "is_return" not in clean.columns:
        return clean
    return clean.loc[~clean["is_return"].to_numpy(bool)]
