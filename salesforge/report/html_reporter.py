"""The HTML report: one self-contained file (styles, data and the Vega libraries inline,
no network needed) with the interactive charts and every section's tables."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesforge.base.reporter import ReportBundle, Reporter, Section
from salesforge.charts.export import embed_script, inline_html
from salesforge.report.display import column_kind, format_table, kpi_rows
from salesforge.report.labels import column_label
from salesforge.report.sections import resolve_sections

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222}
header{background:#1f3b5c;color:#fff;padding:24px 32px}header h1{margin:0 0 6px}
nav{padding:8px 32px;background:#eef2f7;position:sticky;top:0;z-index:2}
nav a{margin-right:14px;color:#1f3b5c;text-decoration:none;font-size:14px}
main{padding:8px 32px 48px;max-width:1100px}h2{color:#1f3b5c;border-bottom:2px solid #1f3b5c}
h3{color:#1f3b5c;font-size:15px;margin-bottom:4px}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 18px}
th{background:#1f3b5c;color:#fff;padding:4px 8px;text-align:left;position:sticky;top:0}
td{padding:3px 8px;border-bottom:1px solid #e3e7ee}td.n{text-align:right;white-space:nowrap;
font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#f6f8fb}
.scroll{max-height:480px;overflow:auto}.chart{margin:10px 0}
.src{color:#888;font-size:11px}
"""


@dataclass
class HtmlReporterConfig:
    """Settings of the ``html`` reporter (``reporter.html.*``)."""

    #: File name inside ``reports/``.
    filename: str = "report.html"
    #: Rows shown per table at most (the Excel and CSV reports hold every row).
    max_table_rows: int = 500


@dataclass(eq=False)
class HtmlReporter(Reporter, HtmlReporterConfig):
    """Writes ``report.html``: every section of ``report.sections`` with interactive charts."""

    def _write(self, bundle: ReportBundle, out_dir: Path) -> list[Path]:
        sections = resolve_sections(bundle)
        needs_vega = any(name in bundle.charts for s in sections for name in s.charts)
        nav = "".join(f'<a href="#{s.name}">{html.escape(s.title)}</a>' for s in sections)
        kpis = bundle.kpis
        subtitle = (f"{kpis['date_min']} – {kpis['date_max']}" if kpis.get("date_min") else "")
        body = "".join(self._section(s, bundle) for s in sections)
        page = (f'<!DOCTYPE html>\n<html lang="{bundle.language}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(bundle.title)}</title><style>{STYLE}</style>"
                f"{inline_html() if needs_vega else ''}</head><body>"
                f"<header><h1>{html.escape(bundle.title)}</h1><div>{html.escape(subtitle)}"
                f"</div></header><nav>{nav}</nav><main>{body}</main></body></html>\n")
        path = out_dir / self.filename
        path.write_text(page, encoding="utf-8")
        return [path]

    def _section(self, section: Section, bundle: ReportBundle) -> str:
        parts = [f'<section id="{section.name}"><h2>{html.escape(section.title)}</h2>']
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            tag = "ol" if section.name == "insights" else "ul"
            sources = _sources(bundle) if section.name == "insights" else {}
            items = "".join(
                f"<li>{html.escape(b)}{sources.get(b, '')}</li>" for b in section.bullets)
            parts.append(f"<{tag}>{items}</{tag}>")
        for name in section.charts:
            chart = bundle.specs.get(name) or bundle.charts.get(name)
            if chart is not None:
                element = f"chart-{section.name}-{re.sub(r'[^a-z0-9_]', '', name)}"
                parts.append(f'<div class="chart" id="{element}"></div>'
                             f"{embed_script(chart, element)}")
        for caption, table in section.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>{self._table(table, bundle)}")
        parts.append("</section>")
        return "".join(parts)

    def _table(self, table: pd.DataFrame, bundle: ReportBundle) -> str:
        shown = table.head(int(self.max_table_rows))
        cells = format_table(shown, bundle.language, bundle.currency)
        numeric = [column_kind(str(c), table[c]) != "text" for c in table.columns]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cells[0])
        rows = "".join(
            "<tr>" + "".join(f'<td class="n">{html.escape(v)}</td>' if n else
                             f"<td>{html.escape(v)}</td>"
                             for v, n in zip(row, numeric, strict=True)) + "</tr>"
            for row in cells[1:])
        note = (f'<p class="src">{len(shown)} / {len(table)}</p>'
                if len(table) > len(shown) else "")
        return f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>{note}'


def _sources(bundle: ReportBundle) -> dict[str, str]:
    """Insight text -> a small provenance note: the table (its CSV file), the row's
    first value (a KPI's label for the KPI table) and the column's header."""
    out = {}
    labels = {key: label for key, label, _, _ in kpi_rows(bundle.kpis, bundle.language,
                                                          bundle.currency)}
    for detail in bundle.details:
        table = bundle.tables.get(detail.table)
        label = ""
        if table is not None and detail.row < len(table):
            first = table.iloc[detail.row, 0]
            label = f" · {labels.get(str(first), first)}"
        column = column_label(detail.column, bundle.language)
        source = f"{detail.table}.csv{label} · {column}"  # the table as the CSV bundle names it
        out[detail.text] = f' <span class="src">[{html.escape(source)}]</span>'
    return out
