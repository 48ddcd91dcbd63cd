"""Executors run independent tasks (one per model, backtest window, trial, partition, ...)
in this process, in local worker processes or on a Dask cluster.

Tasks are module-level functions applied to picklable items: an executor may ship both to
other processes. Results always come back in item order, so a run's outputs never depend
on the executor that computed them.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from salesforge.base.component import Component

T = TypeVar("T")
R = TypeVar("R")

#: ``progress(done, total)``: called in the driver as tasks finish.
Progress = Callable[[int, int], None]


class Executor(Component):
    """``map(fn, items)`` returns ``[fn(item) for item in items]``, in order, however it runs.

    Subclasses write ``_map``; they may override :meth:`share` (place a large object
    where workers can reach it once, returning a handle that tasks receive in its place)
    and :meth:`close` (release workers; the runner calls it when the run ends).
    """

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            progress: Progress | None = None) -> list[R]:
        """``[fn(item) for item in items]``; a task's exception reaches the caller.

        :param progress: called as ``progress(done, total)`` in this process: with 0 before
            the first task starts, then as tasks finish.
        """
        items = list(items)
        if not items:
            return []
        progress = progress or _no_progress
        progress(0, len(items))
        return list(self._map(fn, items, progress))

    def share(self, value: Any) -> Any:
        """A handle for ``value`` to put in task items instead of the value itself; a task
        receives the value. The default hands the value over as it is."""
        return value

    def close(self) -> None:
        """Release whatever the executor started (worker processes, a cluster); calling it
        again, or on an executor that started nothing, does nothing."""

    @property
    def workers(self) -> int:
        """How many tasks may run at once (a hint for sizing work, never for results)."""
        return 1

    @abstractmethod
    def _map(self, fn: Callable[[Any], Any], items: list[Any],
             progress: Progress) -> list[Any]:
        """Apply ``fn`` to each item and return the results in item order, calling
        ``progress(done, total)`` as tasks finish."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _no_progress(done: int, total: int) -> None:
    """The default progress callback: nobody listens."""
