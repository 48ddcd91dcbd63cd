"""Arrow tables to pandas frames with the dtypes the cleaner expects, without copies where
Arrow allows: text stays Arrow-backed ``string``, dates become ``datetime64[ns]``."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_STRING = pd.StringDtype("pyarrow")
_TYPES = {pa.string(): _STRING, pa.large_string(): _STRING, pa.string_view(): _STRING}


def _normalised(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_date(kind) or (pa.types.is_timestamp(kind) and kind.tz is None
                                  and kind.unit != "ns"):
        return pc.cast(column, pa.timestamp("ns"))
    if pa.types.is_timestamp(kind) and kind.tz is not None:  # wall-clock time, zone dropped
        return pc.cast(pc.local_timestamp(column), pa.timestamp("ns"))
    if pa.types.is_null(kind):
        return column.cast(pa.large_string())
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    if pa.types.is_string(column.type):  # pandas' ``string`` holds large_string: cast here,
        return column.cast(pa.large_string())  # on this thread, not in to_pandas one by one
    return column


def normalised_table(table: pa.Table, parallel: bool = True) -> pa.Table:
    """``table`` with the column types :func:`arrow_to_pandas` keeps (text as
    ``large_string``, dates as ``timestamp[ns]``); columns already so are not copied.
    ``parallel=False`` casts on this thread (a small table)."""
    if not parallel:
        return pa.Table.from_arrays([_normalised(c) for c in table.columns],
                                    names=[str(n) for n in table.column_names])
    # Arrow's casts release the GIL: the columns are cast side by side (at 10 M rows the
    # four text columns' new offsets alone are 320 MB of fresh memory)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        columns = list(pool.map(_normalised, table.columns))
    return pa.Table.from_arrays(columns, names=[str(n) for n in table.column_names])


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as a frame: strings as Arrow-backed ``string``, dates and timestamps as
    naive ``datetime64[ns]``, numbers as numpy numbers (integers with nulls as float64)."""
    table = normalised_table(table)
    return table.to_pandas(types_mapper=_TYPES.get, self_destruct=True, split_blocks=True)
