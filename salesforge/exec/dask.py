"""Run tasks on a Dask cluster: an existing one (``executor.address``) or a LocalCluster
started on first use and closed when the run ends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salesforge.base.executor import Executor, Progress
from salesforge.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass
class DaskExecutorConfig:
    """Settings of the ``dask`` executor (``executor.*``)."""

    #: Scheduler of a running cluster, e.g. tcp://10.0.0.5:8786; null starts a LocalCluster
    #: on this machine for the run (and closes it when the run ends).
    address: str | None = None
    #: LocalCluster only: worker processes.
    n_workers: int = 2
    #: LocalCluster only: threads per worker (1 keeps each task's numpy/pandas single-threaded).
    threads_per_worker: int = 1
    #: LocalCluster only: true = worker processes; false = threads of this process.
    processes: bool = True
    #: LocalCluster only: serve the Dask dashboard on a free port (its address is logged).
    dashboard: bool = False
    #: Seconds to wait for the scheduler (and, for a LocalCluster, its workers) to answer.
    timeout: float = 30.0


def _quiet_in_process_scheduler() -> None:
    """The LocalCluster's scheduler runs in this process, and importing ``distributed``
    sets its loggers to INFO: one line per worker, connection and released key. Keep them
    to warnings unless the run logs at DEBUG."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("distributed").setLevel(logging.WARNING)


@dataclass(eq=False)
class DaskExecutor(Executor, DaskExecutorConfig):
    """dask.distributed: every task is a future (``pure=False``) on the cluster; large
    shared inputs are scattered once; results are gathered in task order."""

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connected (or its LocalCluster started) on first use."""
        client = self.__dict__.get("_client")
        if client is None:
            client = self._connect()
            self.__dict__["_client"] = client
        return client

    @property
    def workers(self) -> int:
        if self.__dict__.get("_client") is None and not self.address:
            return int(self.n_workers) * int(self.threads_per_worker)
        info = self.client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - distributed is a core dependency
            raise ConfigError("executor=dask needs the distributed package: "
                              "pip install 'dask[distributed]'.") from None
        if self.address:
            try:
                return Client(str(self.address), timeout=float(self.timeout),
                              set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigError(
                    f"config key executor.address: cannot reach a Dask scheduler at "
                    f"{self.address} within {self.timeout} s ({type(exc).__name__}); start one "
                    "with `dask scheduler` and workers with `dask worker <address>`, or leave "
                    "executor.address unset to start a local cluster.") from None
        for key in ("n_workers", "threads_per_worker"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"config key executor.{key} must be a whole number of at "
                                  f"least 1, not {value!r}.")
        _quiet_in_process_scheduler()
        cluster = LocalCluster(
            n_workers=int(self.n_workers), threads_per_worker=int(self.threads_per_worker),
            processes=bool(self.processes),
            dashboard_address=":0" if self.dashboard else None,
            silence_logs=logging.WARNING, timeout=float(self.timeout))
        self.__dict__["_cluster"] = cluster
        if self.dashboard:
            log.info("Dask dashboard: %s", cluster.dashboard_link)
        return Client(cluster, set_as_default=False)

    def share(self, value: Any) -> Any:
        """Scatter ``value`` to the cluster once; tasks whose items hold the returned future
        (at any depth of tuples, lists and dicts) receive the value."""
        return self.client.scatter(value, hash=False)

    def _map(self, fn: Callable[[Any], Any], items: list[Any],
             progress: Progress) -> list[Any]:
        from distributed import as_completed

        client = self.client
        futures = client.map(fn, items, pure=False)
        try:
            for done, _ in enumerate(as_completed(futures, loop=client.loop), start=1):
                progress(done, len(futures))
            return client.gather(futures)
        except BaseException:
            client.cancel(futures)  # stop the rest; finished futures are released on return
            raise

    def close(self) -> None:
        client = self.__dict__.pop("_client", None)
        cluster = self.__dict__.pop("_cluster", None)
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
