"""A table longer than a page: the server writes one page of HTML at a time, with page
buttons and a sort choice (salesforge.app.paged_table), in the page's language."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from salesforge.app.paged_table import AS_LISTED, PagedTable, sort_options
from salesforge.app.people import people_view
from tests.unit.test_app_html_table import cells


def paged(frame: pd.DataFrame, language: str = "en", page_size: int = 15) -> PagedTable:
    return PagedTable(*people_view(frame, "IDR", language), language=language,
                      page_size=page_size)


def shown_rows(table: PagedTable) -> list[list[str]]:
    return cells(table.body.object)[1:]


def click(table: PagedTable, button: str) -> None:
    table.buttons[button].clicks += 1  # what a press in the browser sends


@pytest.fixture()
def products() -> pd.DataFrame:
    """31 products: three pages of 15, 15 and 1."""
    return pd.DataFrame({"product": [f"p{i:02d}" for i in range(31)],
                         "revenue": [float((i * 7) % 31) * 1000 for i in range(31)]})


def test_the_first_page_and_where_it_stands(products):
    table = paged(products)
    assert [row[0] for row in shown_rows(table)] == [f"p{i:02d}" for i in range(15)]
    assert table.position.object == "Page 1 of 3 (31 rows)"
    assert [table.buttons[k].disabled for k in ("first", "prev", "next", "last")] \
        == [True, True, False, False]


def test_page_buttons_move_through_the_table_and_stop_at_its_ends(products):
    table = paged(products)
    click(table, "next")
    assert shown_rows(table)[0][0] == "p15" and table.position.object == "Page 2 of 3 (31 rows)"
    click(table, "last")
    assert [row[0] for row in shown_rows(table)] == ["p30"]
    assert table.buttons["next"].disabled and table.buttons["last"].disabled
    assert not table.buttons["prev"].disabled
    table.go(99)  # kept inside the table
    assert table.page == 2
    click(table, "prev")
    click(table, "first")
    assert table.page == 0 and shown_rows(table)[0][0] == "p00"


def test_sorting_orders_the_whole_table_and_starts_at_its_first_page(products):
    table = paged(products)
    click(table, "next")
    table.sort.value = "-revenue"
    assert table.page == 0
    firsts = [row[1] for row in shown_rows(table)][:3]
    assert firsts == ["Rp 30,000", "Rp 29,000", "Rp 28,000"]
    table.sort.value = "+revenue"
    assert shown_rows(table)[0][1] == "Rp 0"
    table.sort.value = "-product"
    assert shown_rows(table)[0][0] == "p30"
    table.sort.value = AS_LISTED
    assert shown_rows(table)[0][0] == "p00"


def test_missing_values_sort_last_either_way_and_ties_keep_the_run_s_order():
    frame = pd.DataFrame({"product": ["b", "a", "c", "d"],
                          "revenue": [5.0, math.nan, 5.0, 1.0]})
    table = paged(frame, page_size=2)
    table.sort.value = "-revenue"
    assert [r[0] for r in table.rows.itertuples(index=False)] == ["b", "c", "d", "a"]
    table.sort.value = "+revenue"
    assert [r[0] for r in table.rows.itertuples(index=False)] == ["d", "b", "c", "a"]


def test_text_sorts_by_name_ignoring_case_categories_included():
    frame = pd.DataFrame({"region": pd.Categorical(["bandung", "Medan", "Aceh"],
                                                   categories=["Medan", "bandung", "Aceh"]),
                          "order": ["x", "Y", "z"]})
    table = paged(frame, page_size=2)
    table.sort.value = "+region"
    assert list(table.rows["region"]) == ["Aceh", "bandung", "Medan"]
    table.sort.value = "-order"
    assert list(table.rows["order"]) == ["z", "Y", "x"]


def test_the_sort_choice_names_each_column_both_ways():
    options = sort_options({"revenue": "Revenue"}, ["revenue", "product"])
    assert options == {"As listed": AS_LISTED, "Revenue ↓": "-revenue",
                       "Revenue ↑": "+revenue", "product ↓": "-product",
                       "product ↑": "+product"}


def test_an_indonesian_table_pages_in_indonesian(products):
    table = paged(products.assign(revenue=products["revenue"] * 1000), language="id")
    assert table.position.object == "Halaman 1 dari 3 (31 baris)"
    assert [b.label for b in table.buttons.values()] == [
        "Pertama", "Sebelumnya", "Berikutnya", "Terakhir"]
    assert table.sort.label == "Urutkan menurut"
    assert list(table.sort.options)[:3] == ["Sesuai urutan", "produk ↓", "produk ↑"]
    table.sort.value = "-revenue"
    assert shown_rows(table)[0][1] == "Rp 30.000.000"
    big = paged(pd.DataFrame({"n": range(16_000)}), language="id")
    assert big.position.object == "Halaman 1 dari 1.067 (16.000 baris)"


def test_every_page_is_escaped(products):
    products.loc[20, "product"] = '<img src=x onerror="alert(1)">'
    table = paged(products)
    click(table, "next")
    assert "<img" not in table.body.object
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in table.body.object
