"""Run tasks in this process, or in local worker processes through joblib (loky)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salesforge.base.executor import Executor, Progress
from salesforge.errors import ConfigError

BACKENDS = ("loky", "threading")


@dataclass
class LocalExecutorConfig:
    """Settings of the ``local`` executor (``executor.*``)."""

    #: Parallel workers: 1 runs tasks one after another in this process (no copies, no
    #: start-up cost); -1 uses every CPU core; n > 1 uses n workers.
    n_jobs: int = 1
    #: joblib backend when n_jobs is not 1: loky (worker processes, the default) or
    #: threading (threads of this process: no copies, but only GIL-releasing work scales).
    backend: str = "loky"


@dataclass(eq=False)
class LocalExecutor(Executor, LocalExecutorConfig):
    """In this process (``n_jobs=1``, the default) or on joblib workers: loky processes
    (``n_jobs=-1`` = every core) or threads; results always come back in task order."""

    @property
    def workers(self) -> int:
        n_jobs = self._n_jobs()  # negative: joblib's rule, -1 = every core, -2 = all but one
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs) if n_jobs < 0 else n_jobs

    def _n_jobs(self) -> int:
        n_jobs = self.n_jobs
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
            raise ConfigError(f"config key executor.n_jobs must be a whole number other than "
                              f"0 (1 = in this process, -1 = every core), not {n_jobs!r}.")
        if self.backend not in BACKENDS:
            raise ConfigError(f"config key executor.backend must be one of "
                              f"{', '.join(BACKENDS)}, not {self.backend!r}.")
        return n_jobs

    def _map(self, fn: Callable[[Any], Any], items: list[Any],
             progress: Progress) -> list[Any]:
        total = len(items)
        if self.workers == 1 or total == 1:
            results = []
            for item in items:
                results.append(fn(item))
                progress(len(results), total)
            return results
        from joblib import Parallel, delayed

        results = []
        parallel = Parallel(n_jobs=self._n_jobs(), backend=self.backend,
                            return_as="generator")
        for result in parallel(delayed(fn)(item) for item in items):
            results.append(result)
            progress(len(results), total)
        return results
