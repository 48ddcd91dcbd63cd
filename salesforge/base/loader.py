"""Loaders read one data source into a raw frame, every source column kept as read."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

import pandas as pd

from salesforge.base.component import Component
from salesforge.errors import DataError


class Loader(Component):
    """Read a file into a :class:`pandas.DataFrame`.

    Subclasses set ``extensions`` (lower-case suffixes such as ``(".csv", ".csv.gz")``)
    and write ``_load``. The public :meth:`load` checks the file exists and is not empty.
    """

    extensions: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def handles(cls, path: str | Path) -> bool:
        """Whether this loader reads files named like ``path``."""
        name = Path(path).name.lower()
        return any(name.endswith(ext) for ext in cls.extensions)

    def load(self, path: str | Path) -> pd.DataFrame:
        """The file's rows with every column; raises :class:`DataError` naming the file."""
        path = Path(path)
        if not path.exists():
            raise DataError(f"data file {path} does not exist; set data.path to an existing file.")
        if path.is_dir():
            raise DataError(f"data path {path} is a folder; set data.path to a file.")
        frame = self._load(path)
        if frame.shape[1] == 0 or frame.empty:
            raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")
        return frame

    @abstractmethod
    def _load(self, path: Path) -> pd.DataFrame:
        """Read ``path``; the file exists."""
