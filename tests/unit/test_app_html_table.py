"""The app's tables are plain HTML drawn on the server (the browser built a Tabulator in
about 0.15 s): the same headers and numbers as the Tabulator formatters of ``people_view``
drew, every cell escaped; longer tables come a page at a time
(``tests/unit/test_app_paged_table.py``)."""

from __future__ import annotations

import math
import re

import pandas as pd
import panel as pn
import pytest

from salesforge.app.html_table import cell_number, html_table
from salesforge.app.people import people_view
from salesforge.app.tables import PAGE_SIZE, table

RUPIAH_ID = {"type": "money", "thousand": ".", "decimal": ",", "symbol": "Rp ",
             "symbolAfter": False, "precision": 0}
PERCENT_EN = {"type": "money", "thousand": ",", "decimal": ".", "symbol": "%",
              "symbolAfter": True, "precision": 1}


@pytest.mark.parametrize(("value", "spec", "language", "text"), [
    (12_870_078.4051, RUPIAH_ID, "id", "Rp 12.870.078"),
    (-2_592_965.3474, RUPIAH_ID, "id", "-Rp 2.592.965"),
    (-0.2, RUPIAH_ID, "id", "Rp 0"),  # rounds to zero: no "-0"
    (13.333, PERCENT_EN, "en", "13.3%"),
    (1234567.891, {**PERCENT_EN, "symbol": "", "precision": 2}, "en", "1,234,567.89"),
    (math.nan, RUPIAH_ID, "id", ""),
    (None, PERCENT_EN, "en", ""),
    (pd.NA, PERCENT_EN, "en", ""),
])
def test_numbers_are_written_as_tabulator_s_money_formatter_draws_them(value, spec, language,
                                                                        text):
    assert cell_number(value, spec, language) == text


def cells(markup: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", markup)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def test_an_indonesian_one_page_table_reads_as_the_tabulator_did():
    frame = pd.DataFrame({"segment_name": ["Star Products", None],
                          "avg_price": [12_870_078.4051, 95_000.25],
                          "segment_revenue_share": [0.1333, 0.8667],
                          "entities": [3, 9],
                          "date": pd.to_datetime(["2023-09-19", None])})
    shown, formatters, titles = people_view(frame, "IDR", "id")
    markup = html_table(shown, formatters, titles, "id")
    header, first, second = cells(markup)
    assert header == [titles[c] for c in frame.columns]
    assert header[1] == "harga rata-rata"
    assert first == ["Star Products", "Rp 12.870.078", "13,3%", "3", "2023-09-19"]
    assert second == ["", "Rp 95.000", "86,7%", "9", ""]
    # numbers right-aligned, text left
    assert re.findall(r'<td class="(\w+)">', markup)[:5] == ["text", "num", "num", "num", "text"]


def test_text_cells_of_any_kind_are_written_as_text():
    frame = pd.DataFrame({"reasons": [["price", "quantity"], None],
                          "flagged": [True, False],
                          "product": pd.Series(["a", None], dtype="category")})
    shown, formatters, titles = people_view(frame, "IDR", "en")
    assert cells(html_table(shown, formatters, titles))[1:] == [
        ["[&#x27;price&#x27;, &#x27;quantity&#x27;]", "yes", "a"], ["", "no", ""]]
    # booleans read as the reports write them, in the page's language
    assert [row[1] for row in cells(html_table(shown, formatters, titles, "id"))[1:]] \
        == ["ya", "tidak"]


def test_cells_and_headers_are_escaped():
    frame = pd.DataFrame({"product": ['<img src=x onerror="alert(1)">', "A & B"],
                          "<b>": ["<script>", "ok"]})
    shown, formatters, titles = people_view(frame, "IDR", "en")
    markup = html_table(shown, formatters, titles)
    assert "<img" not in markup and "<script>" not in markup and "<b>" not in markup
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in markup
    assert "A &amp; B" in markup and "&lt;script&gt;" in markup


def test_a_table_longer_than_a_page_comes_a_page_at_a_time():
    short = pd.DataFrame({"product": [f"p{i}" for i in range(PAGE_SIZE)],
                          "revenue": range(PAGE_SIZE)})
    long = pd.DataFrame({"product": [f"p{i}" for i in range(PAGE_SIZE + 1)],
                         "revenue": range(PAGE_SIZE + 1)})
    one_page = table(short, "products")[0]
    assert isinstance(one_page, pn.pane.HTML) and len(cells(one_page.object)) == PAGE_SIZE + 1
    paged = table(long, "products", language="id")[0]
    pages = [p for p in paged.select(pn.pane.HTML) if "sf-table" in p.object]
    assert len(pages) == 1 and len(cells(pages[0].object)) == PAGE_SIZE + 1
    assert cells(pages[0].object)[0] == ["produk", "pendapatan"]
    assert isinstance(table(long, "products", page_size=len(long))[0], pn.pane.HTML)
