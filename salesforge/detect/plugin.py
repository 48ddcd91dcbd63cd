"""Built-in detectors."""

from salesforge.detect.ensemble import EnsembleDetector, EnsembleDetectorConfig
from salesforge.detect.isolation_forest import (
    IsolationForestDetector,
    IsolationForestDetectorConfig,
)
from salesforge.detect.mad import RobustMADDetector, RobustMADDetectorConfig
from salesforge.detect.zscore import ZScoreDetector, ZScoreDetectorConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("detector", "zscore", ZScoreDetector, config=ZScoreDetectorConfig)
    registry.add("detector", "mad", RobustMADDetector, config=RobustMADDetectorConfig)
    registry.add("detector", "isolation_forest", IsolationForestDetector,
                 config=IsolationForestDetectorConfig)
    registry.add("detector", "ensemble", EnsembleDetector, config=EnsembleDetectorConfig)
