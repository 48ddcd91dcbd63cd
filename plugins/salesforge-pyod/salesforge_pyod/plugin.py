"""The plugin module named by the ``salesforge`` entry point: registers the detector."""

from salesforge import hookimpl
from salesforge.registry import Registry
from salesforge_pyod.detector import PyODDetector, PyODDetectorConfig


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    """Add the ``pyod`` detector with its config schema (``detector.*``)."""
    registry.add("detector", "pyod", PyODDetector, config=PyODDetectorConfig)
