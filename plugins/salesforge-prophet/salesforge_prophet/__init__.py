"""salesforge-prophet: Prophet forecasts with country holidays (``forecaster=prophet``).

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-prophet")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
