"""Run tasks in this process, one after another or on a thread pool."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from salesforge.base.executor import Executor


@dataclass
class LocalExecutorConfig:
    """Settings of the ``local`` executor (``executor.*``)."""

    #: Worker threads; 1 runs tasks one after another in this thread.
    n_jobs: int = 1


class LocalExecutor(Executor):
    """Sequential (``n_jobs=1``) or threaded; numpy, pandas and scikit-learn release the
    GIL in their heavy loops, so threads help without copying data."""

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs

    def _map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if int(self.n_jobs) <= 1 or len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=int(self.n_jobs)) as pool:
            return list(pool.map(fn, items))
