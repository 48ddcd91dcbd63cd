"""The PDF report (reportlab): cover, the configured sections with charts and tables,
page numbers; long tables split across pages with their header repeated."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from salesforge.base.reporter import ReportBundle, Reporter, Section
from salesforge.report.display import column_kind, compact, format_table
from salesforge.report.sections import resolve_sections

MARGIN = 18 * mm
HEADER = colors.HexColor("#1f3b5c")
STRIPE = colors.HexColor("#eef2f7")


@dataclass
class PdfReporterConfig:
    """Settings of the ``pdf`` reporter (``reporter.pdf.*``)."""

    #: File name inside ``reports/``.
    filename: str = "report.pdf"
    #: Rows shown per table at most (the Excel and CSV reports hold every row).
    max_table_rows: int = 40


class NumberedCanvas(Canvas):
    """A canvas that writes "page N of M" in the footer once the page count is known."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # reportlab's method name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.grey)
                self.drawRightString(A4[0] - MARGIN, 10 * mm,
                                     f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


@dataclass(eq=False)
class PdfReporter(Reporter, PdfReporterConfig):
    """Writes ``report.pdf``: a cover page, then each section of ``report.sections``."""

    def _write(self, bundle: ReportBundle, out_dir: Path) -> list[Path]:
        path = out_dir / self.filename
        styles = _styles()
        story = self._cover(bundle, styles)
        for section in resolve_sections(bundle):
            story.extend(self._section(section, bundle, styles))
        doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=MARGIN, title=bundle.title,
                                author="salesforge", invariant=True)
        doc.build(story, canvasmaker=NumberedCanvas)
        return [path]

    def _cover(self, bundle: ReportBundle, styles: dict) -> list:
        kpis, manifest = bundle.kpis, bundle.manifest
        lines = []
        if kpis.get("date_min"):
            lines.append(f"{kpis['date_min']} – {kpis['date_max']}")
        source = (manifest.get("data") or {}).get("source")
        if source:  # the file name: a reader has no use for the server's folders
            lines.append(html.escape(PurePath(str(source)).name))
        stamp = manifest.get("started_at") or datetime.now(UTC).isoformat(timespec="seconds")
        lines.append(str(stamp))
        story = [Spacer(1, 60 * mm), Paragraph(html.escape(bundle.title), styles["cover"])]
        story += [Paragraph(line, styles["cover_sub"]) for line in lines]
        story.append(PageBreak())
        return story

    def _section(self, section: Section, bundle: ReportBundle, styles: dict) -> list:
        story: list = [Paragraph(html.escape(section.title), styles["h1"])]
        story += [Paragraph(_text(p), styles["body"]) for p in section.paragraphs]
        if section.bullets:
            numbered = section.name == "insights"
            story.append(ListFlowable(
                [ListItem(Paragraph(_text(b), styles["body"]), leftIndent=14)
                 for b in section.bullets], bulletType="1" if numbered else "bullet",
                start=1 if numbered else None, bulletFontSize=8 if numbered else 6))
            story.append(Spacer(1, 4 * mm))
        width = A4[0] - 2 * MARGIN
        for name in section.charts:
            image = bundle.images.get(name)
            if image is None or not Path(image).exists():
                continue
            picture = Image(str(image))
            scale = min(width / picture.imageWidth, 95 * mm / picture.imageHeight)
            picture.drawWidth = picture.imageWidth * scale
            picture.drawHeight = picture.imageHeight * scale
            story += [picture, Spacer(1, 3 * mm)]
        for caption, table in section.tables:
            story.extend(self._table(caption, table, bundle, styles, width))
        while isinstance(story[-1], Spacer):  # trailing air alone would start a blank page
            story.pop()
        story.append(PageBreak())
        return story

    def _table(self, caption: str, table: pd.DataFrame, bundle: ReportBundle, styles: dict,
               width: float) -> list:
        shown = compact(table).head(int(self.max_table_rows))
        cells = format_table(shown, bundle.language, bundle.currency)
        kinds = [column_kind(str(c), shown[c]) for c in shown.columns]
        cell_style = styles["cell"]
        data = [[Paragraph(f"<b>{html.escape(c)}</b>", styles["head"]) for c in cells[0]]]
        data += [[v if k != "text" else Paragraph(html.escape(v), cell_style)
                  for v, k in zip(row, kinds, strict=True)] for row in cells[1:]]
        col_widths = _column_widths(cells, kinds, width)
        grid = Table(data, colWidths=col_widths, repeatRows=1, splitByRow=True, hAlign="LEFT")
        grid.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), HEADER),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, HEADER),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTSIZE", (0, 1), (-1, -1), 7), ("LEADING", (0, 1), (-1, -1), 8.5),
            *[("ALIGN", (i, 1), (i, -1), "RIGHT") for i, k in enumerate(kinds) if k != "text"],
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        title = Paragraph(html.escape(caption), styles["h2"])
        out = [KeepTogether([title, grid]) if len(shown) <= 12 else title]
        if len(shown) > 12:
            out.append(grid)
        if len(table) > len(shown):
            note = (f"First {len(shown)} of {len(table)} rows; the Excel and CSV reports "
                    "hold every row." if bundle.language == "en" else
                    f"{len(shown)} dari {len(table)} baris pertama; laporan Excel dan CSV "
                    "memuat semua baris.")
            out.append(Paragraph(note, styles["note"]))
        out.append(Spacer(1, 4 * mm))
        return out


def _text(sentence: str) -> str:
    """Escaped paragraph text; a currency symbol stays on the line of its amount."""
    return re.sub(r"\b(Rp|[A-Z]{3}) (?=\d)", r"\1&nbsp;", html.escape(sentence))


def _column_widths(cells: list[list[str]], kinds: list[str], width: float) -> list[float]:
    """Widths that never break a header word or a number (numbers do not wrap), then
    share the rest of the page width by how much wider each column would like to be."""
    pad = 8.0  # 3 + 3 points of cell padding, and some air
    low, natural = [], []
    for column, kind in zip(zip(*cells, strict=True), kinds, strict=True):
        header = max((stringWidth(w, "Helvetica-Bold", 7) for w in
                      column[0].split()), default=0.0)
        values = [stringWidth(v, "Helvetica", 7) for v in column[1:]] or [0.0]
        words = [stringWidth(w, "Helvetica", 7) for v in column[1:] for w in v.split()] or [0.0]
        low.append(max(header, max(values) if kind != "text" else max(words)) + pad)
        natural.append(max(header, max(values)) + pad)
    spare = width - sum(low)
    if spare <= 0:
        return [w * width / sum(low) for w in low]
    want = [n - m for n, m in zip(natural, low, strict=True)]
    if sum(want) <= spare:
        return [n + (spare - sum(want)) / len(natural) for n in natural]
    return [m + spare * w / sum(want) for m, w in zip(low, want, strict=True)]


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=13)
    return {
        "cover": ParagraphStyle("cover", parent=base["Title"], fontSize=28, leading=34,
                                textColor=HEADER),
        "cover_sub": ParagraphStyle("cover_sub", parent=body, alignment=1, fontSize=11,
                                    leading=16, textColor=colors.HexColor("#444444")),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], textColor=HEADER, fontSize=16),
        "h2": ParagraphStyle("h2", parent=base["Heading3"], textColor=HEADER, fontSize=10.5,
                             spaceBefore=4, spaceAfter=3),
        "body": body,
        "note": ParagraphStyle("note", parent=body, fontSize=7.5, textColor=colors.grey),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7, leading=8.5),
        "num": ParagraphStyle("num", parent=body, fontSize=7, leading=8.5, alignment=2),
        "head": ParagraphStyle("head", parent=body, fontSize=7, leading=8.5,
                               textColor=colors.white),
    }
