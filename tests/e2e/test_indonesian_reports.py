"""The Indonesian PDF, Excel and HTML reports speak Indonesian (issue 18): sheet names,
table headers, captions, segment names, anomaly reasons and every chart word. Data values
(product, category and model names, the KPI sheet's machine keys) are the user's or the
program's identifiers and stay as they are."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from openpyxl import load_workbook

from salesforge.report.display import KPI_LABELS

#: Words of the English reports that must not appear in the Indonesian ones (words both
#: languages share, e.g. total, normal, status, volume, model, April, are left out).
ENGLISH = ("Revenue", "average", "daily", "Forecast", "actual", "backtest", "value",
           "flagged", "price", "quantity", "share", "Segments", "segment", "Anomalies",
           "transactions", "products", "Top", "day", "bridge", "Summary", "Insights",
           "Monthly", "Growth", "previous", "change", "month", "year", "orders", "units",
           "rank", "score", "reason", "start", "end", "period", "repeated",
           "line", "True", "False", "coverage", "lower", "upper", "Key", "Value",
           "January", "February", "March", "June", "July", "August", "October", "December")
WORD = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
#: Machine keys shown in the KPI sheet's key column.
KEYS = set(KPI_LABELS) | {"transactions", "pareto_top_products", "return_lines"}


def english_words(texts: list[str]) -> list[str]:
    """English words of ``texts``, leaving out machine keys and CSV file names."""
    texts = [re.sub(r"[\w-]+\.csv\b", "", t) for t in texts if t not in KEYS]
    return sorted({m.group(0) for t in texts for m in WORD.finditer(t)})


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from tests.conftest import main_cli

    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for language in ("id", "en"):
        run_dir = folder / language
        result = main_cli("run", f"report.language={language}", "forecast.horizon=14",
                          "reporter=[pdf,excel,html]", f"hydra.run.dir={run_dir}",
                          f"runs.index={folder / 'runs.db'}", "--quiet", cwd=folder)
        assert result.returncode == 0, result.stderr
        out[language] = run_dir / "reports"
    return out


def workbook_texts(path) -> list[str]:
    book = load_workbook(path)
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        texts += [v for row in sheet.iter_rows(values_only=True) for v in row
                  if isinstance(v, str)]
    return texts


def pdf_texts(path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    return [line for page in document for line in page.get_textpage().get_text_range()
            .splitlines()]


def html_texts(path) -> list[str]:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style).*?</\1>", " ", page, flags=re.S)  # charts: own test
    return [t.strip() for t in re.split(r"<[^>]+>", page) if t.strip()]


@pytest.mark.parametrize("kind", ["xlsx", "pdf", "html"])
def test_the_indonesian_report_has_no_english_word(reports, kind):
    read = {"xlsx": workbook_texts, "pdf": pdf_texts, "html": html_texts}[kind]
    texts = read(reports["id"] / f"report.{kind}")
    assert len(texts) > 50
    assert english_words(texts) == []
    english = english_words(read(reports["en"] / f"report.{kind}"))
    assert len(english) > 10, english  # the check can fail: the English report has them


def test_the_indonesian_workbook_names_its_sheets_and_headers_in_indonesian(reports):
    book = load_workbook(reports["id"] / "report.xlsx")
    assert book.sheetnames[:3] == ["Ringkasan", "Indikator", "Temuan"]
    texts = workbook_texts(reports["id"] / "report.xlsx")
    assert {"pendapatan", "bulan", "perubahan %", "batas bawah 80%"} <= set(texts)
    assert any(t.startswith("Produk Bintang") for t in texts)
