"""Built-in executors."""

from salesforge.exec.local import LocalExecutor, LocalExecutorConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("executor", "local", LocalExecutor, config=LocalExecutorConfig)
