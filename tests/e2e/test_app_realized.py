"""The app's Forecasting tab shows how an earlier run's forecasts did: forecast against
actual for the realised periods and the accuracy history of the runs folder (the Panel
objects here, and in Chromium with a screenshot under the test's tmp folder)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import panel as pn
import pytest

from salesforge.app.filters import GlobalFilters
from salesforge.app.runs import RunData
from salesforge.app.tables import CHARTS, chart_panes
from salesforge.app.tabs.forecasting import ForecastingTab
from salesforge.data.sample import sample_path
from tests.conftest import app_server, svg_texts

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
FAST = ["stages.segment=false", "stages.detect=false", "stages.report=false",
        "backtest.windows=2"]


@pytest.fixture(scope="module")
def runs_folder(tmp_path_factory) -> Path:
    """An app runs folder holding a run of the sample up to 30 November 2023 and one of
    the whole sample, both in the folder's run index."""
    root = tmp_path_factory.mktemp("app-runs")
    sample = pd.read_csv(sample_path())
    for name, rows in (("early", sample[sample["date"] <= "2023-11-30"]), ("full", sample)):
        rows.to_csv(root / f"{name}.csv", index=False)
        done = subprocess.run(
            [sys.executable, "-m", "salesforge.cli", "run", f"data.path={root / name}.csv",
             f"runs.index={root / 'runs.db'}", f"hydra.run.dir={root / name}", *FAST],
            cwd=root, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    return root


def texts(objects: list) -> str:
    return "\n".join(str(getattr(o, "object", "")) for o in objects
                     if isinstance(getattr(o, "object", None), str))


def test_the_forecasting_tab_draws_forecast_against_actual_and_the_history(runs_folder):
    full = RunData(runs_folder / "full", root=runs_folder)
    early_id = json.loads((runs_folder / "early" / "manifest.json").read_text())["run_id"]
    tab = ForecastingTab(GlobalFilters(), ["seasonal_naive", "linear"], runs_dir=runs_folder)
    parts = tab._realized(full, full.section("forecast"))
    words = texts(parts)
    assert "Realised accuracy" in words
    assert f"Run {early_id} forecast 28 period(s) from 2023-12-01 to 2023-12-28" in words
    charts = chart_panes(pn.Column(*parts))
    assert len(charts) == 3  # forecast vs actual; accuracy history: MASE, coverage
    # drawn once on the server and kept: the drawing the pane shows
    drawing = next(d for d in CHARTS.values() if d.html == charts[0].object)
    assert set(drawing.rows.values()) == {28, 56}  # a band point per day; two lines
    assert any("against what happened" in text for text in svg_texts(drawing.svg))

    early = RunData(runs_folder / "early", root=runs_folder)
    empty = texts(tab._realized(early, early.section("forecast")))
    assert "no earlier run" in empty


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_app_shows_realised_accuracy_in_chromium(runs_folder, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with app_server(runs_folder, tmp_path / "server.log") as url, \
            playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        page.locator(".bk-tab", has_text="Forecasting").wait_for(timeout=60_000)
        page.locator(".bk-tab", has_text="Forecasting").click()
        page.get_by_text("Realised accuracy").first.wait_for(timeout=60_000)
        page.get_by_text("period(s) from 2023-12-01 to 2023-12-28").first.wait_for(
            timeout=30_000)
        page.get_by_text("Realised accuracy").first.scroll_into_view_if_needed()
        page.screenshot(path=shots / "forecasting-realized.png")
        assert page.locator(".sf-chart img").count() >= 3  # forecasts, realised
        assert page.locator(".sf-chart svg").count() >= 1  # history: runs named on hover
        browser.close()
    assert (shots / "forecasting-realized.png").stat().st_size > 10_000
