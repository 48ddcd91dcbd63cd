"""The page's own HTML shows the run's KPI cards before any script has run, where the app
shows its cards, and gives way to the app's cards once BokehJS has built them; the page's
scripts are deferred so that the browser paints that HTML first."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from salesforge.app.format import KPI_CARDS, currency_of, format_value
from salesforge.app.jobs import compose_config
from salesforge.app.runs import discover_runs
from salesforge.runner import run
from tests.conftest import app_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``salesforge serve`` over a runs folder holding one run of the sample; the URL and
    the run."""
    folder = tmp_path_factory.mktemp("first_view")
    cfg, _ = compose_config([])
    run(cfg, folder / "runs" / "sample")
    (shown,) = discover_runs(folder / "runs")
    with app_server(folder / "runs", folder / "server.log") as url:
        yield url, shown


def first_view(page_html: str) -> str:
    match = re.search(r'<div class="sf-first-view" aria-hidden="true">(.*?)</div>\s*<script>',
                      page_html, re.S)
    assert match, "no first view in the page"
    return match.group(1)


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_page_html_holds_the_run_s_kpi_cards_in_the_page_language(served, language):
    url, shown = served
    page = httpx.get(url, params={"lang": language}, timeout=30).text
    cards = first_view(page)
    kpis, currency = shown.manifest["analytics"]["kpis"], currency_of(shown.manifest)
    for key, _title, kind in KPI_CARDS:
        value = format_value(kpis.get(key), kind, currency, language)
        assert f'<div class="sf-kpi-value">{value}</div>' in cards, key
    title = {"en": "Revenue", "id": "Pendapatan"}[language]
    assert f'<div class="sf-kpi-title">{title}</div>' in cards
    assert "data-kpi" not in cards  # only the app's own cards are marked


def test_the_page_s_scripts_are_deferred_in_their_order(served):
    page = httpx.get(served[0], timeout=30).text
    scripts = re.findall(r"<script[^>]*>", page)
    linked = [s for s in scripts if "src=" in s]
    names = [re.search(r'src="[^"?]*/([^/"?]+)', s).group(1) for s in linked]
    assert names[:4] == ["bokeh.min.js", "bokeh-widgets.min.js", "bokeh-tables.min.js",
                         "panel.min.js"]
    assert all(" defer " in s or 'type="module"' in s for s in linked), linked
    # inline scripts that call BokehJS run as modules, after the deferred ones
    assert "Bokeh.set_log_level" in page.split('<script type="module">', 1)[1].split("</script>")[0]
    assert '<script type="text/javascript">' not in page


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_cards_show_without_scripts_and_give_way_to_the_app_s(served):
    playwright = pytest.importorskip("playwright.sync_api")
    url, shown = served
    revenue = format_value(shown.manifest["analytics"]["kpis"]["revenue"], "money",
                           currency_of(shown.manifest))
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        blocked = browser.new_page(viewport={"width": 1440, "height": 1000})
        blocked.route("**/*.js*", lambda route: route.abort())  # no script at all
        blocked.goto(url)
        card = blocked.locator(".sf-first-view .sf-kpi").first
        playwright.expect(card.locator(".sf-kpi-value")).to_have_text(revenue)
        first_box = card.bounding_box()

        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        app_card = page.locator(".sf-kpi[data-kpi=revenue]")
        playwright.expect(app_card.locator(".sf-kpi-value")).to_have_text(revenue)
        playwright.expect(page.locator(".sf-first-view")).to_have_count(0)
        app_box = app_card.bounding_box()
        browser.close()
    assert errors == []
    # the app's card takes the place the first view's held: no jump when they swap
    assert abs(app_box["x"] - first_box["x"]) <= 2 and abs(app_box["y"] - first_box["y"]) <= 4
    assert abs(app_box["width"] - first_box["width"]) <= 2
    assert abs(app_box["height"] - first_box["height"]) <= 2
