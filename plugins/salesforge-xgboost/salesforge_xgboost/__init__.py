"""salesforge-xgboost: a global XGBoost forecaster for salesforge (``forecaster=xgboost``).

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-xgboost")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
