"""Altair chart builders: plain functions from tidy frames to ``alt.Chart`` objects.

The report stage saves them as interactive HTML and PNG (:mod:`salesforge.charts.export`);
the results app shows the same objects.
"""

from salesforge.charts.analysis import (
    bridge_waterfall,
    distribution,
    product_ranking,
    revenue_trend,
    weekday_heatmap,
)
from salesforge.charts.models import (
    anomaly_scatter,
    anomaly_timeline,
    forecast_chart,
    segment_scatter,
)

__all__ = [
    "anomaly_scatter",
    "anomaly_timeline",
    "bridge_waterfall",
    "distribution",
    "forecast_chart",
    "product_ranking",
    "revenue_trend",
    "segment_scatter",
    "weekday_heatmap",
]
