"""Text columns encoded once: pandas ``category`` columns with sorted text categories.

The cleaner encodes the grouping columns of the clean frame here, once, so later stages
group and count on integer codes instead of hashing the same strings again, and
``clean.parquet`` keeps the dictionary encoding. Categories are the distinct values in
sorted (code point) order, so sorting by the codes gives the same order as sorting the
text, and every category occurs in the frame (no empty groups).

Identifier-like text (an order id per line, a free-text note) gains nothing from a
dictionary of nearly as many values as rows, while its Parquet file reads several times
slower; such a column stays text (see :func:`is_dimension_like`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")
#: A text column becomes a category when it has at most this many distinct values per row.
MAX_DISTINCT_SHARE = 0.25
#: Rows whose distinct values are counted first: a column already past
#: :data:`MAX_DISTINCT_SHARE` there is taken for an identifier without a full count.
PROBE_ROWS = 100_000


def _dictionary(values: pd.Series) -> pa.DictionaryArray:
    array = pa.chunked_array(pa.array(values.astype(STRING).array))
    if array.num_chunks == 0:
        array = pa.chunked_array([pa.array([], pa.string())])
    return pc.dictionary_encode(array).unify_dictionaries().combine_chunks()


def sorted_dictionary(dictionary: pa.Array) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """``(rank, dtype)`` of an Arrow dictionary of distinct texts: ``rank[i]`` is entry
    ``i``'s position in code-point order (``int32``), and ``dtype`` the categorical dtype
    whose categories are the entries in that order."""
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    categories = pc.take(dictionary, pa.array(order, pa.int64()))
    return rank, pd.CategoricalDtype(pd.Index(pd.arrays.ArrowStringArray(categories)))


def as_category(values: pd.Series, encoded: pa.DictionaryArray | None = None) -> pd.Series:
    """``values`` (text) as a categorical whose categories are its distinct values, sorted;
    missing values stay missing. ``encoded`` is its Arrow dictionary encoding, if known."""
    encoded = _dictionary(values) if encoded is None else encoded
    rank, dtype = sorted_dictionary(encoded.dictionary)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    codes = np.where(indices >= 0, rank[np.maximum(indices, 0)], -1) if len(rank) \
        else np.full(len(indices), -1, dtype=np.int32)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index,
                     name=values.name)


def without_unused(values: pd.Series) -> pd.Series:
    """The categorical ``values`` without the categories none of its rows has (rows dropped
    after it was encoded), so that every category occurs in the frame."""
    codes = values.cat.codes.to_numpy()
    used = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)) > 0
    return values if used.all() else values.cat.remove_unused_categories()


def is_dimension_like(values: pd.Series) -> pa.DictionaryArray | None:
    """The Arrow dictionary encoding of ``values`` when it has at most
    :data:`MAX_DISTINCT_SHARE` distinct values per row, else ``None`` (identifier-like)."""
    rows = len(values)
    if rows > PROBE_ROWS:
        probe = _dictionary(values.iloc[:PROBE_ROWS])
        if len(probe.dictionary) > MAX_DISTINCT_SHARE * PROBE_ROWS:
            return None
    encoded = _dictionary(values)
    return encoded if len(encoded.dictionary) <= MAX_DISTINCT_SHARE * rows else None


def is_text(values: pd.Series) -> bool:
    """True for a pandas text column (``string`` or ``str``), not yet a category."""
    return isinstance(values.dtype, pd.StringDtype)


def encode_columns(frame: pd.DataFrame, always: tuple[str, ...],
                   candidates: tuple[str, ...]) -> dict[str, pd.Series]:
    """Categorical versions of ``frame``'s text columns: every one named in ``always``, and
    those in ``candidates`` that are dimension-like (:func:`is_dimension_like`)."""
    named = [c for c in always if c in frame.columns and is_text(frame[c])]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        # Arrow's kernels release the GIL: the columns encode side by side
        out = dict(zip(named, pool.map(lambda c: as_category(frame[c]), named), strict=True))
    for column in candidates:
        if column in frame.columns and column not in out and is_text(frame[column]):
            encoded = is_dimension_like(frame[column])
            if encoded is not None:
                out[column] = as_category(frame[column], encoded)
    return out
