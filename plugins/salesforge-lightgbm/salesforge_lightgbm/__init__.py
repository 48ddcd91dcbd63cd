"""salesforge-lightgbm: a global LightGBM forecaster for salesforge (``forecaster=lightgbm``).

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package, and discovering it never imports LightGBM.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-lightgbm")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
