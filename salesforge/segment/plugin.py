"""Built-in segmenters."""

from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry
from salesforge.segment.abc_xyz import ABCXYZSegmenter, ABCXYZSegmenterConfig
from salesforge.segment.kmeans import KMeansSegmenter, KMeansSegmenterConfig
from salesforge.segment.rfm import RFMSegmenter, RFMSegmenterConfig


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("segmenter", "kmeans", KMeansSegmenter, config=KMeansSegmenterConfig)
    registry.add("segmenter", "abc_xyz", ABCXYZSegmenter, config=ABCXYZSegmenterConfig)
    registry.add("segmenter", "rfm", RFMSegmenter, config=RFMSegmenterConfig)
