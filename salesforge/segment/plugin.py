"""Built-in segmenters."""

from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry
from salesforge.segment.kmeans import KMeansSegmenter, KMeansSegmenterConfig


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("segmenter", "kmeans", KMeansSegmenter, config=KMeansSegmenterConfig)
