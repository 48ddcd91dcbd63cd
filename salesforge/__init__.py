"""salesforge: sales transactions in, forecasts, segments, anomalies, KPIs and reports out.

The public API: the plugin marker :data:`hookimpl`, the component base classes, the
:class:`Registry` and :func:`run`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"

from salesforge.base import (
    Alert,
    Analysis,
    Analyzer,
    Cleaner,
    CleanResult,
    Component,
    Detector,
    Executor,
    FeatureBuilder,
    Forecaster,
    Loader,
    Notifier,
    ReportBundle,
    Reporter,
    Segmenter,
)
from salesforge.errors import ConfigError, DataError, PluginError, SalesforgeError
from salesforge.plugin.markers import hookimpl, hookspec
from salesforge.registry import Registry


def __getattr__(name: str):  # the runner pulls in every stage: import it on first use
    if name == "run":
        from salesforge.runner import run

        return run
    if name == "compose":  # Hydra's compose API, loaded on first use
        from salesforge.composition import compose

        return compose
    raise AttributeError(f"module 'salesforge' has no attribute {name!r}")


__all__ = [
    "Alert",
    "Analysis",
    "Analyzer",
    "CleanResult",
    "Cleaner",
    "Component",
    "ConfigError",
    "DataError",
    "Detector",
    "Executor",
    "FeatureBuilder",
    "Forecaster",
    "Loader",
    "Notifier",
    "PluginError",
    "Registry",
    "ReportBundle",
    "Reporter",
    "SalesforgeError",
    "Segmenter",
    "__version__",
    "compose",
    "hookimpl",
    "hookspec",
    "run",
]
