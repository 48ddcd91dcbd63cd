"""The run index and run-to-run comparison (``salesforge runs``, the app, the API).

* :class:`RunIndex` - the SQLite index of every run (record, query, resolve, rebuild);
* :func:`compare` - runs side by side with the best marked;
* :func:`diff_runs` - config, metric, forecast, anomaly, segment and KPI changes.
"""

from salesforge.runs.compare import Comparison, compare
from salesforge.runs.diff import diff_runs
from salesforge.runs.index import DEFAULT_INDEX, RunIndex
from salesforge.runs.summary import key_metrics, run_row, summarize

__all__ = ["DEFAULT_INDEX", "Comparison", "RunIndex", "compare", "diff_runs", "key_metrics",
           "run_row",
           "summarize"]
