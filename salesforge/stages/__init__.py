"""The eight stages, each a function of the run context, in run order."""

from collections.abc import Callable

from salesforge.schema import RunContext
from salesforge.stages.analytics import run_analytics
from salesforge.stages.clean import run_clean
from salesforge.stages.detect import run_detect
from salesforge.stages.features import run_features
from salesforge.stages.forecast import run_forecast
from salesforge.stages.load import run_load
from salesforge.stages.report import run_report
from salesforge.stages.segment import run_segment

STAGE_FUNCTIONS: dict[str, Callable[[RunContext], None]] = {
    "load": run_load,
    "clean": run_clean,
    "features": run_features,
    "forecast": run_forecast,
    "segment": run_segment,
    "detect": run_detect,
    "analytics": run_analytics,
    "report": run_report,
}

#: Stage -> the stages whose output it reads (they must be on when it is).
REQUIRES: dict[str, tuple[str, ...]] = {
    "load": (),
    "clean": ("load",),
    "features": ("clean",),
    "forecast": ("clean",),
    "segment": ("clean",),
    "detect": ("clean",),
    "analytics": ("clean",),
    "report": (),
}
