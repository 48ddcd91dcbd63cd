"""Text columns tidied through their distinct values: stripped, blanks found, and kept as
categoricals whose integer codes (equal codes = equal text) also give cheap duplicate
signatures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesforge.data.encoding import sorted_dictionary

STRING = pd.StringDtype("pyarrow")


def tidy_categories(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``(categorical, codes, blank)``: ``values`` with surrounding spaces removed, as a
    categorical whose categories are the distinct stripped texts in code-point order (the
    order :func:`salesforge.data.encoding.as_category` gives), its codes as ``int32`` (-1
    for missing; equal codes = equal text) and a mask of missing or blank cells.

    Only the distinct values are stripped and sorted, and the rows stay integer codes from
    here on: filtering and sorting the frame move a byte or two per row instead of the text.
    Every distinct value of ``values`` is a category, also one whose rows are later dropped:
    :func:`salesforge.data.encoding.without_unused` takes those out."""
    array = pa.chunked_array(pa.array(values.astype(STRING).array))
    encoded = pc.dictionary_encode(array).unify_dictionaries()
    dictionary = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.string())
    indices = np.concatenate([pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False)
                              for c in encoded.chunks]).astype(np.int32, copy=False) \
        if encoded.num_chunks else np.zeros(0, dtype=np.int32)
    stripped = pc.dictionary_encode(pc.utf8_trim_whitespace(dictionary))
    # " a" and "a" are one value once stripped
    rank, dtype = sorted_dictionary(stripped.dictionary)
    value_codes = np.append(rank[stripped.indices.to_numpy(zero_copy_only=False)], -1)
    codes = value_codes[indices].astype(np.int32, copy=False)  # -1 indexes the appended -1
    empty = np.append(dtype.categories.str.len().to_numpy() == 0, True)
    blank = empty[codes]
    text = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index,
                     name=values.name)
    return text, codes, blank


def with_category(values: pd.Series, value: str) -> pd.Series:
    """The categorical ``values`` with ``value`` among its categories, kept in code-point
    order (a fill value such as ``Unknown`` can then be written into it)."""
    categories = values.cat.categories
    if value in categories:
        return values
    ordered = sorted([*categories.tolist(), value])
    return values.cat.set_categories(pd.Index(ordered, dtype=categories.dtype))
