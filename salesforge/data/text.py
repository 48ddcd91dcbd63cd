"""Text columns tidied through their distinct values: stripped, blanks found, and integer
codes kept (equal codes = equal text) for cheap duplicate signatures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")


def tidy_text(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``(text, codes, blank)``: ``values`` as Arrow-backed ``string`` with surrounding
    spaces removed, a code per row (-1 for missing), and a mask of missing or blank cells.
    Only the distinct values are stripped; when none changes the input is reused."""
    array = pa.chunked_array(pa.array(values.astype(STRING).array))
    encoded = pc.dictionary_encode(array).unify_dictionaries()
    dictionary = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.string())
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32()) \
        if encoded.num_chunks else pa.chunked_array([], pa.int32())
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int32)
    stripped = pc.utf8_trim_whitespace(dictionary)
    empty = pc.equal(pc.binary_length(stripped), 0).to_numpy(zero_copy_only=False)
    blank = codes < 0
    if empty.any():
        blank |= np.append(empty, False)[codes]
    if pc.all(pc.equal(stripped, dictionary)).as_py() in (True, None):
        text = pd.Series(pd.arrays.ArrowStringArray(array), index=values.index)
    else:
        taken = pc.take(stripped, indices)
        text = pd.Series(pd.arrays.ArrowStringArray(taken), index=values.index)
        merged, _ = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(stripped)))
        known = codes >= 0  # " a" and "a" are one value once stripped: one code
        codes[known] = merged[codes[known]]
    return text, codes, blank
