"""The Excel workbook (openpyxl): a Summary sheet with KPIs, insights and native charts,
then one sheet per configured section with styled, filterable, number-formatted tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from salesforge.analytics.formatting import CURRENCIES
from salesforge.base.reporter import ReportBundle, Reporter
from salesforge.i18n import gettext
from salesforge.report.display import KPI_LABELS, column_kind, kpi_rows
from salesforge.report.escape import escape_cell
from salesforge.report.labels import column_label, sheet_name, shown_values
from salesforge.report.sections import resolve_sections

HEADER_FILL = PatternFill("solid", fgColor="1F3B5C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F3B5C")
PERCENT_FORMAT = '0.0"%"'
COUNT_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.00"


@dataclass
class ExcelReporterConfig:
    """Settings of the ``excel`` reporter (``reporter.excel.*``)."""

    #: File name inside ``reports/``.
    filename: str = "report.xlsx"


def money_format(currency: str) -> str:
    """An Excel number format for amounts: ``"Rp "#,##0`` for IDR, ``"$"#,##0.00`` ..."""
    symbol, decimals = CURRENCIES.get(currency.upper(), (currency.upper() + " ", 2))
    symbol = "Rp " if currency.upper() == "IDR" else symbol
    return f'"{symbol}"#,##0' + ("." + "0" * decimals if decimals else "")


@dataclass(eq=False)
class ExcelReporter(Reporter, ExcelReporterConfig):
    """Writes ``report.xlsx``: Summary, then KPIs, Monthly, Products, Forecast, Segments,
    Anomalies, Data Quality, ... (one sheet per section of ``report.sections``)."""

    def _write(self, bundle: ReportBundle, out_dir: Path) -> list[Path]:
        path = out_dir / self.filename
        book = Workbook()
        summary = book.active
        summary.title = sheet_name("Summary", bundle.language)
        self._summary(summary, bundle)
        used = {summary.title}
        for section in resolve_sections(bundle):
            name = sheet_name(section.sheet, bundle.language) if section.sheet \
                else section.title[:31]
            if name in used:
                continue
            used.add(name)
            sheet = book.create_sheet(name)
            if section.name in ("summary", "kpis"):
                self._kpis(sheet, bundle)
            elif section.tables:
                self._tables(sheet, section.tables, bundle)
            else:
                self._lines(sheet, section.title, section.paragraphs + section.bullets)
        for sheet in book.worksheets:
            _escape(sheet)
        book.save(path)
        return [path]

    # --- sheets ------------------------------------------------------------------------------

    def _summary(self, sheet: Worksheet, bundle: ReportBundle) -> None:
        sheet["A1"] = bundle.title
        sheet["A1"].font = TITLE_FONT
        rows = kpi_rows(bundle.kpis, bundle.language, bundle.currency)
        _ = gettext(bundle.language)
        _header(sheet, 3, [_("KPI"), _("Value")])
        for i, (key, label, value, _) in enumerate(rows, start=4):
            sheet.cell(i, 1, label)
            cell = sheet.cell(i, 2, value)
            cell.number_format = self._kpi_format(key, bundle.currency)
        row = 5 + len(rows)
        sheet.cell(row, 1, "Insights" if bundle.language == "en" else "Temuan").font = TITLE_FONT
        for i, text in enumerate(bundle.insights, start=row + 1):
            sheet.cell(i, 1, f"{i - row}. {text}")
        sheet.column_dimensions["A"].width = 38
        sheet.column_dimensions["B"].width = 22
        self._summary_charts(sheet, bundle)

    def _summary_charts(self, sheet: Worksheet, bundle: ReportBundle) -> None:
        """Monthly revenue (line) and top products (bar) as native Excel charts, drawn
        from small data blocks in columns H onward of the Summary sheet."""
        _ = gettext(bundle.language)
        anchor_row = 3
        monthly = bundle.tables.get("monthly")
        if monthly is not None and len(monthly):
            first = self._block(sheet, 3, 8, monthly[["month", "revenue"]], bundle)
            chart = LineChart()
            chart.title, chart.height, chart.width = _("Monthly revenue"), 7.5, 16
            data = Reference(sheet, min_col=9, min_row=first, max_row=first + len(monthly))
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=8, min_row=first + 1,
                                           max_row=first + len(monthly)))
            chart.y_axis.numFmt = money_format(bundle.currency)
            sheet.add_chart(chart, f"K{anchor_row}")
            anchor_row += 16
        products = bundle.tables.get("products")
        if products is not None and {"product", "revenue"} <= set(products.columns):
            top = products[["product", "revenue"]].head(10)
            start = 3 + (len(monthly) + 3 if monthly is not None else 0)
            first = self._block(sheet, start, 8, top, bundle)
            chart = BarChart()
            chart.type, chart.title, chart.height, chart.width = "bar", _("Top products"), 7.5, 16
            chart.add_data(Reference(sheet, min_col=9, min_row=first, max_row=first + len(top)),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=8, min_row=first + 1,
                                           max_row=first + len(top)))
            chart.x_axis.scaling.orientation = "maxMin"
            sheet.add_chart(chart, f"K{anchor_row}")

    def _block(self, sheet: Worksheet, row: int, col: int, table: pd.DataFrame,
               bundle: ReportBundle) -> int:
        currency = bundle.currency
        _header(sheet, row, [column_label(c, bundle.language) for c in table.columns], col)
        for r, values in enumerate(table.itertuples(index=False), start=row + 1):
            sheet.cell(r, col, str(values[0]))
            sheet.cell(r, col + 1, float(values[1])).number_format = money_format(currency)
        sheet.column_dimensions[get_column_letter(col)].width = 18
        sheet.column_dimensions[get_column_letter(col + 1)].width = 18
        return row

    def _kpis(self, sheet: Worksheet, bundle: ReportBundle) -> None:
        _header(sheet, 1, [column_label(c, bundle.language) for c in ("kpi", "label", "value")])
        for i, (key, label, value, _) in enumerate(
                kpi_rows(bundle.kpis, bundle.language, bundle.currency), start=2):
            sheet.cell(i, 1, key)
            sheet.cell(i, 2, label)
            sheet.cell(i, 3, value).number_format = self._kpi_format(key, bundle.currency)
        _finish(sheet, 1, 3, [24, 40, 22])

    def _tables(self, sheet: Worksheet, tables: list[tuple[str, pd.DataFrame]],
                bundle: ReportBundle) -> None:
        """Tables one below the other; the first gets frozen panes and the autofilter."""
        row = 1
        for index, (caption, table) in enumerate(tables):
            table = shown_values(table, bundle.language)
            sheet.cell(row, 1, caption).font = TITLE_FONT
            header = row + 1
            _header(sheet, header, [column_label(c, bundle.language) for c in table.columns])
            formats = [self._format(str(c), table[c], bundle.currency) for c in table.columns]
            columns = [_cells(table[c]) for c in table.columns]
            for r, values in enumerate(zip(*columns, strict=True), start=header + 1):
                for c, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
                    cell = sheet.cell(r, c, value)
                    if fmt:
                        cell.number_format = fmt
            if index == 0:
                sheet.freeze_panes = sheet.cell(header + 1, 1)
                last = get_column_letter(max(1, table.shape[1]))
                sheet.auto_filter.ref = f"A{header}:{last}{header + max(len(table), 1)}"
            row = header + len(table) + 2
        _widths(sheet)

    def _lines(self, sheet: Worksheet, title: str, lines: list[str]) -> None:
        sheet.cell(1, 1, title).font = TITLE_FONT
        for i, text in enumerate(lines, start=2):
            sheet.cell(i, 1, text)
        sheet.column_dimensions["A"].width = 120

    @staticmethod
    def _format(name: str, series: pd.Series, currency: str) -> str | None:
        kind = column_kind(name, series)
        return {"money": money_format(currency), "percent": PERCENT_FORMAT,
                "share": "0.0%", "count": COUNT_FORMAT, "number": NUMBER_FORMAT,
                "date": "yyyy-mm-dd"}.get(kind)

    @staticmethod
    def _kpi_format(key: str, currency: str) -> str:
        kind = KPI_LABELS.get(key, ("", "", "number"))[2]
        return {"money": money_format(currency), "percent": PERCENT_FORMAT,
                "count": COUNT_FORMAT}.get(kind, "General")


def _cells(series: pd.Series) -> list:
    """Values openpyxl can store: NaN/NA as empty, numpy scalars as Python ones."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dt.tz_localize(None) if series.dt.tz is not None else series
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        array = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if np.isnan(v) else (int(v) if pd.api.types.is_integer_dtype(series)
                                          else float(v)) for v in array]
    return [None if pd.isna(v) else (v if isinstance(v, bool) else str(v))
            for v in series.tolist()]


def _escape(sheet: Worksheet) -> None:
    """Every text cell of ``sheet`` that a spreadsheet would run as a formula, escaped
    (:func:`~salesforge.report.escape.escape_cell`); numbers and dates untouched."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = escape_cell(cell.value)


def _header(sheet: Worksheet, row: int, names: list[str], col: int = 1) -> None:
    for c, name in enumerate(names, start=col):
        cell = sheet.cell(row, c, name)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")


def _finish(sheet: Worksheet, header: int, columns: int, widths: list[int]) -> None:
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(columns)}{sheet.max_row}"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _widths(sheet: Worksheet) -> None:
    """Column widths from the longest value shown (capped), sampled over 200 rows."""
    for column in sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest + 2), 60)
