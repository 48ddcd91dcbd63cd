"""The Indonesian PDF, Excel and HTML reports and charts speak Indonesian (issue 18): sheet
names, table headers, captions, segment names, anomaly reasons, and every chart's titles,
axes, legends, month and weekday names and compact amounts as drawn (each chart rendered to
SVG, its text read back). Data values
(product, category and model names, the KPI sheet's machine keys) are the user's or the
program's identifiers and stay as they are."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pypdfium2
import pytest
import vl_convert
from openpyxl import load_workbook

from salesforge.app.tables import CHART_CLASS
from salesforge.report.display import KPI_LABELS
from tests.conftest import chart_words

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


SI_BILLIONS = re.compile(r"\d(\.\d+)?G\b")


def spec_of(page: Path) -> str:
    """The Vega-Lite spec inside a saved chart page (``vegaEmbed("#chart", {...}, ...)``)."""
    text = page.read_text(encoding="utf-8")
    start = text.index('vegaEmbed("#chart", ') + len('vegaEmbed("#chart", ')
    spec, _ = json.JSONDecoder().raw_decode(text[start:].replace("<\\/", "</"))
    return json.dumps(spec)


def drawn_text(spec: str) -> list[str]:
    """The texts the Vega-Lite ``spec`` (as the reports save it) draws."""
    svg = vl_convert.vegalite_to_svg(spec)
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def chart_texts(run_dir) -> dict[str, list[str]]:
    """Chart name -> the text it draws, for every chart the run saved."""
    return {page.stem: drawn_text(spec_of(page))
            for page in sorted((run_dir / "charts").glob("*.html"))}


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
    segment_names = ("Produk Bintang", "Produk Premium", "Produk Volume", "Produk Kurang Laku")
    assert any(t.startswith(segment_names) for t in texts)


def test_the_indonesian_charts_have_no_english_word(reports):
    charts = chart_texts(reports["id"].parent)
    assert {"revenue_trend", "weekday_heatmap", "forecast", "anomaly_scatter",
            "product_ranking", "bridge"} <= set(charts)
    for name, texts in charts.items():
        english = english_words(texts)
        assert english == [], f"{name}: {english} in {texts}"
        assert not [t for t in texts if SI_BILLIONS.search(t)], name
    words = " ".join(" ".join(t) for t in charts.values())
    assert "Pendapatan" in words and "Prakiraan" in words and "\u00a0jt" in words
    assert re.search(r"\b(Sen|Sel|Rab|Kam|Jum|Sab|Min)\b", " ".join(charts["weekday_heatmap"]))


def test_the_english_charts_say_the_same_in_english(reports):
    """The check above can fail: the English charts hold those words."""
    words = " ".join(" ".join(t) for t in chart_texts(reports["en"].parent).values())
    assert len({m.group(0).lower() for m in WORD.finditer(words)}) > 10
    assert not SI_BILLIONS.search(words)


#: Words of the app's own English (labels, headings, notes) that must not appear on the
#: Indonesian page, on top of the report words.
APP_ENGLISH = re.compile(r"\b(Leaderboard|Download|Upload|Filters|Frequency|Detector|Reports"
                         r"|Generate|members|Reason|Search|Contamination|sample|Best|Realised"
                         r"|accuracy|Overview|Comparison|Anomaly|Segmentation|Forecasting"
                         r"|Orders|Units|Return|Daily|Weekly|Date|range|All|Language|Theme|Light|Dark"
                         r"|shown|Pick|Formats|Retrain|selected|First|Prev|Next|Last)\b")


def app_texts(app) -> list[str]:
    """Every text the page shows with each tab on screen in turn: headings, notes and KPI
    cards, widget labels and named choices, table headers, and each chart as drawn."""
    import panel as pn

    texts = [app.template().title, *app.tabs._names]
    todo = list(app.sidebar())
    for index, tab in enumerate(app.tabs_list):
        app.select_tab(index)
        todo += list(tab.layout.objects)
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            texts.append(item)
        elif CHART_CLASS in getattr(item, "css_classes", []):  # drawn on the server
            texts += chart_words(item.object)
        else:
            if isinstance(getattr(item, "object", None), str):
                texts += [t for t in re.split(r"<[^>]+>", item.object) if t.strip()]
            if isinstance(item, pn.widgets.Widget) and item is not app.language_picker:
                texts += [str(item.name), str(getattr(item, "label", "") or "")]
                options = getattr(item, "options", None)
                texts += list(options) if isinstance(options, dict) else []
                texts.append(str(getattr(item, "placeholder", "") or ""))
            todo += list(getattr(item, "objects", None) or [])
    return [t for t in texts if t and t.strip()]


@pytest.fixture(scope="module")
def pages(reports):
    """The app over the runs of ``reports`` showing the Indonesian run, in each language."""
    from salesforge.app.main import SalesforgeApp
    from salesforge.app.runs import RunData

    folder = reports["id"].parent.parent
    run_id = RunData(reports["id"].parent).run_id
    out = {}
    for language in ("id", "en"):
        app = SalesforgeApp(folder, language=language)
        app.picker.value = run_id
        out[language] = app_texts(app)
    return out


def test_the_app_in_indonesian_has_no_english_word(pages):
    texts = pages["id"]
    assert len(texts) > 80
    assert english_words(texts) == []
    assert sorted({m.group(0) for t in texts for m in APP_ENGLISH.finditer(t)}) == []
    words = " ".join(texts)
    assert "Pendapatan" in words and "Papan peringkat" in words and "Unduh" in words


def test_the_app_in_english_holds_those_words(pages):
    """The check above can fail: the same page in English has them."""
    texts = pages["en"]
    assert len(english_words(texts)) > 10
    assert len({m.group(0) for t in texts for m in APP_ENGLISH.finditer(t)}) > 20


def test_the_app_writes_a_runs_insights_in_the_pages_language(reports):
    """An English run's insights read in Indonesian on the Indonesian page, and the other
    way round (``manifest.analytics.insights_by_language``)."""
    from salesforge.app.main import SalesforgeApp
    from salesforge.app.runs import RunData

    folder = reports["id"].parent.parent
    for run_language, page_language, opening in (("en", "id", "Total pendapatan"),
                                                  ("id", "en", "Revenue totalled")):
        run = RunData(reports[run_language].parent)
        assert run.manifest["analytics"]["insights_by_language"][run_language] == \
            run.manifest["analytics"]["insights"]
        app = SalesforgeApp(folder, language=page_language)
        app.picker.value = run.run_id
        overview = " ".join(app_texts(app))
        assert opening in overview
