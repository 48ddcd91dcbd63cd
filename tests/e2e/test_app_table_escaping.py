"""A product name that looks like markup is shown as text by both kinds of app table: the
one-page HTML table and a longer table's pages, after a page turn and a new sort order
(Panel serving :func:`salesforge.app.tables.table`, Debian's chromium driven by
Playwright)."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

from tests.e2e.test_app_browser import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]

BAD = '<img src=x onerror="window.sfInjected=1">'


@pytest.mark.parametrize("rows", [5, 40], ids=["one-page", "paged"])
def test_a_markup_product_name_is_shown_as_text(rows):
    import panel as pn
    from playwright.sync_api import sync_playwright

    import salesforge.app.main  # noqa: F401  (the app's Panel extensions and CSS)
    from salesforge.app.tables import table

    frame = pd.DataFrame({"product": [BAD] + [f"p{i}" for i in range(rows - 1)],
                          "revenue": range(rows)})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = pn.serve({"table": lambda: table(frame, "products")}, port=port, show=False,
                      threaded=True, start=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/table")
            page.get_by_text(BAD, exact=True).first.wait_for(timeout=30_000)
            if rows > 15:  # the other pages the server writes
                page.get_by_role("button", name="Next").click()
                page.get_by_text("p20", exact=True).wait_for()
                page.locator("select").select_option(label="product ↑")  # "<" sorts first
                page.get_by_text(BAD, exact=True).first.wait_for()
            page.wait_for_timeout(500)  # an injected image's error handler would have run
            assert page.evaluate("() => window.sfInjected") is None
            browser.close()
    finally:
        server.stop()
