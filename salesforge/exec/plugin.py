"""Built-in executors: ``local`` (this process or joblib workers) and ``dask``."""

from salesforge.exec.dask import DaskExecutor, DaskExecutorConfig
from salesforge.exec.local import LocalExecutor, LocalExecutorConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("executor", "local", LocalExecutor, config=LocalExecutorConfig)
    registry.add("executor", "dask", DaskExecutor, config=DaskExecutorConfig)
