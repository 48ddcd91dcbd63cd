"""Parquet files (and folders of Parquet parts named ``*.parquet``) read with Arrow."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from salesforge.base.loader import Loader
from salesforge.data.arrow_frame import arrow_to_pandas
from salesforge.errors import DataError


class ParquetLoader(Loader):
    """Read a Parquet file with Arrow; column types come from the file."""

    extensions = (".parquet", ".pq")

    def _load(self, source: Path | str) -> pd.DataFrame:
        path = Path(source)  # a file: this loader has no URL schemes
        try:
            table = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
            raise DataError(f"data file {path} is not a readable Parquet file ({first}).") \
                from None
        return arrow_to_pandas(table)
