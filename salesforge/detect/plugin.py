"""Built-in detectors."""

from salesforge.detect.zscore import ZScoreDetector, ZScoreDetectorConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("detector", "zscore", ZScoreDetector, config=ZScoreDetectorConfig)
