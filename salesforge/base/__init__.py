"""One small abstract base per component kind."""

from salesforge.base.analyzer import Analysis, Analyzer
from salesforge.base.cleaner import Cleaner, CleanResult
from salesforge.base.component import Component
from salesforge.base.detector import Detector
from salesforge.base.executor import Executor
from salesforge.base.feature_builder import FeatureBuilder
from salesforge.base.forecaster import Forecaster
from salesforge.base.loader import Loader
from salesforge.base.notifier import Alert, Notifier
from salesforge.base.reporter import ReportBundle, Reporter
from salesforge.base.segmenter import Segmenter

__all__ = [
    "Alert",
    "Analysis",
    "Analyzer",
    "CleanResult",
    "Cleaner",
    "Component",
    "Detector",
    "Executor",
    "FeatureBuilder",
    "Forecaster",
    "Loader",
    "Notifier",
    "ReportBundle",
    "Reporter",
    "Segmenter",
]
