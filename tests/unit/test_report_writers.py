"""The PDF, Excel, HTML and CSV reporters on one full bundle: the PDF renders with
non-blank charts and extractable text, the workbook has its sheets and formats, the
HTML is self-contained, the CSV bundle holds every table with insight provenance."""

from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from openpyxl import load_workbook

from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.base.reporter import ReportBundle
from salesforge.charts.export import chart_json, save_chart
from salesforge.report.csv_reporter import CsvReporter
from salesforge.report.excel_reporter import ExcelReporter
from salesforge.report.figures import anomaly_frames, build_charts
from salesforge.report.html_reporter import HtmlReporter
from salesforge.report.pdf_reporter import PdfReporter
from salesforge.testing import example_transactions


def model_tables(clean: pd.DataFrame) -> dict[str, pd.DataFrame]:
    days = pd.date_range(clean["date"].max() + pd.Timedelta(days=1), periods=14)
    forecast = pd.DataFrame({"series_id": "total", "ds": days, "model": "linear",
                             "y_pred": np.linspace(1e7, 1.2e7, 14)})
    forecast = forecast.assign(y_lo=forecast["y_pred"] * 0.8, y_hi=forecast["y_pred"] * 1.2)
    leaderboard = pd.DataFrame({"model": ["linear", "linear", "seasonal_naive"],
                                "metric": ["mase", "mae", "mase"], "value": [0.8, 2e6, 1.0]})
    products = clean.groupby("product", as_index=False, observed=True).agg(
        revenue=("revenue", "sum"), transactions=("revenue", "size"))
    segments = products.rename(columns={"product": "entity"}).assign(
        segment_name=np.where(products["revenue"] > products["revenue"].median(), "Stars",
                              "Tail"))
    anomalies = clean.nlargest(120, "revenue").assign(
        anomaly_score=np.linspace(0.99, 0.5, 120), reason="revenue 9.0x the product median")
    quality = pd.DataFrame({"item": ["rows_in", "rows_clean"], "value": [3000, 3000]})
    return {"forecast": forecast, "leaderboard": leaderboard, "segments": segments,
            "anomalies": anomalies, "data_quality": quality}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> ReportBundle:
    clean = example_transactions()
    analysis = KpiAnalyzer().analyze(clean, "en")
    tables = {**analysis.tables, **model_tables(clean)}
    scores = np.where(clean.index.isin(tables["anomalies"].index), 0.9, 0.1)
    extras = {"history": pd.DataFrame({"series_id": "total", "ds": tables["daily"]["date"],
                                       "y": tables["daily"]["revenue"]}),
              **anomaly_frames(clean, scores, tables["anomalies"].index)}
    manifest = {"forecast": {"best": "linear", "selection_metric": "mase"},
                "anomalies": {"rate": 0.04}, "run_id": "unit-run-20260101",
                "data": {"source": "/srv/uploads/private/penjualan.csv"}}
    content = ReportBundle(title="Unit report", kpis=analysis.kpis, tables=tables,
                           insights=analysis.insights, details=analysis.details,
                           manifest=manifest)
    content.charts = build_charts(tables, extras, manifest)
    folder = tmp_path_factory.mktemp("charts")
    for name, chart in content.charts.items():
        content.specs[name] = chart_json(chart)
        content.images[name] = save_chart(content.specs[name], folder, name)["png"]
    return content


def ink(image) -> float:
    gray = np.asarray(image.convert("L"))
    return float((gray < 200).mean())


def test_every_chart_is_built(bundle):
    assert set(bundle.charts) == {
        "revenue_trend", "weekday_heatmap", "product_ranking", "category_distribution",
        "region_distribution", "bridge", "forecast", "segments", "anomaly_timeline",
        "anomaly_scatter"}


@pytest.fixture(scope="module")
def pdf(bundle, tmp_path_factory):
    path = PdfReporter(max_table_rows=100).write(bundle, tmp_path_factory.mktemp("pdf"))[0]
    document = pdfium.PdfDocument(str(path))
    yield path, document
    document.close()


def test_pdf_renders_with_every_chart_non_blank(pdf):
    _, document = pdf
    images = []
    for index in range(len(document)):
        page = document[index]
        assert ink(page.render(scale=0.5).to_pil()) > 0.001, f"page {index + 1} is blank"
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            images.append(obj.get_bitmap(render=False).to_pil())
    # summary and trend both show the revenue trend: 11 pictures of 10 charts
    assert len(images) == 11
    assert all(ink(image) > 0.005 for image in images)


def test_pdf_text_is_extractable_with_page_numbers(pdf, bundle):
    _, document = pdf
    pages = [" ".join(document[i].get_textpage().get_text_range().split())
             for i in range(len(document))]
    text = " ".join(pages)
    for title in ("Unit report", "Executive summary", "Insights", "Trend and seasonality",
                  "Revenue bridge", "Forecast", "Segments", "Anomalies", "Data quality"):
        assert title in text, title
    for sentence in bundle.insights:
        assert sentence in text
    assert f"2 / {len(document)}" in pages[1] and "1 /" not in pages[0]
    assert "penjualan.csv" in pages[0]  # the cover names the file, not the server's folders
    assert "/srv/uploads" not in text and "unit-run-20260101" not in text
    assert "Best model by mase: linear." in text


def test_pdf_long_table_splits_with_its_header_repeated(pdf):
    _, document = pdf
    pages = [" ".join(document[i].get_textpage().get_text_range().split())
             for i in range(len(document))]
    header = "anomaly score reason"
    with_header = [i for i, page in enumerate(pages) if header in page]
    assert len(with_header) >= 2 and with_header == list(range(with_header[0],
                                                               with_header[-1] + 1))
    assert "First 100 of 120 rows" in pages[with_header[-1]]


def test_excel_has_every_sheet_with_formats(bundle, tmp_path):
    path = ExcelReporter().write(bundle, tmp_path)[0]
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "KPIs", "Insights", "Monthly", "Products", "Growth",
                               "Bridge", "Forecast", "Segments", "Anomalies", "Data Quality"]
    summary = book["Summary"]
    assert len(summary._charts) == 2  # native line and bar charts
    kpis = {summary.cell(r, 1).value: summary.cell(r, 2) for r in range(4, 20)}
    assert kpis["Revenue (net)"].value == pytest.approx(bundle.kpis["revenue"])
    assert kpis["Revenue (net)"].number_format == '"Rp "#,##0'
    assert kpis["Orders"].number_format == "#,##0"
    monthly = book["Monthly"]
    header = [c.value for c in monthly[2]]
    assert header[:3] == ["month", "start", "end"]
    assert monthly.freeze_panes == "A3" and monthly.auto_filter.ref.startswith("A2:")
    assert monthly.cell(2, 1).fill.fgColor.rgb.endswith("1F3B5C")
    assert monthly.cell(2, 1).font.bold
    column = {name: i + 1 for i, name in enumerate(header)}
    assert monthly.cell(3, column["revenue"]).number_format == '"Rp "#,##0'
    assert monthly.cell(4, column["change %"]).number_format == '0.0"%"'
    assert monthly.cell(4, column["change %"]).value == pytest.approx(
        bundle.tables["growth_monthly"]["change_pct"].iloc[1])
    assert monthly.column_dimensions["A"].width >= 10
    anomalies = book["Anomalies"]
    assert anomalies.max_row == 2 + 120  # caption, header, every row (no PDF cut)


def test_html_is_one_self_contained_file(bundle, tmp_path):
    path = HtmlReporter().write(bundle, tmp_path)[0]
    page = path.read_text()
    assert "<script src" not in page and "cdn.jsdelivr" not in page
    assert page.count("window.vegaEmbed=") == 1  # the library, inline, once
    embeds = re.findall(r'vegaEmbed\("#(chart-[^"]+)", (\{.*?\}), \{"mode"', page)
    assert len(embeds) == 11
    for element, spec in embeds:
        assert f'id="{element}"' in page
        assert json.loads(spec)["$schema"].startswith("https://vega.github.io/schema/vega-lite")
    for sentence in bundle.insights:
        assert sentence.replace("&", "&amp;") in page
    assert '<span class="src">[kpis.csv · Revenue (net) · value]</span>' in page  # provenance


def test_csv_bundle_holds_every_table_and_insight_sources(bundle, tmp_path):
    paths = CsvReporter().write(bundle, tmp_path)
    archive = tmp_path / "report_csv.zip"
    assert archive in paths
    with zipfile.ZipFile(archive) as handle:
        names = set(handle.namelist())
        insights = pd.read_csv(io.BytesIO(handle.read("insights.csv")))
    assert {f"{name}.csv" for name in bundle.tables} | {"insights.csv"} == names
    assert list(insights["insight"]) == bundle.insights
    first = insights.iloc[0]
    assert (first["table"], first["column"]) == ("kpis", "value")
    assert first["value"] == pytest.approx(bundle.kpis["revenue"])


@pytest.mark.parametrize("reporter", [PdfReporter(), ExcelReporter(), HtmlReporter(),
                                      CsvReporter()], ids=lambda r: type(r).__name__)
def test_reports_without_the_analytics_stage(reporter, tmp_path):
    """``stages.analytics=false``: no KPIs, insights or analysis tables; the model
    sections still come out and the analysis sections are left out."""
    content = ReportBundle(title="No analytics", tables=model_tables(example_transactions()),
                           manifest={"forecast": {"best": "linear"}})
    paths = reporter.write(content, tmp_path)
    assert paths and all(p.stat().st_size > 0 for p in paths)
    if isinstance(reporter, ExcelReporter):
        assert load_workbook(paths[0]).sheetnames == ["Summary", "Forecast", "Segments",
                                                      "Anomalies", "Data Quality"]
    if isinstance(reporter, HtmlReporter):
        page = paths[0].read_text()
        assert 'id="forecast"' in page and 'id="summary"' not in page
        assert "vegaEmbed" not in page  # no charts, so no library either


@pytest.mark.slow
def test_html_charts_draw_in_a_browser_without_network(bundle, tmp_path):
    """Headless Chromium (``apt-get install chromium``) runs the inline Vega libraries
    from a file: URL; every chart container ends up holding a drawn SVG."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    path = HtmlReporter().write(bundle, tmp_path)[0]
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    drawn = re.findall(r'class="chart vega-embed[^"]*"', dom)
    assert len(drawn) == 11
    assert len(re.findall(r"<svg[^>]*class=\"marks\"", dom)) == 11  # drawn


def test_the_anomaly_scatter_takes_every_nth_normal_row_and_the_top_flagged_ones():
    """The points the scatter draws, written out plainly on a copy of the whole frame
    (what anomaly_frames avoids): the same rows, in the same order."""
    from salesforge.report.figures import SCATTER_FLAGGED_POINTS, SCATTER_NORMAL_POINTS

    clean = example_transactions(rows=6000)
    scores = np.random.default_rng(0).random(len(clean))
    flagged_index = clean.index[scores > 0.5]  # more flagged rows than the scatter shows
    points = anomaly_frames(clean, scores, flagged_index)["anomaly_points"]
    flags = clean.index.isin(flagged_index)
    normal = clean.loc[~flags]
    normal = normal.iloc[::max(1, len(normal) // SCATTER_NORMAL_POINTS)]
    top = clean.loc[flags].assign(score=scores[flags]).nlargest(SCATTER_FLAGGED_POINTS, "score")
    expected = pd.concat([normal.assign(status="normal", rank=0),
                          top.assign(status="flagged", rank=1)])
    expected = expected[expected["price"] > 0][["product", "quantity", "price", "status",
                                                 "rank"]].reset_index(drop=True)
    expected["product"] = expected["product"].astype(str)
    pd.testing.assert_frame_equal(points, expected)
    assert (points["status"] == "flagged").sum() == SCATTER_FLAGGED_POINTS
