"""Chart builders: valid Vega-Lite from tidy frames, non-blank PNGs, offline HTML."""

from __future__ import annotations

import io
import json

import altair as alt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from salesforge import charts
from salesforge.analytics.bridge import bridge_steps
from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.charts.export import BUNDLE, inline_html, png_bytes, save_chart
from salesforge.testing import example_transactions


def ink(png: bytes) -> float:
    """Share of pixels that are not near-white: 0 for a blank picture."""
    gray = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return float((gray < 200).mean())


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return KpiAnalyzer().analyze(example_transactions(), "en").tables


def model_frames() -> dict[str, pd.DataFrame]:
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    history = pd.DataFrame({"series_id": "total", "ds": days[:46],
                            "y": 100 + 10 * np.sin(np.arange(46))})
    future = pd.DataFrame({"ds": days[46:], "y_pred": 100.0, "y_lo": 90.0, "y_hi": 110.0})
    backtest = pd.DataFrame({"ds": days[32:46], "y_pred": 101.0})
    segments = pd.DataFrame({"entity": list("abcdef"), "segment_name": ["Stars"] * 3 + ["Tail"] * 3,
                             "transactions": [50, 40, 30, 5, 4, 3],
                             "revenue": [5e6, 4e6, 3e6, 1e5, 8e4, 5e4]})
    timeline = pd.DataFrame({"date": days[:10], "flagged": [0, 1, 0, 2, 0, 0, 1, 0, 0, 3],
                             "max_score": np.linspace(0.1, 0.9, 10)})
    points = pd.DataFrame({"product": ["a"] * 6, "quantity": [1, 2, 3, 1, 50, 1],
                           "price": [10.0, 11, 9, 10, 10, 900],
                           "status": ["normal"] * 4 + ["flagged"] * 2, "rank": [0] * 4 + [1] * 2})
    return {"history": history, "future": future, "backtest": backtest, "segments": segments,
            "timeline": timeline, "points": points}


def every_chart(tables) -> dict[str, alt.TopLevelMixin]:
    frames = model_frames()
    total = tables["bridge_category"].iloc[-1]
    return {
        "revenue_trend": charts.revenue_trend(tables["daily"], 28),
        "product_ranking": charts.product_ranking(tables["products"]),
        "category": charts.distribution(tables["categories"], "category"),
        "region": charts.distribution(tables["regions"], "region"),
        "heatmap": charts.weekday_heatmap(tables["weekday_month"]),
        "bridge": charts.bridge_waterfall(bridge_steps(total, "Nov", "Dec")),
        "forecast": charts.forecast_chart(frames["history"], frames["future"],
                                          frames["backtest"]),
        "segments": charts.segment_scatter(frames["segments"], "transactions"),
        "anomaly_timeline": charts.anomaly_timeline(frames["timeline"]),
        "anomaly_scatter": charts.anomaly_scatter(frames["points"]),
    }


def test_every_chart_is_a_valid_spec_that_renders_non_blank(tables):
    built = every_chart(tables)
    for name, chart in built.items():
        assert isinstance(chart, alt.TopLevelMixin), name
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert "$schema" in spec, name
        assert ink(png_bytes(chart)) > 0.005, f"{name} rendered blank"


def test_trend_moving_average_is_computed_from_the_data(tables):
    chart = charts.revenue_trend(tables["daily"], 7)
    data = chart.data
    average = data[data["series"] == "7-day average"]["value"].to_numpy()
    expected = tables["daily"]["revenue"].rolling(7, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(average, expected)


def test_saved_chart_works_offline(tmp_path, tables):
    paths = save_chart(charts.product_ranking(tables["products"]), tmp_path, "ranking")
    page = paths["html"].read_text()
    assert f'<script src="{BUNDLE}"></script>' in page
    assert "cdn" not in page.lower() and "<script src=\"http" not in page
    assert (tmp_path / BUNDLE).stat().st_size > 100_000  # Vega, Vega-Lite and vega-embed
    assert "vegaEmbed" in (tmp_path / BUNDLE).read_text()
    spec = json.loads(page.split('vegaEmbed("#chart", ', 1)[1].rsplit(', {"mode"', 1)[0])
    assert spec["mark"]["type"] == "bar"
    assert ink(paths["png"].read_bytes()) > 0.005


def test_inline_bundle_is_a_single_script_tag():
    tag = inline_html()
    assert tag.startswith("<script>") and tag.endswith("</script>")
    assert tag.count("</script") == 1 and "window.vegaEmbed" in tag


def test_overlapping_backtest_windows_are_separate_lines(tmp_path):
    """Windows 14 days apart with a 28-day horizon overlap: each is its own line (Vega's
    ``detail``), so none joins the end of one window to the start of the next; the PNG is
    rendered for a reviewer under the test's tmp folder."""
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    history = pd.DataFrame({"ds": days[:100], "y": 100 + 10 * np.sin(np.arange(100))})
    future = pd.DataFrame({"ds": days[100:], "y_pred": 100.0, "y_lo": 90.0, "y_hi": 110.0})
    cutoffs = [days[43], days[57], days[71]]
    backtest = pd.concat([pd.DataFrame({"cutoff": c, "ds": pd.date_range(c, periods=29)[1:],
                                        "y_pred": 95.0 + k}) for k, c in enumerate(cutoffs)])
    chart = charts.forecast_chart(history, future, backtest)
    spec = chart.to_dict()
    line = spec["layer"][1]
    assert line["encoding"]["detail"]["field"] == "window"
    windows = {row["window"] for row in spec["datasets"][line["data"]["name"]]}
    assert windows == {"actual", "forecast", *(f"backtest from {c:%Y-%m-%d}" for c in cutoffs)}
    png = png_bytes(chart)
    (tmp_path / "forecast_windows.png").write_bytes(png)
    assert ink(png) > 0.005


def test_anomaly_scatter_draws_flagged_points_last_with_readable_log_ticks(tmp_path):
    points = pd.DataFrame({"product": "a", "quantity": [1, 2, 3, 7, 40, 300, 1, 2],
                           "price": [10.0, 11, 9, 10, 10, 900, 5000, 12],
                           "status": ["normal"] * 6 + ["flagged"] * 2})
    chart = charts.anomaly_scatter(points)
    spec = chart.to_dict()
    first, second = spec["layer"]
    statuses = [{row["status"] for row in spec["datasets"][layer["data"]["name"]]}
                for layer in (first, second)]
    assert statuses == [{"normal"}, {"flagged"}]  # flagged drawn on top, each its own rows
    x = first["encoding"]["x"]
    assert x["scale"]["type"] == "log"
    assert x["axis"]["values"] == [1, 2, 5, 10, 20, 50, 100, 200, 500]
    png = png_bytes(chart)
    (tmp_path / "anomaly_scatter.png").write_bytes(png)
    assert ink(png) > 0.005
