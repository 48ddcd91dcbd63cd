"""End to end: ``salesforge run reporter=[pdf,excel,html,csv]`` writes all four reports and
the charts; switched-off stages leave their sections out; a plugin adds a section."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from openpyxl import load_workbook

from tests.conftest import make_plugin_distribution, run_cli

pytestmark = pytest.mark.slow

CHARTS = ["revenue_trend", "weekday_heatmap", "product_ranking", "category_distribution",
          "region_distribution", "bridge", "forecast", "segments", "anomaly_timeline",
          "anomaly_scatter"]


def ink(image) -> float:
    return float((np.asarray(image.convert("L")) < 200).mean())


def pdf_pages(path) -> tuple[list[str], list]:
    document = pdfium.PdfDocument(str(path))
    texts, images = [], []
    for index in range(len(document)):
        page = document[index]
        texts.append(" ".join(page.get_textpage().get_text_range().split()))
        assert ink(page.render(scale=0.4).to_pil()) > 0.001, f"page {index + 1} is blank"
        images += [obj.get_bitmap(render=False).to_pil()
                   for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    document.close()
    return texts, images


def test_all_four_reports_from_one_run(tmp_path):
    """One run (it takes a while), checked report by report."""
    run_dir = tmp_path / "run"
    result = run_cli("run", "reporter=[pdf,excel,html,csv]", f"hydra.run.dir={run_dir}",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    check_files_and_charts(run_dir, manifest)
    check_pdf(run_dir, manifest)
    check_workbook(run_dir)
    check_html_and_csv(run_dir)


def check_files_and_charts(run_dir, manifest) -> None:
    assert set(manifest["reports"]) == {"pdf", "excel", "html", "csv"}
    for relative in ("reports/report.pdf", "reports/report.xlsx", "reports/report.html",
                     "reports/report_csv.zip"):
        assert (run_dir / relative).stat().st_size > 0, relative
    for name in CHARTS:
        for kind in ("html", "png"):
            assert manifest["artifacts"][f"chart:{name}:{kind}"] == f"charts/{name}.{kind}"
            assert (run_dir / "charts" / f"{name}.{kind}").is_file()
    assert manifest["analytics"]["insight_sources"][0]["table"] == "kpis"


def check_pdf(run_dir, manifest) -> None:
    """Every page renders, every chart is non-blank, the text can be extracted."""
    texts, images = pdf_pages(run_dir / "reports/report.pdf")
    assert len(images) == len(CHARTS) + 1  # the trend is on the summary page too
    assert all(ink(image) > 0.005 for image in images)
    text = " ".join(texts)
    for sentence in manifest["analytics"]["insights"]:
        assert sentence in text
    for title in ("Executive summary", "Forecast", "Segments", "Anomalies", "Data quality"):
        assert title in text
    assert texts[-1].endswith(f"{len(texts)} / {len(texts)}")


def check_workbook(run_dir) -> None:
    book = load_workbook(run_dir / "reports/report.xlsx")
    assert {"Summary", "KPIs", "Monthly", "Products", "Forecast", "Segments", "Anomalies",
            "Data Quality"} <= set(book.sheetnames)
    assert len(book["Summary"]._charts) == 2
    forecast = book["Forecast"]
    header = [c.value for c in forecast[2]]
    assert header[0] == "model" and forecast.freeze_panes == "A3"


def check_html_and_csv(run_dir) -> None:
    page = (run_dir / "reports/report.html").read_text()
    assert "<script src" not in page and page.count("window.vegaEmbed=") == 1
    assert page.count('<div class="chart"') == len(CHARTS) + 1
    with zipfile.ZipFile(run_dir / "reports/report_csv.zip") as handle:
        names = set(handle.namelist())
    assert {"kpis.csv", "growth_monthly.csv", "bridge_category.csv", "forecast.csv",
            "segments.csv", "anomalies.csv", "insights.csv"} <= names


SECTION_PLUGIN = '''
    from salesforge import hookimpl
    from salesforge.base.reporter import Section


    @hookimpl
    def salesforge_before_stage(context, stage):
        if stage == "report":
            rows = context.manifest["data"]["rows_clean"]
            context.results.setdefault("report_sections", {})["acme_notes"] = Section(
                "acme_notes", "Catatan ACME", paragraphs=[f"ACME membaca {rows} baris."])
'''


def test_indonesian_report_without_model_stages_and_with_a_plugin_section(tmp_path):
    site = make_plugin_distribution(tmp_path / "site", "acme-notes", "acme_notes",
                                    SECTION_PLUGIN)
    run_dir = tmp_path / "run"
    result = run_cli("run", "reporter=[pdf,excel,html]", "report.language=id",
                     "stages.forecast=false", "stages.segment=false",
                     "report.sections=[acme_notes,kpis,insights,forecast,segments,anomalies]",
                     f"hydra.run.dir={run_dir}", cwd=tmp_path, pythonpath=site)
    assert result.returncode == 0, result.stderr
    book = load_workbook(run_dir / "reports/report.xlsx")
    # Indonesian sheet names (issue 18; they were English); the plugin names its own
    assert book.sheetnames == ["Ringkasan", "Catatan ACME", "Indikator", "Temuan", "Anomali"]
    texts, images = pdf_pages(run_dir / "reports/report.pdf")
    text = " ".join(texts)
    assert texts[1].startswith("Catatan ACME ACME membaca")
    assert "Ringkasan eksekutif" in text and "Prakiraan" not in text and "Segmen" not in text
    assert "Total pendapatan Rp " in text
    assert len(images) == 3  # summary trend, anomaly timeline and scatter
    page = (run_dir / "reports/report.html").read_text()
    assert page.index('id="acme_notes"') < page.index('id="summary"')
    assert 'lang="id"' in page and 'id="forecast"' not in page
