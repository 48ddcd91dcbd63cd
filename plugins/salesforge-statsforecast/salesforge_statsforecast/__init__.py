"""salesforge-statsforecast: statsforecast's statistical models as salesforge forecasters
(``forecaster=auto_ets``, ``auto_theta``, ``auto_arima``, ``mstl``, ``croston_optimized``,
``adida``, ``imapa``, ``tsb``).

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package, and discovering it never imports statsforecast.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-statsforecast")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
