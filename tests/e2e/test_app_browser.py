"""The results app in a real browser: Debian's chromium driven by Playwright.

Starts ``salesforge serve`` on a free port over an empty runs folder, uploads the sample
data as a plain CSV, waits for the background run, checks the KPI cards against the
run's manifest, visits all six tabs, checks the console stayed clean and saves a
screenshot per tab under the test's tmp folder."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from salesforge.app.format import KPI_CARDS, currency_of, format_value
from salesforge.data.sample import sample_path
from tests.conftest import app_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TABS = ("Overview", "Forecasting", "Segmentation", "Anomaly", "Comparison", "Reports")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def server(tmp_path):
    """``salesforge serve`` on a free localhost port over an empty runs folder."""
    runs = tmp_path / "runs"
    runs.mkdir()
    with app_server(runs, tmp_path / "server.log") as url:
        yield url, runs


def test_upload_run_and_visit_every_tab(server, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    url, runs = server
    upload = tmp_path / "sales_sample.csv"
    with gzip.open(sample_path(), "rb") as source, upload.open("wb") as target:
        shutil.copyfileobj(source, target)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        page.get_by_text("Upload and run").wait_for(timeout=30_000)
        page.screenshot(path=shots / "0-empty.png")
        page.locator("input[type=file]").set_input_files(str(upload))
        page.get_by_role("button", name="Upload and run").click()
        page.locator(".sf-kpi[data-kpi=revenue]").wait_for(timeout=180_000)

        manifests = list(runs.rglob("manifest.json"))
        assert len(manifests) == 1
        manifest = json.loads(manifests[0].read_text())
        assert manifest["status"] == "ok"
        assert manifest["data"]["rows_in"] == 33_850
        kpis, currency = manifest["analytics"]["kpis"], currency_of(manifest)
        for key, _title, kind in KPI_CARDS:  # expect() retries while the page redraws
            playwright.expect(page.locator(f".sf-kpi[data-kpi={key}] .sf-kpi-value")) \
                .to_have_text(format_value(kpis.get(key), kind, currency))
        playwright.expect(page.locator(".sf-kpi[data-kpi=revenue] .sf-kpi-value")) \
            .to_have_text(f"Rp {kpis['revenue']:,.0f}")  # the English app's number style

        expected = {"Overview": "Insights", "Forecasting": "Leaderboard",
                    "Segmentation": "Segment profile", "Anomaly": "flagged transactions",
                    "Comparison": "Config differences", "Reports": "Reports of this run"}
        for number, title in enumerate(TABS, start=1):
            page.locator(".bk-tab", has_text=title).click()
            page.get_by_text(expected[title]).first.wait_for(timeout=30_000)
            page.wait_for_timeout(300)  # let the page settle for the screenshot
            page.screenshot(path=shots / f"{number}-{title.lower()}.png", full_page=True)
            if title == "Forecasting":  # retrain with another horizon: a second run to compare
                horizon = page.locator(".bk-input-group", has_text="Horizon (periods)")
                horizon.locator("input").fill("14")
                horizon.locator("input").press("Enter")
                picker = page.locator("select").first
                first_label = picker.input_value()
                page.get_by_role("button", name="Retrain").click()
                playwright.expect(picker).not_to_have_value(first_label, timeout=180_000)
                second = [m for m in runs.rglob("manifest.json") if m != manifests[0]]
                assert len(second) == 1
                retrained = json.loads(second[0].read_text())
                assert picker.input_value().startswith(retrained["run_id"])
                assert retrained["status"] == "ok"
                assert retrained["forecast"]["horizon"] == 14
                assert retrained["data_hash"] == manifest["data_hash"]
                page.get_by_text(expected[title]).first.wait_for(timeout=30_000)
        page.locator(".bk-tab", has_text="Overview").click()
        theme = page.locator(".bk-input-group", has_text="Theme").locator("select")
        theme.select_option(label="Dark")  # the sidebar's Theme picker reloads the page
        page.wait_for_url("**theme=dark**")
        playwright.expect(page.locator(".sf-kpi[data-kpi=revenue] .sf-kpi-value")) \
            .to_have_text(format_value(kpis["revenue"], "money", currency))
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") \
            == "rgb(33, 37, 41)"  # Panel's dark theme
        playwright.expect(page.locator(".bk-input-group", has_text="Theme")
                          .locator("select")).to_have_value("Dark")
        page.wait_for_timeout(700)
        page.screenshot(path=shots / "7-overview-dark.png")
        browser.close()
    assert errors == []
    assert [r for r in requests if not r.startswith(url.split("/salesforge")[0])] == []
    assert len(list(shots.glob("*.png"))) == 8
