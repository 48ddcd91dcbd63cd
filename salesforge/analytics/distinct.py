"""Distinct counts per group on integer codes, without hashing text more than once.

``orders`` is the number of distinct order ids per group. ``groupby(...).nunique()`` on
the text hashes every id again for each table; here the ids are checked once:

* when no two sales lines share an order id (one order per line, common in line-level
  exports), the orders of a group are its lines with an id: a count per group code;
* otherwise the ids get integer codes once, and each table counts its distinct
  ``(group, order)`` pairs with one hash pass over integers.

Whether the ids are all distinct is decided without hashing the text: ids in strictly
increasing order (numbered in date order, as most exports are) are distinct; otherwise a
64-bit fingerprint of each text (its length and first and last eight bytes, read straight
from the Arrow buffers) is sorted: equal texts have equal fingerprints, so distinct
fingerprints prove distinct ids, and a repeated fingerprint (a repeated id or, rarely, two
ids alike in those bytes) takes the exact path. A categorical's codes are counted directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
        np.uint64(0x165667B19E3779F9))


def _chunk_fingerprint(chunk: pa.Array) -> np.ndarray:
    width: type[np.signedinteger[Any]]
    if pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type):
        width = np.int64
    else:
        width = np.int32
    _, offsets_buffer, data_buffer = chunk.buffers()[:3]
    offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset:
                                                         chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None \
        else np.zeros(0, dtype=np.uint8)
    padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])  # 8-byte reads stay inside
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    short = np.minimum(lengths, 8)
    # the first min(length, 8) bytes; for texts of 8 bytes or more also the last 8
    keep = np.where(short >= 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                    (np.uint64(1) << (short.astype(np.uint64) * np.uint64(8))) - np.uint64(1))
    first = words[np.minimum(starts, len(words) - 1)] & keep
    last = np.where(lengths >= 8, words[np.clip(starts + lengths - 8, 0, len(words) - 1)],
                    first)
    with np.errstate(over="ignore"):
        mixed = first * _MIX[0] + (last ^ (last >> np.uint64(29))) * _MIX[1] \
            + lengths.astype(np.uint64) * _MIX[2]
    return mixed ^ (mixed >> np.uint64(31))


def text_array(values: pd.Series) -> pa.ChunkedArray:
    """``values`` as an Arrow string array (no copy when they are Arrow-backed text)."""
    return pa.chunked_array(pa.array(values.astype(STRING).array))


def fingerprint(array: pa.ChunkedArray) -> np.ndarray:
    """A 64-bit fingerprint per text of ``array`` (equal texts, equal fingerprints); the
    value of a missing text is arbitrary, so leave missing values out before comparing."""
    parts = [_chunk_fingerprint(chunk) for chunk in array.chunks if len(chunk)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def all_distinct(values: pd.Series, rows: np.ndarray) -> bool:
    """True when the ``rows`` (a boolean mask, missing values already left out) of
    ``values`` are pairwise different; False when some repeat or may repeat.

    Text in strictly increasing order (ids numbered in date order) is distinct without
    a sort; other text is compared on sorted fingerprints."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        counts = np.bincount(values.cat.codes.to_numpy()[rows],
                             minlength=len(values.cat.categories))
        return bool(counts.max(initial=0) <= 1)
    if not isinstance(values.dtype, pd.StringDtype):
        signs = np.sort(pd.util.hash_array(values.to_numpy()[rows]).view(np.int64))
        return not bool((signs[1:] == signs[:-1]).any())
    array = text_array(values)
    if not rows.all():
        array = array.filter(pa.array(rows))
    if len(array) < 2 or pc.all(pc.less(array[:-1], array[1:])).as_py():
        return True
    signs = np.sort(fingerprint(array).view(np.int64))
    return not bool((signs[1:] == signs[:-1]).any())


def codes_of(values: pd.Series) -> tuple[np.ndarray, int]:
    """(integer code per row, -1 for missing; number of codes) - equal codes for equal
    values. A categorical's own codes; other values are factorised once here."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), len(values.cat.categories)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def distinct_per_group(groups: np.ndarray, ngroups: int, items: np.ndarray,
                       nitems: int) -> np.ndarray:
    """Distinct ``items`` codes per ``groups`` code (both integer arrays over the same rows,
    no missing codes), as an array of ``ngroups`` counts."""
    if not len(groups):
        return np.zeros(ngroups, dtype=np.int64)
    pairs = pd.unique(groups * np.int64(max(nitems, 1)) + items)
    return np.bincount(pairs // np.int64(max(nitems, 1)), minlength=ngroups)
