"""salesforge-pyod: any PyOD detector for salesforge (``detector=pyod detector.model=ECOD``).

Found by salesforge through the ``salesforge`` entry-point group; nothing in the core
imports this package, and this package imports PyOD only when a detector is fitted.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesforge-pyod")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
