"""The app's tables for people (issue 18): labelled headers, money without decimals in
the run's currency, shares as percentages, dates as dates; the download keeps the machine
names and full precision."""

from __future__ import annotations

import io

import pandas as pd

from salesforge.app.people import people_view
from salesforge.app.tables import table

FRAME = pd.DataFrame({
    "segment_name": ["Star Products", "Low Performers"],
    "avg_price": [12_870_078.4051, 95_000.25],
    "segment_revenue_share": [0.1333, 0.8667],
    "share_of_entities": [0.25, 0.75],
    "fva_pct": [12.345, -3.2],
    "bias": [-2_592_965.3474, 1_000.5],
    "entities": [3, 9],
    "date": pd.to_datetime(["2023-09-19", "2023-09-20"]),
})


def test_headers_money_shares_counts_and_dates_read_for_people():
    shown, formatters, titles = people_view(FRAME, "IDR", "en")
    assert titles["avg_price"] == "average price" and titles["fva_pct"] == "value added %"
    assert titles["segment_revenue_share"] == "segment revenue share %"
    assert formatters["avg_price"] == {"type": "money", "thousand": ",", "decimal": ".",
                                       "symbol": "Rp ", "symbolAfter": False, "precision": 0}
    assert shown["segment_revenue_share"].tolist() == [13.33, 86.67] or \
        shown["segment_revenue_share"].round(2).tolist() == [13.33, 86.67]
    assert formatters["share_of_entities"]["symbol"] == "%"
    assert formatters["fva_pct"]["precision"] == 1 and formatters["fva_pct"]["symbolAfter"]
    assert formatters["bias"]["precision"] == 0  # amounts of that size: no decimals
    assert formatters["entities"]["precision"] == 0
    assert shown["date"].tolist() == ["2023-09-19", "2023-09-20"]  # not 00:00:00
    assert FRAME["segment_revenue_share"].iloc[0] == 0.1333  # the frame is untouched


def test_indonesian_headers_and_separators():
    _, formatters, titles = people_view(FRAME, "USD", "id")
    assert titles["avg_price"] == "harga rata-rata"
    assert (formatters["avg_price"]["thousand"], formatters["avg_price"]["symbol"]) == (".", "$")
    _, english, _ = people_view(FRAME, "USD", "en")
    assert (english["avg_price"]["thousand"], english["avg_price"]["precision"]) == (",", 2)


def test_the_download_keeps_machine_names_and_full_precision():
    column = table(FRAME, "segment_profile")
    widget, download = column[0], column[1]
    assert "<th class=\"num\">average price</th>" in widget.object
    saved = pd.read_csv(io.BytesIO(download.callback().getvalue()))
    assert list(saved.columns) == list(FRAME.columns)
    assert saved["avg_price"].iloc[0] == 12_870_078.4051
    assert saved["segment_revenue_share"].iloc[0] == 0.1333


def test_the_app_anomaly_scatter_draws_at_most_the_report_s_number_of_flagged_points():
    from salesforge.app.filters import GlobalFilters
    from salesforge.app.tabs.anomaly import SCATTER_NORMAL, AnomalyTab
    from salesforge.report.figures import SCATTER_FLAGGED_POINTS

    rows = 5000
    clean = pd.DataFrame({"date": pd.Timestamp("2024-01-01"), "product": "a",
                          "quantity": 1.0 + pd.RangeIndex(rows) % 7, "price": 10.0})
    flagged = clean.iloc[:4000].assign(anomaly_score=[i / 4000 for i in range(4000)])
    points = AnomalyTab(GlobalFilters(), plugins=None)._points(clean, flagged)
    shown = points[points["status"] == "flagged"]
    assert len(shown) == SCATTER_FLAGGED_POINTS  # of 4,000 flagged rows
    assert shown.index.min() >= 4000 - SCATTER_FLAGGED_POINTS  # the highest scores
    assert (points["status"] == "normal").sum() <= SCATTER_NORMAL
