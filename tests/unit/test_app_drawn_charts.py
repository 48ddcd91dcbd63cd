"""The app's charts arrive in the browser drawn on the server: SVG with hover texts for a
few named marks, an image of the SVG for lines, a PNG for many marks
(salesforge.app.drawn_charts)."""

from __future__ import annotations

import base64
import re

import altair as alt
import pandas as pd
import pytest

from salesforge.app.drawn_charts import (
    CHART_WIDTH,
    MAX_IMAGE_MARKS,
    MAX_SVG_MARKS,
    PNG_SCALE,
    draw_chart,
    hover_texts,
    separate_marks,
)
from salesforge.app.tables import chart
from salesforge.charts import anomaly_scatter, revenue_trend, segment_scatter
from salesforge.data.sample import sample_path
from tests.conftest import chart_svg, svg_texts


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return pd.read_csv(sample_path(), parse_dates=["date"])


@pytest.fixture(scope="module")
def products(sales) -> pd.DataFrame:
    """The sample's 15 products as the segment chart takes them."""
    per = sales.groupby("product").agg(transactions=("order_id", "size"),
                                       revenue=("revenue", "sum")).reset_index()
    return per.rename(columns={"product": "entity"}).assign(
        segment_name=lambda f: ["Premium Products" if r > per["revenue"].median()
                                else "Volume Products" for r in f["revenue"]])


def test_a_line_chart_is_an_image_of_its_svg_as_wide_as_the_app_draws(sales):
    daily = sales.groupby(sales["date"].dt.normalize())["revenue"].sum().rename_axis(
        "date").reset_index()
    drawing = draw_chart(revenue_trend(daily, title="Pendapatan <harian>", language="id"))
    assert drawing.form == "svg image" and drawing.html.startswith("<img ")
    assert 'alt="Pendapatan &lt;harian&gt;"' in drawing.html
    assert chart_svg(drawing.html) == drawing.svg
    assert re.search(r'<svg [^>]*width="960"', drawing.svg) and CHART_WIDTH == 960
    assert "max-width: 100%" in drawing.svg
    assert list(drawing.rows.values()) == [2 * len(daily)]  # daily and average, long
    assert "aria-label" not in drawing.svg and "<title>" not in drawing.svg
    words = svg_texts(drawing.svg)
    assert "Pendapatan <harian>" in words and "Maret" in words  # Indonesian month names
    # shapes to a tenth of a pixel: Vega writes full float precision
    assert not re.search(r'\bd="[^"]*\d\.\d{2}', drawing.svg)


def test_a_chart_of_a_few_named_points_names_each_on_hover_in_its_language(products):
    drawing = draw_chart(segment_scatter(products, x="transactions", language="id"))
    assert drawing.form == "svg" and drawing.html == drawing.svg
    titles = re.findall(r"<title>([^<]*)</title>", drawing.svg)
    assert len(titles) == len(products) == 15
    laptop = products.set_index("entity").loc["Laptop"]
    revenue = f"{laptop['revenue']:,.0f}".replace(",", ".")  # Indonesian grouping
    assert (f"produk: Laptop; segmen: Produk Premium; transaksi: "
            f"{laptop['transactions']:,}".replace(",", ".") + f"; pendapatan: {revenue}"
            ) in titles
    # axes and legends say nothing hidden (an English "X-axis titled ..." on an id page)
    assert "aria-label" not in drawing.svg
    assert drawing.svg.count("<title>") == 15


def test_markup_in_the_data_is_drawn_as_text(products):
    named = products.assign(entity=products["entity"].where(
        products["entity"] != "Laptop", '<script>alert("x")</script>'))
    drawing = draw_chart(segment_scatter(named, x="transactions"))
    assert "<script" not in drawing.svg and "&lt;script&gt;" in drawing.svg
    assert any(t.startswith('product: <script>alert("x")</script>;')
               for t in svg_texts(drawing.svg))
    pane = chart(drawing)
    assert pane.object == drawing.svg and "sf-chart" in pane.css_classes


def test_more_marks_than_an_svg_may_hold_make_a_sharp_png(sales):
    points = sales.sample(MAX_IMAGE_MARKS + 1, random_state=0).assign(status="flagged")
    drawing = draw_chart(anomaly_scatter(points[["product", "quantity", "price", "status"]],
                                         title="Harga & kuantitas", language="id"))
    assert drawing.form == "png" and drawing.svg is None
    data = re.search(r'src="data:image/png;base64,([^"]+)"', drawing.html).group(1)
    png = base64.b64decode(data)
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == \
        CHART_WIDTH * PNG_SCALE  # drawn at twice the size it is shown
    assert f'width="{CHART_WIDTH}"' in drawing.html
    assert 'alt="Harga &amp; kuantitas"' in drawing.html
    assert sorted(drawing.rows.values()) == [0, MAX_IMAGE_MARKS + 1]  # normal, flagged
    assert "description" not in drawing.spec  # nothing to hover in a picture
    columns = ["product", "quantity", "price", "status"]
    fewer = draw_chart(anomaly_scatter(points[columns].head(MAX_IMAGE_MARKS)))
    assert fewer.form == "svg image" and "<title>" not in fewer.svg
    named = draw_chart(anomaly_scatter(points[columns].head(MAX_SVG_MARKS)))
    assert named.form == "svg" and named.svg.count("<title>") == MAX_SVG_MARKS


def test_only_tooltips_of_plain_fields_on_separate_marks_become_hover_texts():
    frame = pd.DataFrame({"day": pd.date_range("2024-03-01", periods=3), "y": [1.5, 2, 3]})
    base = alt.Chart(frame)
    spec = alt.layer(
        base.mark_line().encode(x="day:T", y="y:Q", tooltip=["day:T", "y:Q"]),
        base.mark_bar().encode(x="day:T", y="sum(y):Q", tooltip=["sum(y):Q"]),
        base.mark_point().encode(x="day:T", y="y:Q", tooltip=[
            alt.Tooltip("day:T", title="date"), alt.Tooltip("y:Q", format=".2f")]),
    ).to_dict()
    sizes = {name: len(rows) for name, rows in spec["datasets"].items()}
    assert separate_marks(spec, sizes) == 6  # bars and points; the line is one shape
    assert hover_texts(spec, sizes) == 3
    line, summed, points = spec["layer"]
    assert line["mark"]["aria"] is False and summed["mark"]["aria"] is False
    assert "timeFormat" in points["encoding"]["description"]["value"]["expr"]
    titles = re.findall(r"<title>([^<]*)</title>", draw_chart(alt.layer(
        base.mark_point().encode(x="day:T", y="y:Q", tooltip=[
            alt.Tooltip("day:T", title="date", format="%d %B"),
            alt.Tooltip("y:Q", format=".2f")]))).svg)
    assert titles == ["date: 01 March; y: 1.50", "date: 02 March; y: 2.00",
                      "date: 03 March; y: 3.00"]


def test_the_dark_theme_draws_on_a_dark_background(products):
    light = draw_chart(segment_scatter(products, x="transactions"))
    dark = draw_chart(segment_scatter(products, x="transactions"), "dark")
    background = re.compile(r'<rect width="\d+" height="\d+" fill="([^"]+)"')
    assert background.search(light.svg).group(1) == "white"
    assert background.search(dark.svg).group(1) != "white"
