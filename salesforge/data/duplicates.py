"""Duplicate rows found with a cheap 64-bit row signature and confirmed exactly.

Hashing every string of every row (``DataFrame.duplicated``) costs seconds per million
rows. Instead each row gets a signature from its numbers, dates, text codes or lengths
(all available without hashing the text); the signatures are sorted, and only rows whose
signature repeats are compared in full, so the exact check runs on a handful of rows in
typical sales data and is skipped when no signature repeats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Rows whose signature is made at a time.
CHUNK_ROWS = 1 << 20
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LENGTH = np.uint64(0xC2B2AE3D27D4EB4F)


def _column_signature(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(values):
        text = pa.chunked_array(pa.array(values.astype(pd.StringDtype("pyarrow")).array))
        lengths = pc.fill_null(pc.binary_length(text), -1).to_numpy().astype("uint64")
        return _last_eight_bytes(text) ^ (lengths * _LENGTH)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy("int64").view("uint64")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy("datetime64[ns]").view("uint64")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(bool, na_value=False).view("uint8").astype("uint64")
    if pd.api.types.is_integer_dtype(values) and values.dtype.kind in "iu":
        return values.to_numpy().view("uint64")
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy("float64", na_value=np.nan) + 0.0  # -0.0 becomes 0.0
        missing = np.isnan(numbers)
        if missing.any():
            numbers[missing] = np.nan  # one bit pattern for every NaN
        return numbers.view("uint64")
    return pd.util.hash_pandas_object(values, index=False).to_numpy()


def _last_eight_bytes(text: pa.ChunkedArray) -> np.ndarray:
    """The last (up to) 8 bytes of each value read as a little-endian integer, so
    ``int.from_bytes(value.encode()[-8:], "little")``: ids such as ``SO-00000001`` differ
    there. Missing and empty values give 0. One gather per chunk, no copy of the text."""
    parts = []
    for chunk in text.chunks:
        chunk = chunk.cast(pa.large_binary()) if pa.types.is_large_string(chunk.type) \
            else chunk.cast(pa.binary())
        width: type[np.signedinteger[Any]] = np.int64 if pa.types.is_large_binary(chunk.type) \
            else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[
            chunk.offset: chunk.offset + len(chunk) + 1]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8) if chunk.buffers()[2] \
            else np.zeros(0, dtype=np.uint8)
        ends, lengths = offsets[1:], np.diff(offsets)
        if len(data) >= 8 and len(chunk) and lengths.min() >= 8:  # the common case: ids
            words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
            parts.append(words[ends - 8])
            continue
        out = np.zeros(len(chunk), dtype=np.uint64)
        ready = ends >= 8
        if len(data) >= 8 and ready.any():
            # every byte position read as the start of a little-endian uint64 (a view)
            words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
            raw = words[ends[ready] - 8]
            short = np.clip(8 - lengths[ready], 0, 8).astype(np.uint64) * np.uint64(8)
            shifted = np.where(short >= 64, np.uint64(0), raw >> np.minimum(short, 63))
            out[ready] = shifted
        for row in np.flatnonzero(~ready):  # values in the first 8 bytes of the buffer
            value = bytes(data[offsets[row]: ends[row]])
            out[row] = int.from_bytes(value[-8:], "little")
        parts.append(out)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def duplicate_mask(frame: pd.DataFrame, columns: Sequence[str],
                   codes: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """True for each row equal, on ``columns``, to an earlier row (the first is kept).

    :param codes: integer codes already known for some columns (equal codes = equal
        values), used in their signature instead of the text.
    """
    if not len(frame) or not columns:
        return np.zeros(len(frame), dtype=bool)
    codes = codes or {}
    mask = np.zeros(len(frame), dtype=bool)
    # Free-text columns (ids, invoice numbers) first: when they alone never repeat, no
    # row can repeat and the other columns are not looked at.
    text = [c for c in columns if c not in codes and pd.api.types.is_string_dtype(frame[c])]
    rest = [c for c in columns if c not in text]
    signature = np.zeros(len(frame), dtype=np.uint64)
    ordered = np.empty(len(frame), dtype=np.uint64)
    for group in ([text, rest] if text and rest else [list(columns)]):
        for rows in _chunks(len(frame)):
            part = signature[rows]  # a view: the running signature of these rows
            with np.errstate(over="ignore"):
                for column in group:
                    part *= _MIX
                    part += codes[column][rows].astype(np.uint64) if column in codes \
                        else _column_signature(frame[column].iloc[rows])
            _mixed(part, out=ordered[rows])
        ordered.sort()
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(repeated):
            return mask
    del ordered
    repeated = np.unique(repeated)
    candidates = np.zeros(len(frame), dtype=bool)
    for rows in _chunks(len(frame)):
        candidates[rows] = np.isin(_mixed(signature[rows]), repeated)
    subset = frame.loc[candidates, list(columns)]
    mask[np.flatnonzero(candidates)] = subset.duplicated(keep="first").to_numpy()
    return mask


def _chunks(rows: int) -> list[slice]:
    """Row ranges of :data:`CHUNK_ROWS`: every temporary array of one range stays a few
    MB, below glibc's ``mmap`` threshold, so the next range reuses its memory (arrays of
    all rows were fresh pages each; at 10 M rows that made this step 16x its 2 M time)."""
    return [slice(start, min(start + CHUNK_ROWS, rows)) for start in range(0, rows, CHUNK_ROWS)]


def _mixed(signature: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The signature's high bits folded into its low ones (what is sorted and compared)."""
    return np.bitwise_xor(signature, signature >> np.uint64(29), out=out)
