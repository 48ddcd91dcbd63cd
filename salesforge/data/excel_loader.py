"""Excel workbooks: ``.xlsx``/``.xlsm`` (openpyxl) and legacy ``.xls`` (xlrd)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pandas as pd

from salesforge.base.loader import Loader
from salesforge.data.columns import map_columns
from salesforge.errors import ConfigError, DataError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_PROBE_ROWS = 50


@dataclass
class ExcelLoaderConfig:
    """Settings of the ``excel`` loader (``data.options.*``)."""

    #: Sheet name or 0-based position; ``None`` takes the first sheet with a date column.
    sheet: str | int | None = None


@dataclass(eq=False)
class ExcelLoader(Loader, ExcelLoaderConfig):
    """Read one sheet of a workbook: the one named by ``sheet``, else the first sheet
    that has a date column (a date-typed column or a date-like header), else the first."""

    extensions = (".xlsx", ".xlsm", ".xls")

    def _load(self, source: Path | str) -> pd.DataFrame:
        path = Path(source)  # a file: this loader has no URL schemes
        with open(path, "rb") as handle:
            start = handle.read(8)
        ole = start == _OLE
        if ole and _ENCRYPTED in path.read_bytes():
            raise DataError(f"Excel file {path} is password-protected; save it without a "
                            "password (File > Info > Protect Workbook) and run again.")
        engine = ("calamine" if find_spec("python_calamine") else "xlrd") if ole else "openpyxl"
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
                book = pd.ExcelFile(path, engine=engine)
        except ImportError:
            raise DataError(f"Excel file {path} needs the {engine} package to be read; "
                            f"install it with pip install {engine}.") from None
        except Exception as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "encrypt" in text.lower():
                raise DataError(f"Excel file {path} is password-protected; save it without a "
                                "password and run again.") from None
            raise DataError(f"Excel file {path} is corrupt or not an Excel workbook ({text}); "
                            "open and re-save it in Excel, or export it as CSV.") from None
        with book:
            sheet = self._choose(book, path)
            return pd.read_excel(book, sheet_name=sheet)

    def _choose(self, book: pd.ExcelFile, path: Path) -> str | int:
        names = list(book.sheet_names)
        if self.sheet is not None:
            if isinstance(self.sheet, int) and 0 <= self.sheet < len(names):
                return names[self.sheet]
            if self.sheet in names:
                return self.sheet
            raise ConfigError(f"config key data.options.sheet={self.sheet!r} is not a sheet of "
                              f"{path} (sheets: {', '.join(names)}).")
        for name in names:
            head = pd.read_excel(book, sheet_name=name, nrows=_PROBE_ROWS)
            typed = any(pd.api.types.is_datetime64_any_dtype(head[c]) for c in head.columns)
            if typed or "date" in map_columns(head.columns):
                return name
        return names[0]
