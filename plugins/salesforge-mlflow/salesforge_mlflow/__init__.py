"""salesforge-mlflow: logs salesforge runs to MLflow through the public lifecycle hooks.

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package, and this package imports MLflow only when a run is tracked.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-mlflow")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
