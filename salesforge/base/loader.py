"""Loaders read one data source into a raw frame, every source column kept as read."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

import pandas as pd

from salesforge.base.component import Component
from salesforge.data.input_limits import InputLimits
from salesforge.errors import DataError


def is_url(source: str | Path) -> bool:
    """Whether ``source`` is a URL such as ``sqlite:///sales.db`` rather than a file path."""
    return isinstance(source, str) and "://" in source


class Loader(Component):
    """Read a file (or, for loaders with ``schemes``, a URL) into a :class:`pandas.DataFrame`.

    Subclasses set ``extensions`` (lower-case suffixes such as ``(".csv", ".csv.gz")``),
    optionally ``schemes`` (URL schemes such as ``("sqlite", "postgresql")``) and write
    ``_load``. The public :meth:`load` checks the file exists and the result is not empty.
    """

    extensions: ClassVar[tuple[str, ...]] = ()
    schemes: ClassVar[tuple[str, ...]] = ()
    #: Set by the load stage before :meth:`load` when :meth:`checks_while_reading` answers
    #: true for the source: the ``data.limits`` to enforce while reading it.
    input_limits: InputLimits | None = None

    def checks_while_reading(self, source: str | Path) -> bool:
        """Whether this loader enforces :attr:`input_limits` itself while it reads
        ``source`` (the load stage then skips its own pass over the file, so a compressed
        file is decompressed once). Default: no."""
        return False

    @classmethod
    def handles(cls, source: str | Path) -> bool:
        """Whether this loader reads ``source`` (by file extension or URL scheme)."""
        if is_url(source):
            scheme = str(source).split("://", 1)[0].split("+", 1)[0].lower()
            return scheme in cls.schemes
        name = Path(source).name.lower()
        return any(name.endswith(ext) for ext in cls.extensions)

    def load(self, source: str | Path) -> pd.DataFrame:
        """The source's rows with every column; raises :class:`DataError` naming it."""
        if not is_url(source):
            source = Path(source)
            if not source.exists():
                raise DataError(f"data file {source} does not exist; set data.path to an "
                                "existing file.")
            if source.is_dir():
                raise DataError(f"data path {source} is a folder; set data.path to a file.")
        frame = self._load(source)
        if frame.shape[1] == 0 or frame.empty:
            raise DataError(f"data file {source} is empty (no rows); give a file with sales rows.")
        return frame

    @abstractmethod
    def _load(self, source: Path | str) -> pd.DataFrame:
        """Read ``source``: an existing file's path, or a URL for loaders with ``schemes``."""
